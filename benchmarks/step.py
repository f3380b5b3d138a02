"""Run one benchmark step in this process and print one JSON line: its wall time, the process's peak RSS and what
the step did. The driver (run.py) runs every step so, each in its own process.

    python benchmarks/step.py STEP --work DIR [options]

The clock covers the step's action only: setting up (copying a home, writing a new file) is done before it starts.
The peak RSS is the whole process's (see peak_rss_mib).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from workload import FIRST_NIGHT, Work, clear_new_files, fresh_home, live_files, write_new_day

STEPS = {}


def step(function):
    STEPS[function.__name__] = function
    return function


def settings_for(args):
    from pipeline.config import load_settings

    return load_settings(str(args.config), str(args.home))


def timed(action):
    """(seconds, result) of calling action()."""
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def quoted(path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


# --- DuckDB alone: the yardsticks -----------------------------------------------------------------------------

def duckdb_connection():
    con = duckdb.connect()
    con.execute("SET threads = 2")
    return con


@step
def baseline_copy(args):
    """DuckDB reads the files with its own reader (every column it detects) and writes them as zstd Parquet."""
    reader = {"json": "read_ndjson", "csv": "read_csv"}[args.reader]
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    targets = [out / f"{n}.parquet" for n in range(len(args.source))]  # one per source: their columns differ
    con = duckdb_connection()

    def action():
        for source, target in zip(args.source, targets):
            con.execute(f"COPY (SELECT * FROM {reader}({quoted(source)})) TO {quoted(target)} "
                        "(FORMAT parquet, COMPRESSION zstd)")

    seconds, _ = timed(action)
    rows = columns = 0
    for target in targets:
        rows += con.execute(f"SELECT count(*) FROM {quoted(target)}").fetchone()[0]
        columns += len(con.execute(f"DESCRIBE FROM {quoted(target)}").fetchall())
    return seconds, {"rows": rows, "columns": columns}


@step
def baseline_sql(args):
    """A bare DuckDB query over the lake's Parquet files (the glob {home} is filled in), all rows fetched."""
    con = duckdb_connection()
    sql = args.sql.replace("{home}", str(args.home))
    seconds, rows = timed(lambda: con.execute(sql).fetchall())
    return seconds, {"rows_out": len(rows)}


# --- spendlog -------------------------------------------------------------------------------------------------

@step
def ingest(args):
    """`spendlog ingest PATHS`: ingest() then refresh_warehouse(), into a fresh home or a copy of another."""
    from pipeline.ingest import ingest as run_ingest
    from pipeline.warehouse import refresh_warehouse

    fresh_home(args.home, args.copy_from)
    settings = settings_for(args)

    def action():
        summary = run_ingest(settings, [str(p) for p in args.paths])
        refresh_warehouse(settings)
        return summary

    seconds, summary = timed(action)
    totals = summary.as_dict()
    if totals["file_errors"]:
        raise SystemExit(f"files refused: {totals['file_errors'][:3]}")
    return seconds, {key: value for key, value in totals.items() if not isinstance(value, list)}


@step
def reprice(args):
    """Re-price the whole lake (priced.reprice under the lock, then the manifest written), as a stale stamp does."""
    from pipeline.lake import Lake, connect
    from pipeline.priced import reprice as run_reprice

    settings = settings_for(args)
    lake = Lake(settings.home)
    with lake.lock():
        manifest = lake.read_manifest()
        con = connect(settings)

        def action():
            run_reprice(con, lake, manifest, settings)
            lake.write_manifest(manifest, settings)

        seconds, _ = timed(action)
        rows = con.execute("SELECT count(*) FROM usage_files").fetchone()[0]
        con.close()
    return seconds, {"rows": rows, **{f"{t}_files": n for t, n in live_files(args.home).items()}}


@step
def report(args):
    """render_all for one report (HTML, Markdown, CSVs, charts) into a fresh folder, as `spendlog report` does."""
    from pipeline.reports import render_all

    settings = settings_for(args)
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    start, end = dt.date.fromisoformat(args.start), dt.date.fromisoformat(args.end)
    seconds, paths = timed(lambda: render_all(settings, [(args.kind, start, end)], out_dir=out))
    return seconds, {"files_written": len(paths)}


def _night_info(night, settings) -> dict:
    record = night.record(settings)
    keep = ("files", "files_skipped", "rows_loaded", "reports_written", "warehouse_rebuilt", "exit", "problems")
    return {key: record[key] for key in keep}


@step
def nightly(args):
    """run_nightly on a home (or a fresh copy of one), after adding one new file of --new-kb for --new-day."""
    from pipeline.nightly import run_nightly

    work = Work(args.work)
    if args.copy_from:
        fresh_home(args.home, args.copy_from)
    clear_new_files(work)
    try:
        if args.new_kb:
            write_new_day(work, dt.date.fromisoformat(args.new_day), args.new_kb * 1024, "N")
        settings = settings_for(args)
        seconds, night = timed(lambda: run_nightly(settings, dt.date.fromisoformat(args.date)))
    finally:
        clear_new_files(work)
    if night.exit_code:
        raise SystemExit(f"nightly exit {night.exit_code}: {night.problems}")
    return seconds, _night_info(night, settings)


@step
def nightlies(args):
    """Simulated nights --first .. --first + --count - 1: each adds a --new-kb file for a new day, then runs the
    nightly job for the day after. The new files stay (the next call goes on from them); --copy-from starts over."""
    from pipeline.nightly import run_nightly

    work = Work(args.work)
    if args.copy_from:
        fresh_home(args.home, args.copy_from)
        clear_new_files(work)
    settings = settings_for(args)
    times, last = [], None
    for night_number in range(args.first, args.first + args.count):
        day = FIRST_NIGHT + dt.timedelta(days=night_number - 1)
        write_new_day(work, day, args.new_kb * 1024, f"S{night_number:04d}")
        seconds, last = timed(lambda: run_nightly(settings, day + dt.timedelta(days=1)))
        if last.exit_code:
            raise SystemExit(f"night {night_number} exit {last.exit_code}: {last.problems}")
        times.append(round(seconds, 4))
    files = live_files(args.home)
    return sum(times), {"nights": len(times), "mean_s": sum(times) / len(times), "first_s": times[0],
                        "last_s": times[-1], "times_s": times, "usage_files": files["usage"],
                        "priced_files": files["priced"], "last_night": _night_info(last, settings)}


@step
def query(args):
    """One query through the views (opened first, untimed), every row fetched."""
    from pipeline.views import open_views as run_open_views

    settings = settings_for(args)
    opened, con = timed(lambda: run_open_views(settings))
    seconds, rows = timed(lambda: con.execute(args.sql).fetchall())
    con.close()
    info = {"rows_out": len(rows), "open_views_s": opened}
    info.update({f"{t}_files": n for t, n in live_files(args.home).items()})
    return seconds, info


@step
def command(args):
    """Run a command (after --) as a child process, in a fresh --home if one is named; its wall time and the
    child's peak RSS."""
    if args.home:
        fresh_home(args.home)
    env = {**os.environ, **dict(item.split("=", 1) for item in args.env)}
    seconds, done = timed(lambda: subprocess.run(args.paths, env=env, capture_output=True, text=True))
    if done.returncode:
        raise SystemExit(f"{args.paths[0]} exit {done.returncode}: {done.stderr.strip()[:500]}")
    return seconds, {"stdout_lines": done.stdout.count("\n"), "rss": "child"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--home", type=Path)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--copy-from", type=Path)
    parser.add_argument("--reader", choices=("json", "csv"))
    parser.add_argument("--source", action="append", help="files a baseline reads (a path or a glob; repeatable)")
    parser.add_argument("--out", help="where a baseline or a report writes")
    parser.add_argument("--sql")
    parser.add_argument("--kind")
    parser.add_argument("--start")
    parser.add_argument("--end")
    parser.add_argument("--date", help="the nightly run's today")
    parser.add_argument("--new-day", help="the day of the new file a nightly step adds")
    parser.add_argument("--new-kb", type=int, default=0, help="the size of that file")
    parser.add_argument("--first", type=int, default=1)
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the command step")
    parser.add_argument("paths", nargs="*", type=str)
    args = parser.parse_intermixed_args()
    if args.home:
        args.home = args.home.resolve()
    seconds, info = STEPS[args.step](args)
    child = info.get("rss") == "child"
    maxrss = resource.getrusage(resource.RUSAGE_CHILDREN if child else resource.RUSAGE_SELF).ru_maxrss / 1024
    peak = maxrss if child else (peak_rss_mib() or maxrss)
    print(json.dumps({"step": args.step, "wall_s": seconds, "peak_rss_mib": peak, "ru_maxrss_mib": maxrss,
                      "info": info}))


def peak_rss_mib() -> float | None:
    """This process's peak RSS: VmHWM of /proc/self/status (Linux). ru_maxrss would do, but Linux carries the
    parent's peak across fork and exec into it, so a step started by a big driver would show the driver's size.
    For the command step, ru_maxrss of RUSAGE_CHILDREN: the child's peak, or this runner's size if larger."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


if __name__ == "__main__":
    sys.exit(main())
