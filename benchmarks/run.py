"""The scale benchmark: generate samples of about --lines lines, run every step in its own process (step.py),
print one table and write the same as JSON.

    python benchmarks/run.py --lines 1000000                # the full size (hours: see below)
    python benchmarks/run.py --lines 200000 --repeat 1      # medium: about 1.5 hours on 2 cores, 365 nights
    python benchmarks/run.py --lines 200000 --repeat 1 --nightlies 10   # medium without most nights: 7 minutes
    python benchmarks/run.py --tiny                         # a smoke run: a few thousand lines, one run each
    python benchmarks/run.py --lines 10000000 --formats article --repeat 1 --nightlies 0   # 10M app-log lines alone

The simulated nights dominate at any size: each night re-prices the whole lake, so a night costs about what
`reprice` costs plus a daily report (13 s at 200K lines on 2 cores, so 365 nights take 80 minutes).

Steps, in order (each a row; "× base" is its wall time over the named row's, measured in the same run):

- per sample (the article's app logs + batch file, a Claude Code tree, an OpenRouter CSV export): DuckDB's own
  reader of the same files, every column, to zstd Parquet with SET threads = 2 (the yardstick), then
  `spendlog ingest` into a new home; the article's home is the lake every later step reads;
- pricing alone: re-pricing the whole lake, against DuckDB rewriting lake/usage as Parquet;
- the monthly report against a bare `SELECT app, model, sum(cost_usd) … GROUP BY app, model` of lake/priced;
- nightly: the first run (it renders every report), a run with nothing new, a run with one new file of
  --new-file-kb for a new day;
- dedupe: --dedupe-rows rows with new ids ingested into an empty home and against the lake;
- the README's example queries ("Five useful queries"), each against the lake (the views opened first, untimed),
  and `spendlog sql` with query 1 as a whole process;
- --nightlies simulated nights, each adding a --sim-file-kb file for a new day: the lake's live file count and
  README query 1 after the first night and after the last;
- `ccusage daily --offline` on the Claude Code tree against spendlog ingest + a per-day query, when ccusage is
  installed (else skipped).

The samples are kept in the work dir and reused by the next run of the same size; the homes are made anew.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from workload import FIRST_NIGHT, FORMATS, ROOT, Work, clear_new_files, prepare, sizes

BENCH = Path(__file__).resolve().parent
README_QUERY = re.compile(r'^\$ spendlog --home \S+ sql "(?P<sql>.+)"$', re.M)


@dataclass
class Row:
    """One table row: a step run `runs` times, each in its own process."""
    id: str
    label: str
    step: list[str]  # the step.py step name, then its options
    runs: int = 1
    baseline: str | None = None  # the id of the row this one is compared with
    rate: str | None = None  # "sample:<name>" (its bytes and lines) or "lake" (the lake's rows) per second
    note: Callable[[dict], str] = lambda info: ""
    results: list[dict] = field(default_factory=list)
    error: str | None = None
    skipped: str | None = None

    @property
    def wall(self) -> float | None:
        return statistics.median(r["wall_s"] for r in self.results) if self.results and not self.error else None

    @property
    def peak_rss(self) -> float | None:
        return max(r["peak_rss_mib"] for r in self.results) if self.results else None

    @property
    def info(self) -> dict:
        return self.results[-1]["info"] if self.results else {}


# --- the steps ------------------------------------------------------------------------------------------------

def readme_queries() -> list[str]:
    """The example queries of README.md's "Five useful queries" (each a `spendlog … sql "…"` line)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Five useful queries", 1)[-1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    queries = [m.group("sql") for m in README_QUERY.finditer(section)]
    if not queries:
        raise SystemExit("no example queries found in README.md's 'Five useful queries' section")
    return queries


def ingest_note(info: dict) -> str:
    return (f"{info.get('rows_loaded', 0):,} rows, {info.get('duplicates', 0):,} duplicates, "
            f"{info.get('ignored', 0):,} ignored, {info.get('rows_rejected', 0):,} rejected")


def night_note(info: dict) -> str:
    return (f"{info['files']} files read ({info['files_skipped']} unchanged), {info['rows_loaded']:,} rows, "
            f"{info['reports_written']} reports")


def sim_note(info: dict) -> str:
    return (f"{info['nights']} nights: mean {info['mean_s']:.2f} s, last {info['last_s']:.2f} s; live files: "
            f"usage {info['usage_files']}, priced {info['priced_files']}")


def query_note(info: dict) -> str:
    return (f"{info['rows_out']} rows out (views opened in {info['open_views_s']:.2f} s); live files: "
            f"usage {info['usage_files']}, priced {info['priced_files']}")


def plan(work: Work, args) -> list[Row]:
    """Every row of the table, in the order they run."""
    bench, empty = ["--config", str(work.config)], ["--config", str(work.empty_config)]
    lake = ["--home", str(work.home("lake"))] + bench
    scratch = ["--home", str(work.home("scratch"))] + bench
    repeat = args.repeat
    rows = []

    formats = [  # (sample, what is read, reader, the baseline's sources, the paths ingested, config, home)
        ("article", "app_log + anthropic_batch", "json", [f"{work.apps}/*/????-??-??.jsonl", str(work.batch)],
         [str(work.apps), str(work.batch)], bench, work.home("lake")),
        ("claude_code", "claude_code", "json", [f"{work.claude_code}/**/*.jsonl"], [str(work.claude_code)], empty,
         work.home("claude_code")),
        ("openrouter_csv", "openrouter_activity_csv", "csv", [str(work.csv)], [str(work.csv)], empty,
         work.home("openrouter_csv")),
    ]
    for key, name, reader, sources, paths, config, home in formats:
        if key not in args.formats:
            continue
        reads = [f"--source={source}" for source in sources]
        rows.append(Row(f"base.{key}", f"duckdb read_{'ndjson' if reader == 'json' else 'csv'}: {name} → parquet",
                        ["baseline_copy", "--reader", reader, *reads, "--out", str(work.tmp / key)],
                        repeat, rate=f"sample:{key}", note=lambda i: f"{i['rows']:,} rows × {i['columns']} columns"))
        rows.append(Row(f"ingest.{key}", f"ingest {name}" + (" via spendlog.toml (the lake below)" if key == "article" else ""),
                        ["ingest", "--home", str(home), *config, *paths],
                        repeat, baseline=f"base.{key}", rate=f"sample:{key}", note=ingest_note))

    rows.append(Row("base.reprice", "duckdb: rewrite lake/usage as zstd parquet",
                    ["baseline_sql", "--home", str(work.home("lake")), "--sql",
                     f"COPY (SELECT * FROM read_parquet({{usage}})) TO '{work.tmp / 'usage.parquet'}' "
                     "(FORMAT parquet, COMPRESSION zstd)"], repeat, rate="lake"))
    rows.append(Row("reprice", "pricing alone: re-price the lake", ["reprice", *lake], repeat,
                    baseline="base.reprice", rate="lake", note=lambda i: f"{i['rows']:,} rows → {i['priced_files']} priced files"))
    rows.append(Row("base.monthly", "duckdb: app × model sum(cost_usd) of lake/priced",
                    ["baseline_sql", "--home", str(work.home("lake")), "--sql",
                     "SELECT app, model, sum(cost_usd) FROM read_parquet({priced}) GROUP BY app, model"],
                    repeat, rate="lake", note=lambda i: f"{i['rows_out']} groups"))
    rows.append(Row("report.monthly", "monthly report 2026-02 (HTML, MD, CSV, charts)",
                    ["report", *lake, "--kind", "monthly", "--start", "2026-02-01", "--end", "2026-02-28",
                     "--out", str(work.tmp / "report-monthly")], repeat, baseline="base.monthly", rate="lake",
                    note=lambda i: f"{i['files_written']} files written"))

    night = ["--date", FIRST_NIGHT.isoformat()]
    rows.append(Row("nightly.first", "nightly, first run on the lake (every report)", ["nightly", *lake, *night], 1,
                    note=night_note))
    rows.append(Row("nightly.idle", "nightly, nothing new", ["nightly", *lake, *night], repeat, note=night_note))
    new_day = FIRST_NIGHT
    rows.append(Row("nightly.new", f"nightly, one new {args.new_file_kb} KB file",
                    ["nightly", *scratch, "--copy-from", str(work.home("lake")),
                     "--date", (new_day + dt.timedelta(days=1)).isoformat(), "--new-day", new_day.isoformat(),
                     "--new-kb", str(args.new_file_kb)], repeat, baseline="nightly.idle", note=night_note))

    rows.append(Row("dedupe.empty", f"ingest {args.dedupe_rows:,} new rows, empty home",
                    ["ingest", "--home", str(work.home("dedupe")), *bench, str(work.dedupe)], repeat,
                    rate="sample:dedupe", note=ingest_note))
    rows.append(Row("dedupe.lake", f"ingest {args.dedupe_rows:,} new rows against the lake",
                    ["ingest", *scratch, "--copy-from", str(work.home("lake")), str(work.dedupe)], repeat,
                    baseline="dedupe.empty", rate="sample:dedupe", note=ingest_note))

    queries = readme_queries()
    for n, sql in enumerate(queries, 1):
        rows.append(Row(f"query.{n}", f"README query {n}: {sql[:34]}…", ["query", *lake, "--sql", sql], repeat,
                        rate="lake", note=query_note))
    rows.append(Row("cli.sql", "spendlog sql (query 1), whole process",
                    ["command", "--", sys.executable, "-m", "pipeline", "--home", str(work.home("lake")),
                     "--config", str(work.config), "sql", queries[0]], repeat))

    if args.nightlies >= 1:
        sim = ["--home", str(work.home("sim"))] + bench
        size = ["--new-kb", str(args.sim_file_kb)]
        rows.append(Row("sim.first", f"simulated night 1 (+{args.sim_file_kb} KB)",
                        ["nightlies", *sim, "--copy-from", str(work.home("lake")), "--first", "1", "--count", "1", *size],
                        1, note=sim_note))
        rows.append(Row("sim.query.first", "README query 1 after night 1", ["query", *sim, "--sql", queries[0]],
                        repeat, note=query_note))
        if args.nightlies > 1:
            rows.append(Row("sim.rest", f"simulated nights 2..{args.nightlies}, total",
                            ["nightlies", *sim, "--first", "2", "--count", str(args.nightlies - 1), *size], 1,
                            note=sim_note))
            rows.append(Row("sim.query.last", f"README query 1 after night {args.nightlies}",
                            ["query", *sim, "--sql", queries[0]], repeat, baseline="sim.query.first",
                            note=query_note))

    if "claude_code" not in args.formats:
        return rows
    ccusage = shutil.which("ccusage")
    cc_home = work.home("cc-cli")
    spendlog = [sys.executable, "-m", "pipeline", "--home", str(cc_home), "--config", str(work.empty_config)]
    per_day = ("select day, sum(input_tokens + cache_write_tokens + cache_read_tokens + output_tokens) as tokens, "
               "sum(cost_usd) as cost from daily_spend group by day order by day")
    both = f"{shlex.join(spendlog + ['ingest', str(work.claude_code)])} && {shlex.join(spendlog + ['sql', per_day])}"
    rows.append(Row("ccusage", "ccusage daily --offline (Claude Code tree)",
                    ["command", "--env", f"CLAUDE_CONFIG_DIR={work.claude_code.parent}", "--", ccusage or "ccusage",
                     "daily", "--offline"], repeat, rate="sample:claude_code",
                    skipped=None if ccusage else "ccusage is not installed"))
    rows.append(Row("ccusage.spendlog", "spendlog ingest + per-day query (same tree)",
                    ["command", "--home", str(cc_home), "--", "sh", "-c", both], repeat, baseline="ccusage", rate="sample:claude_code",
                    skipped=None if ccusage else "ccusage is not installed"))
    return rows


# --- running them ---------------------------------------------------------------------------------------------

def clean_env() -> dict:
    """The environment for the steps: no SPENDLOG_* variable of the caller's (home, config, clock)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SPENDLOG_")}


def run_step(work: Work, step: list[str]) -> dict:
    """Run step.py in a new process; its JSON line, with the process's own wall time added."""
    args = [sys.executable, str(BENCH / "step.py"), step[0], "--work", str(work.root), *step[1:]]
    started = time.perf_counter()
    done = subprocess.run(args, cwd=work.root, env=clean_env(), capture_output=True, text=True)
    process_s = time.perf_counter() - started
    if done.returncode:
        tail = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise RuntimeError(f"exit {done.returncode}: {tail}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = process_s
    return result


def expand(step: list[str], work: Work) -> list[str]:
    """Fill {usage} and {priced} in a baseline's SQL with the lake's live files (the manifest's: what the views
    read; older files stay on disk until the next run collects them)."""
    manifest_path = work.home("lake") / "state" / "manifest.json"
    if not manifest_path.exists() or not any("{usage}" in a or "{priced}" in a for a in step):
        return step
    manifest = json.loads(manifest_path.read_text())
    lists = {t: "[" + ", ".join(f"'{work.home('lake') / p}'" for p in manifest["tables"][t]) + "]"
             for t in ("usage", "priced")}
    return [a.replace("{usage}", lists["usage"]).replace("{priced}", lists["priced"]) for a in step]


def run_rows(work: Work, rows: list[Row]) -> None:
    for number, row in enumerate(rows, 1):
        if row.skipped:
            log(f"[{number}/{len(rows)}] {row.id}: skipped ({row.skipped})")
            continue
        if row.baseline and next(r for r in rows if r.id == row.baseline).skipped:
            row.skipped = f"its baseline {row.baseline} was skipped"
            continue
        step = expand(row.step, work)
        for run in range(row.runs):
            try:
                result = run_step(work, step)
            except RuntimeError as exc:
                row.error = str(exc)
                log(f"[{number}/{len(rows)}] {row.id}: FAILED {exc}")
                break
            row.results.append(result)
            log(f"[{number}/{len(rows)}] {row.id} run {run + 1}/{row.runs}: {result['wall_s']:.3f} s, "
                f"{result['peak_rss_mib']:.0f} MiB")


def lake_rows(work: Work) -> int | None:
    """Rows in the lake's usage table (the rows pricing, the report and the queries go through)."""
    manifest_path = work.home("lake") / "state" / "manifest.json"
    if not manifest_path.exists():
        return None
    files = [str(work.home("lake") / p) for p in json.loads(manifest_path.read_text())["tables"]["usage"]]
    return duckdb.connect().execute("SELECT count(*) FROM read_parquet($f)", {"f": files}).fetchone()[0]


# --- the table ------------------------------------------------------------------------------------------------

def machine_facts() -> dict:
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    ram = re.search(r"MemTotal:\s+(\d+) kB", meminfo)
    cpu = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        commit = ""
    from pipeline import __version__

    return {
        "cores": os.cpu_count(),
        "cpu": cpu.group(1).strip() if cpu else platform.processor(),
        "ram_gib": round(int(ram.group(1)) / 1024**2, 1) if ram else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "spendlog": __version__,
        "commit": commit,
        "load_average": [round(x, 1) for x in os.getloadavg()],  # other work on the machine slows every step
        "at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def row_figures(row: Row, rows_by_id: dict, samples: dict, lake_count: int | None) -> dict:
    figures = {"id": row.id, "label": row.label, "runs": len(row.results), "wall_s": row.wall,
               "runs_s": [r["wall_s"] for r in row.results], "process_s": [r["process_s"] for r in row.results],
               "peak_rss_mib": row.peak_rss, "baseline": row.baseline, "ratio": None, "mb_s": None,
               "lines_s": None, "note": "", "info": row.info, "error": row.error, "skipped": row.skipped}
    if row.wall:
        if row.rate and row.rate.startswith("sample:"):
            sample = samples[row.rate.split(":", 1)[1]]
            figures["mb_s"] = sample["bytes"] / 1e6 / row.wall
            figures["lines_s"] = sample["lines"] / row.wall
        elif row.rate == "lake" and lake_count:
            figures["lines_s"] = lake_count / row.wall
        base = rows_by_id.get(row.baseline)
        if base and base.wall:
            figures["ratio"] = row.wall / base.wall
        try:
            figures["note"] = row.note(row.info)
        except (KeyError, TypeError):
            figures["note"] = ""
    elif row.error:
        figures["note"] = f"FAILED: {row.error}"
    elif row.skipped:
        figures["note"] = f"skipped: {row.skipped}"
    return figures


def number(value, digits: int = 1) -> str:
    if value is None:
        return ""
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def table(machine: dict, run_facts: dict, samples: dict, figures: list[dict]) -> str:
    header = ["step", "wall s", "MB/s", "lines/s", "× base", "base", "peak RSS MiB", "what (and what it did)"]
    body = [[f["id"], number(f["wall_s"], 3), number(f["mb_s"]), number(f["lines_s"], 0), number(f["ratio"], 2),
             f["baseline"] or "", number(f["peak_rss_mib"], 0), f["label"] + (f": {f['note']}" if f["note"] else "")]
            for f in figures]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *body)]
    right = {1, 2, 3, 4, 6}

    def line(cells):
        return "  ".join((c.rjust(w) if i in right else c.ljust(w)) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    sample_text = "; ".join(f"{name} {s['lines']:,} lines, {s['bytes'] / 1e6:,.0f} MB in {s['files']:,} files"
                            for name, s in samples.items())
    lines = [
        f"spendlog {machine['spendlog']} scale benchmark, {machine['at']}, commit {machine['commit'] or '?'}",
        f"machine: {machine['cores']} cores ({machine['cpu']}), {machine['ram_gib']} GiB RAM, {machine['os']}; "
        f"Python {machine['python']}, DuckDB {machine['duckdb']}; load average at start "
        f"{' '.join(map(str, machine['load_average']))}, at end {' '.join(map(str, run_facts['load_average_end']))}",
        f"sizes: --lines {run_facts['lines']:,} (article scale {run_facts['article_scale']}, {run_facts['days']} days; "
        f"Claude Code scale {run_facts['claude_code_scale']}); lake {run_facts['lake_rows'] or 0:,} rows; "
        f"wall = median of {run_facts['repeat']} runs (single-run rows: nightly.first, sim.first, sim.rest)",
        f"samples: {sample_text}",
        "lines/s: input lines (ingest, duckdb reads) or lake rows (pricing, report, queries); "
        "× base: wall over the base row's, same run",
        "",
        line(header),
        line(["-" * w for w in widths]),
    ]
    lines += [line(cells) for cells in body]
    return "\n".join(lines)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000, help="about this many lines per sample")
    parser.add_argument("--tiny", action="store_true",
                        help="a smoke run: 3,000 lines, 1 day of app logs, --repeat 1, --nightlies 3, small files")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step (the table shows the median)")
    parser.add_argument("--nightlies", type=int, default=365, help="simulated nights (0: none)")
    parser.add_argument("--days", type=int, default=30, help="keep the last DAYS of the 30 days of app logs (fewer reports)")
    parser.add_argument("--dedupe-rows", type=int, default=100_000, help="rows of the dedupe step's file")
    parser.add_argument("--new-file-kb", type=int, default=1024, help="the new file of the nightly step")
    parser.add_argument("--sim-file-kb", type=int, default=64, help="the new file of each simulated night")
    parser.add_argument("--formats", type=lambda text: tuple(text.split(",")), default=FORMATS,
                        help=f"the samples to make and ingest, of {','.join(FORMATS)} (article always: it is the lake)")
    parser.add_argument("--workdir", type=Path, help="default: benchmarks/.work/lines-N (samples are reused)")
    parser.add_argument("--json", type=Path, help="default: beside the work dir, <workdir>.json")
    args = parser.parse_args()
    if args.tiny:
        args.lines, args.days, args.repeat = 3_000, 1, 1
        args.nightlies, args.dedupe_rows, args.new_file_kb, args.sim_file_kb = 3, 1_000, 64, 16
    if "article" not in args.formats or not set(args.formats) <= set(FORMATS):
        parser.error(f"--formats: article and any of {', '.join(FORMATS[1:])}")
    if not 1 <= args.days <= 30:
        parser.error("--days must be 1 to 30")
    args.dedupe_rows = min(args.dedupe_rows, max(args.lines, 1_000))

    work = Work((args.workdir or BENCH / ".work" / ("tiny" if args.tiny else f"lines-{args.lines}")).resolve())
    json_path = args.json or work.root.with_name(work.root.name + ".json")
    work.root.mkdir(parents=True, exist_ok=True)
    machine = machine_facts()
    wanted = sizes(args.lines, args.days, args.dedupe_rows)
    stamp = prepare(work, wanted, log, args.formats)
    samples = stamp["samples"]
    clear_new_files(work)
    shutil.rmtree(work.homes, ignore_errors=True)
    shutil.rmtree(work.tmp, ignore_errors=True)
    work.tmp.mkdir(parents=True)

    rows = plan(work, args)
    started = time.perf_counter()
    run_rows(work, rows)
    clear_new_files(work)
    count = lake_rows(work)
    by_id = {row.id: row for row in rows}
    figures = [row_figures(row, by_id, samples, count) for row in rows]
    run_facts = {**wanted, "repeat": args.repeat, "nightlies": args.nightlies, "new_file_kb": args.new_file_kb,
                 "sim_file_kb": args.sim_file_kb, "lake_rows": count, "total_s": time.perf_counter() - started,
                 "load_average_end": [round(x, 1) for x in os.getloadavg()]}
    print(table(machine, run_facts, samples, figures))
    json_path.write_text(json.dumps({"machine": machine, "run": run_facts, "samples": samples, "workdir": str(work.root),
                                     "steps": figures}, indent=1, default=str))
    log(f"wrote {json_path} ({run_facts['total_s']:.0f} s of steps)")
    return 1 if any(row.error for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
