"""Benchmark: generate the article workload at a scale; DuckDB's own read of the files as the yardstick; ingest,
re-ingest, the period report, the warehouse, then two nightly runs on a fresh home; print timings.

    python benchmarks/run.py --scale 20
"""
import argparse
import datetime as dt
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

from pipeline.config import load_settings
from pipeline.ingest import ingest
from pipeline.nightly import run_nightly
from pipeline.reports import render_all
from pipeline.samples.article import generate
from pipeline.warehouse import refresh_warehouse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="spendlog-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    logs, home = work / "logs", work / "home"
    shutil.rmtree(home, ignore_errors=True)
    config = work / "spendlog.toml"
    config.write_text('[[sources]]\npath = "logs/batch/*.jsonl"\napp = "email-classifier"\n'
                      '[[sources]]\npath = "logs/apps/**/*.jsonl"\n')
    settings = load_settings(str(config), str(home))

    started = time.perf_counter()
    summary = generate(logs, args.scale, 2026)
    generated = time.perf_counter()
    duckdb.connect().execute(f"select count(*) from read_ndjson_objects('{logs}/**/*.jsonl')").fetchall()
    duckdb_read = time.perf_counter() - generated
    generated = time.perf_counter()
    totals = ingest(settings, [str(logs)]).as_dict()
    ingested = time.perf_counter()
    again = ingest(settings, [str(logs)]).as_dict()
    skipped = time.perf_counter()
    render_all(settings, [("period", date(2026, 2, 5), date(2026, 3, 6))])
    reported = time.perf_counter()
    refresh_warehouse(settings)
    warehoused = time.perf_counter()
    night_settings = load_settings(str(config), str(work / "night-home"))
    shutil.rmtree(night_settings.home, ignore_errors=True)
    first = run_nightly(night_settings, dt.date(2026, 3, 8))
    first_night = time.perf_counter()
    second = run_nightly(night_settings, dt.date(2026, 3, 8))
    second_night = time.perf_counter()

    rows = totals["rows_loaded"]
    print(f"scale {args.scale}: {summary['rows']:,} lines in {totals['files']} files")
    print(f"generate   {generated - started - duckdb_read:7.1f} s")
    print(f"duckdb     {duckdb_read:7.1f} s  (read_ndjson_objects over the same files: the yardstick)")
    print(f"ingest     {ingested - generated:7.1f} s  ({rows / (ingested - generated):,.0f} rows/s, priced in the same commit; "
          f"{(ingested - generated) / duckdb_read:.1f}× DuckDB's read)")
    print(f"re-ingest  {skipped - ingested:7.1f} s  ({again['files_skipped']} files unchanged)")
    print(f"report     {reported - skipped:7.1f} s  (30-day period, HTML + Markdown + CSV)")
    print(f"warehouse  {warehoused - reported:7.1f} s  (warehouse.duckdb built)")
    print(f"nightly    {first_night - warehoused:7.1f} s  (fresh home: ingest, {len(first.reports)} reports, warehouse; "
          f"exit {first.exit_code})")
    print(f"nightly    {second_night - first_night:7.1f} s  (again: {second.ingest['files_skipped']} files unchanged, "
          f"{len(second.reports)} reports; exit {second.exit_code})")


if __name__ == "__main__":
    main()
