"""Findings: each of the article's tips is shown when the data supports it and not otherwise (worked by hand)."""
import datetime as dt
from decimal import Decimal

from conftest import app_record, write_jsonl
from pipeline.config import load_settings
from pipeline.ingest import ingest
from pipeline.reports import load_macros, run_section
from pipeline.views import open_views

FEBRUARY = {"start": dt.date(2026, 2, 1), "end": dt.date(2026, 2, 28), "min_sample": 50, "min_saving_usd": 1.0}
HAIKU = "claude-haiku-4-5-20251001"  # $1 input, $1.25 5-minute cache write, $0.10 cache read, $5 output per 1M


def findings(tmp_path, records):
    write_jsonl(tmp_path / "logs.jsonl", records)
    settings = load_settings(None, str(tmp_path / "home"))
    ingest(settings, [str(tmp_path / "logs.jsonl")])
    con = open_views(settings)
    load_macros(con)
    try:
        return run_section(con, "findings", FEBRUARY).to_pylist()
    finally:
        con.close()


def cache_requests(writes: int, reads: int):
    return ([app_record(f"w{i}", ts=f"2026-02-10T10:{i:02d}:00Z", app="cacher", model=HAIKU, input_tokens=10,
                        output_tokens=10, cache_creation_input_tokens=100_000) for i in range(writes)]
            + [app_record(f"r{i}", ts=f"2026-02-11T10:{i:02d}:00Z", app="cacher", model=HAIKU, input_tokens=10,
                          output_tokens=10, cache_read_input_tokens=100_000) for i in range(reads)])


def test_a_cache_written_and_never_read_loses_money(tmp_path):
    # 40 writes of 100k tokens at $1.25 instead of $1.00 per 1M: 40 × -$0.025 = -$1.00 over February's 28 days,
    # $1.00 × 30 / 28 = $1.07 per 30 days.
    [row] = findings(tmp_path, cache_requests(40, 0))
    assert (row["finding"], row["app_label"], row["model_label"], row["monthly_saving_fmt"]) == (
        "caching loses money", "cacher", "all models", "$1.07")
    assert row["evidence"] == "4,000,000 cache tokens written, 0 read: cache return -$1.00 over the period"
    assert row["saving_usd"] == 1


def test_a_cache_that_is_read_pays_for_itself(tmp_path):
    # the same writes (-$1.00) and 20 reads of 100k tokens saving $0.09 each (+$1.80): return +$0.80, no finding
    assert findings(tmp_path / "a", cache_requests(40, 20)) == []


def output_requests(n: int):
    """n - 2 answers of 200 output tokens and 2 of 100,000."""
    return [app_record(f"o{i}", ts=f"2026-02-12T{i // 60:02d}:{i % 60:02d}:00Z", app="writer", model=HAIKU,
                       input_tokens=100, output_tokens=100_000 if i < 2 else 200) for i in range(n)]


def test_a_few_runaway_outputs_suggest_a_max_tokens(tmp_path):
    # 60 requests: p50 = p95 = 200 tokens, max 100,000 > 2 × p95; max_tokens 256 (200 rounded up to 256s) would cut
    # the 2 long ones: 2 × (100,000 − 256) × $5 / 1M = $0.99744 over the period, × 30 / 28 = $1.07 per 30 days.
    [row] = findings(tmp_path, output_requests(60))
    assert (row["finding"], row["app_label"], row["model_label"], row["monthly_saving_fmt"]) == (
        "output length", "writer", "claude-haiku-4-5", "$1.07")
    assert row["evidence"] == ("60 requests: output p50 200, p95 200, max 100,000 tokens; a max_tokens of 256 would "
                               "cut 2 of them short")
    assert row["saving_usd"] == Decimal("0.99744")


def test_too_few_requests_for_an_output_finding(tmp_path):
    assert findings(tmp_path, output_requests(49)) == []


def test_a_saving_under_the_threshold_is_not_shown(tmp_path):
    assert findings(tmp_path, cache_requests(30, 0)) == []  # -$0.75, $0.80 per 30 days < $1.00
