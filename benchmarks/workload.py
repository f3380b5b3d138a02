"""The benchmark's inputs: the samples at a size, the configs that read them, and the small files steps add.

Layout of a work dir (every path the driver and the step runner share is named here):

    samples/article/apps/<app>/<day>.jsonl   app logs (pipeline.samples.article)
    samples/article/apps/bench-new/          new files a nightly step adds, removed again (under the apps glob)
    samples/article/batch/…                  the Message Batches results file and its side-car
    samples/claude-code/projects/…           a Claude Code tree (pipeline.samples.claude_code)
    samples/csv/openrouter_activity.csv      an OpenRouter generation-level CSV export (write_openrouter_csv)
    samples/dedupe.jsonl                     app-log rows with new request ids, in the lake's days
    samples.json                             what was generated, for reuse by the next run of the same size
    spendlog.toml, empty.toml                the configs (article sources; none)
    homes/<name>/                            data homes
    tmp/                                     baseline Parquet files, rendered reports
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from pathlib import Path

import duckdb

from pipeline.samples import article, claude_code

ROOT = Path(__file__).resolve().parents[1]
OPENROUTER_FIXTURE = ROOT / "tests" / "data" / "formats" / "openrouter_activity_generations.csv"

ARTICLE_LINES_PER_SCALE = 5_080  # app-log lines (requests and 429s) + batch lines at scale 1
CLAUDE_CODE_LINES_PER_SCALE = 7_614  # transcript lines at scale 1 (about 2,000 responses)
LAST_DAY = dt.date(2026, 3, 6)  # the article workload's last day with rows
FIRST_NIGHT = LAST_DAY + dt.timedelta(days=1)  # the first nightly's "today": every day of the workload is past


class Work:
    """The paths of one work dir."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.samples = self.root / "samples"
        self.article = self.samples / "article"
        self.apps = self.article / "apps"
        self.new_files = self.apps / "bench-new"
        self.batch = self.article / "batch" / article.BATCH_FILE
        self.claude_code = self.samples / "claude-code" / "projects"
        self.csv = self.samples / "csv" / "openrouter_activity.csv"
        self.dedupe = self.samples / "dedupe.jsonl"
        self.stamp = self.root / "samples.json"
        self.config = self.root / "spendlog.toml"
        self.empty_config = self.root / "empty.toml"
        self.homes = self.root / "homes"
        self.tmp = self.root / "tmp"

    def home(self, name: str) -> Path:
        return self.homes / name

    def app_log_files(self) -> list[Path]:
        return sorted(p for p in self.apps.glob("*/????-??-??.jsonl") if p.parent != self.new_files)


# --- sizes ----------------------------------------------------------------------------------------------------

def sizes(lines: int, days: int, dedupe_rows: int) -> dict:
    """The generator scales and row counts for about `lines` lines per sample."""
    return {
        "lines": lines,
        "days": days,
        "article_scale": max(1, round(lines / ARTICLE_LINES_PER_SCALE)),
        "claude_code_scale": max(1, round(lines / CLAUDE_CODE_LINES_PER_SCALE)),
        "csv_rows": lines,
        "dedupe_rows": dedupe_rows,
    }


def file_facts(paths: list[Path]) -> dict:
    """Files, bytes and lines (newlines) of some files."""
    total_bytes = total_lines = 0
    for path in paths:
        total_bytes += path.stat().st_size
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 22), b""):
                total_lines += block.count(b"\n")
    return {"files": len(paths), "bytes": total_bytes, "lines": total_lines}


# --- generating the samples -----------------------------------------------------------------------------------

FORMATS = ("article", "claude_code", "openrouter_csv")  # the samples ingested, in order; the lake is the article's


def prepare(work: Work, wanted: dict, log=print, formats=FORMATS) -> dict:
    """Generate the samples of `formats` for `wanted` (sizes()) that samples.json does not list at those sizes (the
    dedupe file with the article's), write the configs. Returns samples.json's content: the sizes, each sample's facts
    and how long it took to make."""
    stamp = json.loads(work.stamp.read_text()) if work.stamp.exists() else {}
    if stamp.get("sizes") != wanted:
        shutil.rmtree(work.samples, ignore_errors=True)
        stamp = {"sizes": wanted, "samples": {}}
    work.samples.mkdir(parents=True, exist_ok=True)
    made = stamp["samples"]
    for name in formats:
        if name in made:
            log(f"samples: reusing {name} in {work.samples}")
            continue
        started = time.perf_counter()
        if name == "article":
            log(f"samples: article workload at scale {wanted['article_scale']} …")
            shutil.rmtree(work.article, ignore_errors=True)
            article.generate(work.article, wanted["article_scale"], 2026)
            keep_last_days(work, wanted["days"])
            made["article"] = {**file_facts(work.app_log_files() + [work.batch]),
                               "generate_s": time.perf_counter() - started}
            started = time.perf_counter()
            write_dedupe_file(work, wanted["dedupe_rows"])
            made["dedupe"] = {**file_facts([work.dedupe]), "generate_s": time.perf_counter() - started}
        elif name == "claude_code":
            log(f"samples: Claude Code tree at scale {wanted['claude_code_scale']} …")
            shutil.rmtree(work.claude_code.parent, ignore_errors=True)
            claude_code.generate(work.claude_code.parent, wanted["claude_code_scale"], 2026)
            made["claude_code"] = {**file_facts(sorted(work.claude_code.rglob("*.jsonl"))),
                                   "generate_s": time.perf_counter() - started}
        else:
            log(f"samples: OpenRouter CSV of {wanted['csv_rows']:,} rows …")
            write_openrouter_csv(work.csv, wanted["csv_rows"])
            made["openrouter_csv"] = {**file_facts([work.csv]), "generate_s": time.perf_counter() - started}
        work.stamp.write_text(json.dumps(stamp, indent=1))
    _write_configs(work, wanted)
    touch_article(work)
    return stamp


def keep_last_days(work: Work, days: int) -> None:
    """Remove the app-log files of all but the last `days` days (the batch file stays): fewer days, fewer reports."""
    first_kept = LAST_DAY - dt.timedelta(days=days - 1)
    for path in work.app_log_files():
        if dt.date.fromisoformat(path.stem) < first_kept:
            path.unlink()


def touch_article(work: Work) -> None:
    """Give the app logs and the batch file a fresh mtime, so no source looks stale to a nightly run (reused
    samples may be days old); homes are rebuilt on every run, so no manifest sees the change."""
    for path in [*work.app_log_files(), work.batch]:
        os.utime(path)


def write_openrouter_csv(path: Path, rows: int) -> None:
    """An OpenRouter generation-level activity export of `rows` rows (format openrouter_activity_csv), made by
    DuckDB from the three rows of the test fixture: new generation ids, times spread over February 2026, token
    counts varied (and the cost scaled with them). One COPY, no Python loop."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute(f"""
        COPY (
            WITH fixture AS (
                SELECT row_number() OVER () - 1 AS k, *
                FROM read_csv('{OPENROUTER_FIXTURE}', all_varchar = true, header = true)
            ),
            numbered AS (
                SELECT i, f.*,
                       (i * 7919) % 4000 AS extra_prompt,
                       (i * 104729) % 900 AS extra_completion
                FROM range({rows}) t(i) JOIN fixture f ON f.k = i % 3
            )
            SELECT
                'gen-' || (1769904000 + i)::varchar || '-' || left(md5(i::varchar), 20) AS generation_id,
                strftime(timestamp '2026-02-01' + to_milliseconds(i * 2419200000 // {rows}),
                         '%Y-%m-%d %H:%M:%S.%g') AS created_at,
                round(cost_total::double * (tokens_prompt::bigint + extra_prompt) / greatest(tokens_prompt::bigint, 1), 7)
                    AS cost_total,
                cost_web_search, cost_cache, cost_file_processing, byok_usage_inference,
                tokens_prompt::bigint + extra_prompt AS tokens_prompt,
                CASE WHEN tokens_completion::bigint = 0 THEN 0 ELSE tokens_completion::bigint + extra_completion END
                    AS tokens_completion,
                tokens_reasoning, tokens_cached, model_permaslug, provider_name, variant, cancelled, streamed, "user",
                finish_reason_raw, finish_reason_normalized, generation_time_ms, time_to_first_token_ms,
                api_key_disabled, api_key_name, app_name
            FROM numbered
            ORDER BY i
        ) TO '{path}' (FORMAT csv, HEADER true)
    """)
    con.close()


# --- files with new request ids -------------------------------------------------------------------------------

def renamed_lines(lines: list[str], tag: str, day: dt.date | None = None, source_day: str | None = None) -> list[str]:
    """App-log lines with new request ids (the tag in their prefix), moved to another day when asked."""
    out = []
    for line in lines:
        line = line.replace('"req_011C', f'"req_{tag}')
        if day is not None:
            line = line.replace(f'"{source_day}T', f'"{day.isoformat()}T')
        out.append(line)
    return out


def write_dedupe_file(work: Work, rows: int) -> None:
    """`rows` app-log lines taken from the start of each app-log file in turn, with new request ids: rows the
    lake has not seen, in the days it holds (so they land in its months)."""
    files = work.app_log_files()
    taken: list[str] = []
    copy = 0
    while len(taken) < rows:
        for path in files:
            with open(path, encoding="utf-8") as handle:
                lines = [line for _, line in zip(range(max(1, rows // len(files) + 1)), handle)]
            taken += renamed_lines(lines, f"D{copy:03d}")
            if len(taken) >= rows:
                break
        copy += 1
    work.dedupe.write_text("".join(taken[:rows]), encoding="utf-8")


def write_new_day(work: Work, day: dt.date, target_bytes: int, tag: str) -> Path:
    """A new app-log file for `day` of about target_bytes: the last day's email-classifier lines, shifted to the
    day, with new request ids (copies of the slice if it is too short). Its mtime is the next day 00:30 UTC, as a
    log rotated at midnight would have."""
    source = work.apps / "email-classifier" / f"{LAST_DAY.isoformat()}.jsonl"
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    out, size, copy = [], 0, 0
    while size < target_bytes:
        for line in renamed_lines(lines, f"{tag}{copy:02d}", day, LAST_DAY.isoformat()):
            out.append(line)
            size += len(line)
            if size >= target_bytes:
                break
        copy += 1
    work.new_files.mkdir(parents=True, exist_ok=True)
    path = work.new_files / f"{day.isoformat()}.jsonl"
    path.write_text("".join(out), encoding="utf-8")
    rotated = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 30), dt.timezone.utc).timestamp()
    os.utime(path, (rotated, rotated))
    return path


def clear_new_files(work: Work) -> None:
    shutil.rmtree(work.new_files, ignore_errors=True)


# --- configs and homes ----------------------------------------------------------------------------------------

def _write_configs(work: Work, wanted: dict) -> None:
    """spendlog.toml: the article's sources (the demo's config) with its budgets at the sample's scale;
    empty.toml: no sources, for the formats read on their own."""
    scale = wanted["article_scale"]
    work.config.write_text(
        'timezone = "UTC"\n\n'
        "[[sources]]\n"
        f'path = "{work.batch.parent.relative_to(work.root)}/*.jsonl"\n'
        'app = "email-classifier"\n\n'
        "[[sources]]\n"
        f'path = "{work.apps.relative_to(work.root)}/**/*.jsonl"\n\n'
        "[budgets]\n"
        f"total = {60 * scale}\n"
        f'"email-classifier" = {20 * scale}\n',
        encoding="utf-8")
    work.empty_config.write_text('timezone = "UTC"\n', encoding="utf-8")


def fresh_home(home: Path, copy_from: Path | None = None) -> None:
    """Remove a home; then copy another into its place when asked."""
    shutil.rmtree(home, ignore_errors=True)
    if copy_from is not None:
        shutil.copytree(copy_from, home, symlinks=True)


def live_files(home: Path) -> dict:
    """How many Parquet files each lake table's manifest names (what every query reads)."""
    manifest = json.loads((home / "state" / "manifest.json").read_text())
    return {table: len(files) for table, files in manifest["tables"].items()}
