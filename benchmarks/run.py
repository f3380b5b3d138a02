"""Benchmark: generate the article workload at a scale, ingest it, render the period report; print timings.

    python benchmarks/run.py --scale 20
"""
import argparse
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from pipeline.config import load_settings
from pipeline.ingest import ingest
from pipeline.reports import render_all
from pipeline.samples.article import generate


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
    config.write_text('[[sources]]\npath = "logs/batch/*.jsonl"\napp = "email-classifier"\n')
    settings = load_settings(str(config), str(home))

    started = time.perf_counter()
    summary = generate(logs, args.scale, 2026)
    generated = time.perf_counter()
    totals = ingest(settings, [str(logs)]).as_dict()
    ingested = time.perf_counter()
    again = ingest(settings, [str(logs)]).as_dict()
    skipped = time.perf_counter()
    render_all(settings, [("period", date(2026, 2, 5), date(2026, 3, 6))])
    reported = time.perf_counter()

    rows = totals["rows_loaded"]
    print(f"scale {args.scale}: {summary['rows']:,} lines in {totals['files']} files")
    print(f"generate   {generated - started:7.1f} s")
    print(f"ingest     {ingested - generated:7.1f} s  ({rows / (ingested - generated):,.0f} rows/s, priced in the same commit)")
    print(f"re-ingest  {skipped - ingested:7.1f} s  ({again['files_skipped']} files unchanged)")
    print(f"report     {reported - skipped:7.1f} s  (30-day period, HTML + Markdown + CSV)")


if __name__ == "__main__":
    main()
