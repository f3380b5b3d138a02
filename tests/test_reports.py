import csv
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import duckdb
import jinja2
import pytest

from conftest import app_record, write_jsonl
from pipeline import sql_text
from pipeline.pricing import load_catalog
from pipeline.reports import (
    KINDS, SECTIONS, checked_period, load_macros, markdown_escape, render_index, render_report, run_section,
    template_environment,
)

HOSTILE_APP = '<script>alert("x")</script> | *evil_app*'
META = {"catalog_version": "2026-03-01", "timezone": "UTC", "generated_at": "2026-03-08T06:00:00Z"}

PRICED_COLUMNS = """
    canonical_model varchar, price_id varchar, price_tier varchar, price_flags varchar[],
    input_cost_usd decimal(38, 12), cache_write_cost_usd decimal(38, 12), cache_read_cost_usd decimal(38, 12),
    output_cost_usd decimal(38, 12), tool_cost_usd decimal(38, 12), cost_usd decimal(38, 12),
    cost_without_cache_usd decimal(38, 12), cost_without_batch_usd decimal(38, 12),
    catalogue_cost_usd decimal(38, 12), cost_basis varchar,
    app varchar, day date, month date, in_totals boolean, source_name varchar, source_role varchar,
    source_billing varchar
"""


def usage_row(ts, app, model, cost, output_cost=None, *, canonical=True, grain="request", billable=True,
              batch=False, request_count=None, input_tokens=0, cache_read=0, output_tokens=0,
              without_cache=None, without_batch=None, in_totals=True, flags=(), source="app-logs",
              source_file="/logs/a.jsonl", provider="anthropic", role="primary", billing="api",
              reported_cost=None, day=None, http_status="auto", error_type=None, latency_ms=None, api_key=None,
              basis="catalogue", catalogue_cost=None):
    cost = None if cost is None else Decimal(cost)
    output_cost = Decimal(output_cost or 0)
    day = day or ts.date()
    return {
        "request_id": f"req-{ts:%d%H%M}-{app[:3]}", "ts": ts, "provider": provider, "billed_by": provider,
        "model": model, "app_raw": app, "input_tokens": input_tokens, "cache_write_5m_tokens": 0,
        "cache_write_1h_tokens": 0, "cache_read_tokens": cache_read, "output_tokens": output_tokens,
        "batch": batch, "billable": billable, "usage_missing": False, "grain": grain,
        "request_count": request_count, "http_status": (200 if billable else 429) if http_status == "auto" else http_status,
        "error_type": error_type, "latency_ms": latency_ms, "api_key": api_key,
        "source_format": "app_log", "source_file": source_file, "source_line": 1,
        "canonical_model": model if canonical else None, "price_flags": list(flags),
        "input_cost_usd": None if cost is None else cost - output_cost,
        "output_cost_usd": None if cost is None else output_cost,
        "cost_usd": cost,
        "cost_without_cache_usd": Decimal(without_cache) if without_cache else cost,
        "cost_without_batch_usd": Decimal(without_batch) if without_batch else cost,
        "cost_basis": None if cost is None else basis,
        "catalogue_cost_usd": cost if basis == "catalogue" else None if catalogue_cost is None else Decimal(catalogue_cost),
        "app": app, "day": day, "month": day.replace(day=1), "in_totals": in_totals, "source_name": source,
        "source_role": role, "source_billing": billing,
        "reported_cost_usd": None if reported_cost is None else Decimal(reported_cost),
    }


def at(day, hour=12):
    return datetime(2026, *day, hour, tzinfo=timezone.utc)


ROWS = [
    # Sun 1 Feb: $4.00
    usage_row(at((2, 1)), "content-assistant", "claude-sonnet-4-6", "3.00", "2.00", input_tokens=1000, output_tokens=500),
    usage_row(at((2, 1)), "code-review-bot", "claude-haiku-4-5", "1.00", "0.30", input_tokens=2000, cache_read=8000,
              output_tokens=100, without_cache="2.60"),
    # Mon 2 Feb: no rows at all ($0)
    # Tue 3 Feb: $9.00
    usage_row(at((2, 3)), "content-assistant", "claude-opus-4-6", "8.00", "6.00", input_tokens=10000, output_tokens=2000),
    usage_row(at((2, 3)), "code-review-bot", "claude-haiku-4-5", "1.00", "0.75", batch=True, input_tokens=4000,
              output_tokens=1000, without_batch="2.00"),
    usage_row(at((2, 3), 13), "code-review-bot", "claude-haiku-4-5", "0", billable=False),
    # Wed 4 Feb: $0.504 (plus an unpriced row and a row outside the totals)
    usage_row(at((2, 4)), HOSTILE_APP, "gpt-4o-mini", "0.004", "0.003", provider="openai", input_tokens=100,
              output_tokens=10),
    usage_row(at((2, 4)), "content-assistant", "mystery-model", None, canonical=False, flags=["no_price"],
              input_tokens=50, output_tokens=5),
    usage_row(at((2, 4), 0), "code-review-bot", "gpt-4o-mini", "0.50", "0.30", provider="openai", grain="bucket",
              request_count=7, input_tokens=700, output_tokens=70, source="console-export",
              source_file="/exports/openai.csv"),
    usage_row(at((2, 4)), "content-assistant", "claude-sonnet-4-6", "100.00", "50.00", in_totals=False,
              source="gateway-mirror", source_file="/logs/gateway.jsonl"),
    # outside the periods under test: January (previous month) and March
    usage_row(at((1, 15)), "content-assistant", "claude-sonnet-4-6", "2.00", "1.00", source_file="/logs/old.jsonl"),
    usage_row(at((3, 1)), "content-assistant", "claude-opus-4-6", "50.00", "40.00", source_file="/logs/march.jsonl"),
]

# April 2026: subscription usage, and usage exports (bucket rows) next to request logs. in_totals is set by hand
# the way sql/model/attribution.sql sets it (DESIGN.md §2).
SUBSCRIPTION = {"source": "claude-code-max", "source_file": "/home/alice/.claude/projects/a.jsonl",
                "billing": "subscription", "in_totals": False}
ADMIN_EXPORT = {"grain": "bucket", "source": "admin-usage", "source_file": "/exports/anthropic_usage.json"}
OPENAI_EXPORT = {"grain": "bucket", "provider": "openai", "source": "openai-usage", "source_file": "/exports/openai.json"}
MIRROR_EXPORT = {"grain": "bucket", "source": "gateway-usage", "source_file": "/exports/gateway.json",
                 "role": "mirror", "in_totals": False}
APRIL_ROWS = [
    # Mon 6 Apr: $3.00 of API spend; two Claude Code requests on a subscription, $19.75 at API prices, not spend
    usage_row(at((4, 6)), "content-assistant", "claude-sonnet-4-6", "3.00", "1.00", input_tokens=100, output_tokens=50),
    usage_row(at((4, 6), 9), "claude-code", "claude-sonnet-4-5", "7.25", "2.00", input_tokens=1000, cache_read=9000,
              output_tokens=500, **SUBSCRIPTION),
    usage_row(at((4, 6), 10), "claude-code", "claude-opus-4-6", "12.50", "4.00", input_tokens=2000, cache_read=18000,
              output_tokens=800, **SUBSCRIPTION),
    # Tue 7 Apr, Anthropic: logs $100 + $14 = $114; the usage export $80 + $40 = $120 (out of the totals);
    # a mirror's export of $50 never counts
    usage_row(at((4, 7)), "content-assistant", "claude-sonnet-4-6", "100.00", "60.00"),
    usage_row(at((4, 7), 13), "code-review-bot", "claude-haiku-4-5", "14.00", "4.00"),
    usage_row(at((4, 7), 0), "unattributed", "claude-sonnet-4-6", "80.00", request_count=40, in_totals=False,
              **ADMIN_EXPORT),
    usage_row(at((4, 7), 0), "unattributed", "claude-haiku-4-5", "40.00", request_count=60, in_totals=False,
              **ADMIN_EXPORT),
    usage_row(at((4, 7), 0), "unattributed", "claude-sonnet-4-6", "50.00", request_count=25, **MIRROR_EXPORT),
    # Tue 7 Apr, OpenAI: logs $12 exceed the usage export's $10
    usage_row(at((4, 7), 14), "content-assistant", "gpt-4o-mini", "12.00", "8.00", provider="openai"),
    usage_row(at((4, 7), 0), "unattributed", "gpt-4o-mini", "10.00", request_count=90, in_totals=False,
              **OPENAI_EXPORT),
    # Wed 8 Apr: only the Anthropic export ($30): in the totals, no overlap
    usage_row(at((4, 8), 0), "unattributed", "claude-sonnet-4-6", "30.00", request_count=15, **ADMIN_EXPORT),
    # Thu 9 Apr: logs $10 and only a mirror's export ($20): no overlap
    usage_row(at((4, 9)), "content-assistant", "claude-sonnet-4-6", "10.00", "5.00"),
    usage_row(at((4, 9), 0), "unattributed", "claude-sonnet-4-6", "20.00", request_count=9, **MIRROR_EXPORT),
    # Fri 10 Apr, OpenAI: logs $8.40; a money-only cost export (priced $0) states $9.00
    usage_row(at((4, 10)), "content-assistant", "gpt-4o-mini", "8.40", "6.00", provider="openai"),
    usage_row(at((4, 10), 0), "unattributed", "gpt-4o-mini", "0", reported_cost="9.00", in_totals=False,
              **OPENAI_EXPORT),
    # UTC Tue 14 Apr seen from New York (the day column as sql/model/attribution.sql sets it for that timezone): the export's
    # bucket starts at 20:00 on Mon 13 Apr local, like the request logged at 22:00; the $15 one is on the 14th
    usage_row(at((4, 14), 0), "unattributed", "claude-sonnet-4-6", "20.00", request_count=10, in_totals=False,
              day=date(2026, 4, 13), **ADMIN_EXPORT),
    usage_row(at((4, 14), 2), "content-assistant", "claude-sonnet-4-6", "1.00", "0.50", day=date(2026, 4, 13)),
    usage_row(at((4, 14), 14), "content-assistant", "claude-sonnet-4-6", "15.00", "5.00"),
    # Wed 15 Apr: logs $5; a subscription source's usage buckets ($25 at API prices) are API-equivalent, no export
    usage_row(at((4, 15)), "content-assistant", "claude-sonnet-4-6", "5.00", "2.00"),
    usage_row(at((4, 15), 0), "claude-code", "claude-sonnet-4-6", "25.00", request_count=30, grain="bucket",
              **SUBSCRIPTION),
]

REJECTS = [
    ("/logs/a.jsonl", 7, "app_log", "invalid_json", "unexpected end", "{", "x", 1),
    ("/logs/a.jsonl", 9, "app_log", "missing_usage", "no usage object", "{}", "y", 2),
    ("/logs/elsewhere.jsonl", 3, "app_log", "invalid_json", "bad", "{", "z", 1),
]


def views_of(rows):
    """A connection whose views priced_usage, spend, rejects and ingested_files hold rows (usage_row dicts), with
    the catalogue and its pricing macros."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    load_catalog(con)  # the drivers, what-if and findings sections price rows again
    con.execute(sql_text("schema/usage.sql"))
    con.execute(sql_text("schema/rejects.sql"))
    con.execute(f"create table priced_columns ({PRICED_COLUMNS})")
    con.execute("create table priced_usage_t as select * from usage_schema, priced_columns where false")
    columns = list(rows[0])
    con.executemany(
        f"insert into priced_usage_t ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
        [[row[c] for c in columns] for row in rows],
    )
    con.execute("create table rejects_t as select * from rejects_schema")
    con.executemany(
        "insert into rejects_t values (?, ?, ?, ?, ?, ?, ?, ?, timestamptz '2026-03-01 02:00:00+00')", REJECTS)
    con.execute("""
        create table ingested_files_t as select * from (values
            ('/logs/a.jsonl', 100, 1, 'h1', 'app_log', 1, timestamptz '2026-03-05 03:00:00+00', 9, 6, 0, 0, 2, 1),
            ('/exports/openai.csv', 50, 1, 'h2', 'openai_usage_csv', 1, timestamptz '2026-03-05 03:00:00+00',
             1, 1, 0, 0, 0, 0)
        ) as t (path, size, mtime_ns, sha256, format, normalizer_version, ingested_at, records_read, rows_loaded,
                rows_replaced, duplicates, rows_rejected, ignored)
    """)
    con.execute("create view priced_usage as select * from priced_usage_t")
    con.execute("create view spend as select * from priced_usage where in_totals")
    con.execute("create view rejects as select * from rejects_t")
    con.execute("create view ingested_files as select * from ingested_files_t")
    return con


@pytest.fixture
def con():
    return views_of(ROWS + APRIL_ROWS)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def section(con, name, start, end, **extra):
    load_macros(con)
    params = {"start": start, "end": end, "prev_start": date(2026, 1, 1), "prev_end": date(2026, 1, 31),
              "tz": "UTC", "today": None, **extra}
    return run_section(con, name, params).to_pylist()


def test_summary_numbers_worked_out_by_hand(con):
    [s] = section(con, "summary", date(2026, 2, 1), date(2026, 2, 4))
    assert s["days"] == 4
    assert s["total_cost_usd"] == Decimal("13.504")  # the $100 mirror row and March/January rows are out
    assert s["daily_average_usd"] == Decimal("3.376")  # 13.504 / 4, zero-spend Monday included
    assert (s["cheapest_day"], s["cheapest_weekday"], s["cheapest_cost_usd"]) == (date(2026, 2, 2), "Monday", 0)
    assert (s["dearest_day"], s["dearest_weekday"], s["dearest_cost_usd"]) == (date(2026, 2, 3), "Tuesday", 9)
    assert s["output_cost_usd"] == Decimal("9.353")
    assert s["output_share_pct"] == pytest.approx(9.353 / 13.504 * 100)
    assert s["output_share_fmt"] == "69.3%"
    assert (s["requests"], s["nonbillable_requests"], s["batch_requests"]) == (13, 1, 1)
    assert (s["unpriced_rows"], s["rejected_records"]) == (1, 2)
    assert (s["total_cost_fmt"], s["daily_average_fmt"]) == ("$13.50", "$3.38")
    assert (s["cheapest_cost_fmt"], s["dearest_cost_fmt"]) == ("$0.00", "$9.00")
    assert str(s["daily_average_usd"].as_tuple().exponent) == "-12"  # stays DECIMAL(38,12), no DOUBLE


def test_monthly_average_counts_every_calendar_day(con):
    [s] = section(con, "summary", date(2026, 2, 1), date(2026, 2, 28))
    assert s["days"] == 28
    assert s["total_cost_usd"] == Decimal("13.504")
    assert s["daily_average_usd"] == Decimal("0.482285714286")  # 13.504 / 28, half up at 12 places
    assert s["daily_average_fmt"] == "$0.48"
    assert s["cheapest_day"] == date(2026, 2, 2)
    assert (s["prev_total_cost_usd"], s["change_usd"], s["change_fmt"]) == (2, Decimal("11.504"), "+$11.50")


def test_by_app_model_rows_subtotals_and_total(con):
    rows = section(con, "by_app_model", date(2026, 2, 1), date(2026, 2, 4))
    table = [(r["row_kind"], r["app"], r["model"], r["requests"], r["cost_usd"]) for r in rows]
    assert table == [
        ("model", "content-assistant", "claude-opus-4-6", 1, Decimal("8")),
        ("model", "content-assistant", "claude-sonnet-4-6", 1, Decimal("3")),
        ("model", "content-assistant", "mystery-model", 1, None),
        ("app_total", "content-assistant", None, 3, Decimal("11")),
        ("model", "code-review-bot", "claude-haiku-4-5", 2, Decimal("2")),
        ("model", "code-review-bot", "gpt-4o-mini", 7, Decimal("0.5")),
        ("app_total", "code-review-bot", None, 9, Decimal("2.5")),
        ("model", HOSTILE_APP, "gpt-4o-mini", 1, Decimal("0.004")),
        ("app_total", HOSTILE_APP, None, 1, Decimal("0.004")),
        ("total", None, None, 13, Decimal("13.504")),
    ]
    haiku = rows[4]
    assert (haiku["input_tokens"], haiku["output_tokens"]) == (14000, 1100)
    assert haiku["cached_input_pct_fmt"] == "57.1%"  # 8,000 of 14,000
    assert haiku["cost_per_request_fmt"] == "$1.000000"
    assert rows[2]["cost_fmt"] == "unpriced"
    assert rows[3]["cost_fmt"] == "$11.00\u00a0†"
    assert (rows[7]["cost_fmt"], rows[7]["cost_per_request_fmt"]) == ("<$0.01", "$0.004000")
    assert rows[-1]["cost_fmt"] == "$13.50\u00a0†"
    assert rows[-1]["input_tokens_fmt"] == "25,850"


def test_daily_section_fills_zero_days(con):
    rows = section(con, "daily", date(2026, 2, 1), date(2026, 2, 4))
    assert [(r["day"], r["cost_usd"], r["cost_fmt"]) for r in rows] == [
        (date(2026, 2, 1), Decimal("4"), "$4.00"),
        (date(2026, 2, 2), Decimal("0"), "$0.00"),
        (date(2026, 2, 3), Decimal("9"), "$9.00"),
        (date(2026, 2, 4), Decimal("0.504"), "$0.50"),
    ]
    assert [r["is_cheapest"] for r in rows] == [False, True, False, False]
    assert [r["is_dearest"] for r in rows] == [False, False, True, False]
    assert rows[1]["day_fmt"] == "Mon 02 Feb"


def test_savings_by_app(con):
    rows = section(con, "savings", date(2026, 2, 1), date(2026, 2, 4))
    by_app = {r["app_label"]: r for r in rows}
    assert by_app["code-review-bot"]["cache_saved_usd"] == Decimal("1.6")
    assert by_app["code-review-bot"]["batch_saved_usd"] == Decimal("1")
    assert by_app["Total"]["cache_saved_usd"] == Decimal("1.6")
    assert by_app["Total"]["cost_usd"] == Decimal("13.504")
    assert by_app["code-review-bot"]["cache_saved_fmt"] == "$1.60"
    assert rows[-1]["row_kind"] == "total"


def test_data_quality_sections(con):
    unpriced = section(con, "data_quality_unpriced", date(2026, 2, 1), date(2026, 2, 28))
    assert [(r["model"], r["flags"], r["rows"], r["rows_in_totals"]) for r in unpriced] == [
        ("mystery-model", "no_price", 1, 1)]
    rejects = section(con, "data_quality_rejects", date(2026, 2, 1), date(2026, 2, 28))
    assert [(r["reason"], r["rejected"], r["rejected_all_time"]) for r in rejects] == [
        ("invalid_json", 1, 2), ("missing_usage", 1, 1)]
    sources = section(con, "data_quality_sources", date(2026, 2, 1), date(2026, 2, 28))
    by_name = {r["source_name"]: r for r in sources}
    assert by_name["app-logs"]["rows"] == 7
    assert by_name["app-logs"]["days_with_rows_fmt"] == "3 of 28"
    assert by_name["app-logs"]["rejected"] == 2
    assert by_name["gateway-mirror"]["rows_in_totals"] == 0
    assert by_name["console-export"]["first_ts_fmt"] == "2026-02-04 00:00"
    # complete through: the export's last day (02-04) was over when its file was read (03-05 03:00); app-logs'
    # last day, 04-15 (over all time, not the period), had not begun at its last read: the day before; the mirror's
    # file has no read on record: the day before its last day
    assert [(r["source_name"], r["complete_through"]) for r in sources if r["source_name"] in (
        "console-export", "app-logs", "gateway-mirror")] == [
        ("app-logs", date(2026, 4, 14)), ("console-export", date(2026, 2, 4)), ("gateway-mirror", date(2026, 2, 3))]


def test_render_period_writes_pages_and_raw_csvs(con, tmp_path):
    paths = render_report(con, "period", date(2026, 2, 1), date(2026, 2, 4), tmp_path, META)
    names = sorted(p.name for p in paths)
    assert "period-2026-02-01_2026-02-04.html" in names
    assert "period-2026-02-01_2026-02-04.md" in names
    assert "period-2026-02-01_2026-02-04.by_app_model.csv" in names
    assert all(p.exists() for p in paths)
    rows = read_csv(tmp_path / "period-2026-02-01_2026-02-04.by_app_model.csv")
    assert rows[-1]["row_kind"] == "total"
    assert rows[-1]["cost_usd"] == "13.504000000000"
    assert not any(name.endswith("_fmt") for name in rows[0])
    assert not any("$" in value for row in rows for value in row.values())
    assert rows[-3]["app"] == HOSTILE_APP  # CSV quoting keeps the raw name
    [summary] = read_csv(tmp_path / "period-2026-02-01_2026-02-04.summary.csv")
    assert summary["daily_average_usd"] == "3.376000000000"
    daily = read_csv(tmp_path / "period-2026-02-01_2026-02-04.daily.csv")
    assert [d["cost_usd"] for d in daily] == ["4.000000000000", "0.000000000000", "9.000000000000", "0.504000000000"]


def test_monthly_report_html_and_markdown(con, tmp_path):
    paths = render_report(con, "monthly", date(2026, 2, 1), date(2026, 2, 28), tmp_path, META)
    html = (tmp_path / "monthly-2026-02.html").read_text()
    md = (tmp_path / "monthly-2026-02.md").read_text()
    assert (tmp_path / "monthly-2026-02.by_app_model.csv") in paths
    for page in (html, md):
        assert "Monthly spend report — February 2026" in page
        assert "2026-02-01 – 2026-02-28" in page
        assert "$13.50" in page and "$0.48" in page and "69.3%" in page
        assert "Tuesday 2026-02-03" in page and "Monday 2026-02-02" in page
        assert "<$0.01" in page or "&lt;$0.01" in page
        assert "2026-03-01" in page and "2026-03-08T06:00:00Z" in page and "UTC" in page
        assert "mystery" in page and "invalid" in page
        assert "<script>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; | *evil_app*" in html
    assert "&lt;$0.01" in html
    assert r'\<script\>alert("x")\</script\> \| \*evil\_app\*' in md
    assert "<script" not in html.lower()
    assert "Unpriced rows: **1** · rejected records: **2**" in md
    assert "Unpriced rows: 1" in html and "Rejected records: 2" in html


def test_daily_report(con, tmp_path):
    paths = render_report(con, "daily", date(2026, 2, 4), date(2026, 2, 4), tmp_path, META)
    assert sorted(p.name for p in paths) == sorted([
        "daily-2026-02-04.html", "daily-2026-02-04.md",
        "daily-2026-02-04.summary.csv", "daily-2026-02-04.by_app_model.csv",
        "daily-2026-02-04.data_quality_unpriced.csv", "daily-2026-02-04.data_quality_rejects.csv",
        "daily-2026-02-04.data_quality_sources.csv", "daily-2026-02-04.costliest.csv", "daily-2026-02-04.trailing.csv",
    ])
    html = (tmp_path / "daily-2026-02-04.html").read_text()
    assert "Daily spend report — Wednesday 2026-02-04" in html
    assert "$0.50" in html and "&lt;$0.01" in html and "$0.004000" in html
    assert "Daily average" not in html
    [summary] = read_csv(tmp_path / "daily-2026-02-04.summary.csv")
    assert summary["total_cost_usd"] == "0.504000000000"


def test_wrong_periods_are_refused(con, tmp_path):
    with pytest.raises(ValueError):
        render_report(con, "monthly", date(2026, 2, 2), date(2026, 2, 28), tmp_path, META)
    with pytest.raises(ValueError):
        render_report(con, "daily", date(2026, 2, 1), date(2026, 2, 2), tmp_path, META)
    with pytest.raises(ValueError):
        render_report(con, "weekly", date(2026, 2, 1), date(2026, 2, 7), tmp_path, META)


def test_empty_period_renders(con, tmp_path):
    render_report(con, "monthly", date(2025, 6, 1), date(2025, 6, 30), tmp_path, META)
    html = (tmp_path / "monthly-2025-06.html").read_text()
    assert "No spend in this period." in html
    assert "$0.00" in html


def index_totals(html):
    """The total the index shows beside each report, by the report's HTML file."""
    shown = r'<a class="label" href="([^"]+)">[^<]*</a>\s*<span class="total[^"]*">([^<]*)</span>'
    return dict(re.findall(shown, html))


def test_render_index_lists_reports_newest_first(con, tmp_path):
    render_report(con, "daily", date(2026, 2, 3), date(2026, 2, 3), tmp_path, META)
    render_report(con, "daily", date(2026, 2, 4), date(2026, 2, 4), tmp_path, META)
    render_report(con, "monthly", date(2026, 2, 1), date(2026, 2, 28), tmp_path, META)
    render_report(con, "period", date(2026, 2, 1), date(2026, 2, 4), tmp_path, META)
    (tmp_path / "notes.html").write_text("not a report")
    index = render_index(con, tmp_path)
    assert index == tmp_path / "index.html"
    html = index.read_text()
    for name in ("monthly-2026-02.html", "period-2026-02-01_2026-02-04.html", "daily-2026-02-04.html",
                 "daily-2026-02-03.md", "monthly-2026-02.by_app_model.csv"):
        assert f'href="{name}"' in html
    assert "notes.html" not in html
    assert html.index("Monthly reports") < html.index("Period reports") < html.index("Daily reports")
    assert html.index("daily-2026-02-04.html") < html.index("daily-2026-02-03.html")


def test_the_index_shows_each_reports_total(con, tmp_path):
    for kind, start, end in [
        ("monthly", date(2026, 2, 1), date(2026, 2, 28)),
        ("period", date(2026, 2, 2), date(2026, 2, 3)),
        ("daily", date(2026, 2, 2), date(2026, 2, 2)),  # no rows at all
        ("daily", date(2026, 2, 4), date(2026, 2, 4)),
        ("daily", date(2026, 4, 6), date(2026, 4, 6)),
        ("monthly", date(2025, 6, 1), date(2025, 6, 30)),  # no rows at all
    ]:
        render_report(con, kind, start, end, tmp_path, META)
    html = render_index(con, tmp_path).read_text()
    assert index_totals(html) == {
        "monthly-2026-02.html": "$13.50",  # $4 + $9 + $0.504; the $100 mirror row is out of the totals
        "monthly-2025-06.html": "no data",
        "period-2026-02-02_2026-02-03.html": "$9.00",  # Monday's nothing and Tuesday's $9
        "daily-2026-02-02.html": "no data",
        "daily-2026-02-04.html": "$0.50",  # $0.004 + $0.50, the unpriced row adds nothing
        "daily-2026-04-06.html": "$3.00",  # the $19.75 on a subscription is not spend
    }
    assert '<span class="total none">no data</span>' in html
    assert "<script" not in html and "evil_app" not in html


def test_index_totals_are_the_summary_totals(con, tmp_path):
    periods = [("monthly", date(2026, 4, 1), date(2026, 4, 30)), ("daily", date(2026, 4, 7), date(2026, 4, 7)),
               ("period", date(2026, 1, 15), date(2026, 3, 1))]
    for kind, start, end in periods:
        render_report(con, kind, start, end, tmp_path, META)
    shown = index_totals(render_index(con, tmp_path).read_text())
    for kind, start, end in periods:
        [summary] = section(con, "summary", start, end)
        assert shown[checked_period(kind, start, end).stem + ".html"] == summary["total_cost_fmt"]


def test_reports_rendered_one_at_a_time_are_all_in_the_index(tmp_path, run, home):
    # claude-haiku-4-5: $1 / $5 per 1M input / output tokens; claude-sonnet-4-5: $3 / $15.
    write_jsonl(tmp_path / "logs" / "app.jsonl", [
        app_record("r1", "2026-02-10T10:00:00Z", "claude-haiku-4-5-20251001", 150_000, 30_000),   # $0.15 + $0.15
        app_record("r2", "2026-02-10T15:00:00Z", "claude-haiku-4-5-20251001", 100_000, 20_000),   # $0.10 + $0.10
        app_record("r3", "2026-02-11T09:00:00Z", "claude-sonnet-4-5-20250929", 100_000, 10_000),  # $0.30 + $0.15
    ])
    assert run("ingest", tmp_path / "logs").exit_code == 0
    index = home / "reports" / "index.html"
    assert run("report", "daily", "--date", "2026-02-10").exit_code == 0
    assert index_totals(index.read_text()) == {"daily-2026-02-10.html": "$0.50"}
    assert run("report", "monthly", "--month", "2026-02").exit_code == 0
    assert run("report", "daily", "--date", "2026-02-12").exit_code == 0
    assert index_totals(index.read_text()) == {
        "monthly-2026-02.html": "$0.95", "daily-2026-02-10.html": "$0.50", "daily-2026-02-12.html": "no data"}


def test_printed_pages_leave_out_the_links(con, tmp_path):
    render_report(con, "monthly", date(2026, 2, 1), date(2026, 2, 28), tmp_path, META)
    html = (tmp_path / "monthly-2026-02.html").read_text()
    nav = html[html.index("<nav>"):html.index("</nav>")]
    assert 'href="monthly-2026-02.summary.csv"' in nav
    assert nav.count("href=") == html.count("href=")  # every link of the page is in the nav, which print hides
    assert "@media print" in html and "nav { display: none; }" in html
    assert "the CSV files beside this page (monthly-2026-02.*.csv) hold the exact values" in html


def test_markdown_escape():
    assert markdown_escape("a|b*c_d`e[f]<g>") == r"a\|b\*c\_d\`e\[f\]\<g\>"
    assert markdown_escape("two\nlines") == "two lines"


def test_every_section_is_one_sql_file_and_two_partials():
    names = [s.name for s in SECTIONS]
    assert len(set(names)) == len(names)
    assert all(s.kinds and set(s.kinds) <= set(KINDS) for s in SECTIONS)
    assert all(sql_text(f"reports/{name}.sql").strip() for name in names)
    partials = {name for name in template_environment().list_templates() if name.startswith("sections/")}
    assert partials == {f"sections/{name}.{suffix}" for name in names for suffix in ("html", "md")}


def test_templates_are_strict():
    env = template_environment()
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("report.html").render(kind="monthly")
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()


def test_rendering_is_deterministic(con, tmp_path):
    first = render_report(con, "period", date(2026, 2, 1), date(2026, 2, 4), tmp_path / "a", META)
    second = render_report(con, "period", date(2026, 2, 1), date(2026, 2, 4), tmp_path / "b", META)
    assert [p.name for p in first] == [p.name for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second))


def test_change_against_previous_month_and_its_drivers(con):
    rows = section(con, "change", date(2026, 2, 1), date(2026, 2, 28))
    drivers = {(r["app"], r["model"]): (r["prev_cost_usd"], r["cost_usd"], r["driver"]) for r in rows}
    assert drivers[("content-assistant", "claude-sonnet-4-6")] == (Decimal("2"), Decimal("3"), "dearer requests")
    assert drivers[("content-assistant", "claude-opus-4-6")] == (Decimal("0"), Decimal("8"), "new this period")
    assert drivers[("content-assistant", "mystery-model")][2] == "unpriced"
    assert rows[0]["model"] == "claude-opus-4-6"  # largest change first
    assert (rows[-1]["row_kind"], rows[-1]["change_usd"], rows[-1]["change_fmt"]) == (
        "total", Decimal("11.504"), "+$11.50")


def test_source_times_are_shown_in_the_report_timezone(con):
    sources = section(con, "data_quality_sources", date(2026, 2, 1), date(2026, 2, 28), tz="America/New_York")
    by_name = {r["source_name"]: r for r in sources}
    assert by_name["console-export"]["first_ts_fmt"] == "2026-02-03 19:00"


def test_subscription_usage_is_api_equivalent_and_not_spend(con):
    day = date(2026, 4, 6)
    rows = section(con, "api_equivalent", day, day)
    assert [(r["row_kind"], r["app"], r["model"], r["requests"], r["input_tokens"], r["output_tokens"],
             r["api_equivalent_cost_usd"]) for r in rows] == [
        ("model", "claude-code", "claude-opus-4-6", 1, 20000, 800, Decimal("12.50")),
        ("model", "claude-code", "claude-sonnet-4-5", 1, 10000, 500, Decimal("7.25")),
        ("total", None, None, 2, 30000, 1300, Decimal("19.75")),
    ]
    assert [r["api_equivalent_cost_fmt"] for r in rows] == ["$12.50", "$7.25", "$19.75"]
    assert rows[0]["cached_input_pct_fmt"] == "90.0%"  # 18,000 of 20,000
    [s] = section(con, "summary", day, day)
    assert s["total_cost_usd"] == Decimal("3")  # the $19.75 is not spend
    assert [r["app"] for r in section(con, "by_app_model", day, day)] == ["content-assistant", "content-assistant", None]


def test_spend_not_covered_by_logs_per_provider_and_overall(con):
    start, end = date(2026, 4, 7), date(2026, 4, 8)
    rows = section(con, "log_coverage", start, end)
    assert [(r["row_kind"], r["provider"], r["bucket_cost_usd"], r["request_cost_usd"], r["not_covered_usd"],
             r["gap_kind"]) for r in rows] == [
        # $80 + $40 of export against $100 + $14 of logs; the mirror's $50 and Wednesday's $30 are not in it
        ("provider", "anthropic", Decimal("120"), Decimal("114"), Decimal("6"), "not_covered"),
        ("provider", "openai", Decimal("10"), Decimal("12"), Decimal("-2"), "logs_exceed"),
        ("total", None, Decimal("130"), Decimal("126"), Decimal("4"), "not_covered"),
    ]
    assert [r["coverage_pct"] for r in rows] == pytest.approx([95.0, 120.0, 126 / 130 * 100])
    assert [r["coverage_pct_fmt"] for r in rows] == ["95.0%", "120.0%", "96.9%"]
    assert [(r["provider_label"], r["bucket_cost_fmt"], r["request_cost_fmt"], r["gap_fmt"]) for r in rows] == [
        ("Anthropic", "$120.00", "$114.00", "$6.00"),
        ("OpenAI", "$10.00", "$12.00", "$2.00"),
        ("All providers", "$130.00", "$126.00", "$4.00"),
    ]
    assert rows[1]["not_covered_fmt"] == "-$2.00"
    assert (rows[-1]["providers"], rows[-1]["utc_days"], rows[-1]["utc_days_fmt"]) == (2, 1, "on 1 UTC day (2026-04-07)")
    [s] = section(con, "summary", start, end)
    assert s["total_cost_usd"] == Decimal("156")  # logs $114 + $12, and Wednesday's export-only $30


def test_an_export_only_day_counts_in_totals_and_is_no_overlap(con):
    day = date(2026, 4, 8)
    assert section(con, "log_coverage", day, day) == []
    [s] = section(con, "summary", day, day)
    assert s["total_cost_usd"] == Decimal("30")


def test_a_mirror_export_never_counts(con):
    day = date(2026, 4, 9)  # logs $10 and a mirror's export of $20 only
    assert section(con, "log_coverage", day, day) == []
    [s] = section(con, "summary", day, day)
    assert s["total_cost_usd"] == Decimal("10")


def test_a_subscription_sources_buckets_are_api_equivalent_not_an_export(con):
    day = date(2026, 4, 15)
    assert section(con, "log_coverage", day, day) == []
    [bucket, total] = section(con, "api_equivalent", day, day)
    assert (bucket["app"], bucket["requests"], bucket["api_equivalent_cost_usd"]) == ("claude-code", 30, Decimal("25"))
    [s] = section(con, "summary", day, day)
    assert s["total_cost_usd"] == Decimal("5")


def test_a_money_only_export_counts_at_its_stated_cost(con):
    day = date(2026, 4, 10)
    [openai, total] = section(con, "log_coverage", day, day)
    assert (openai["bucket_cost_usd"], openai["request_cost_usd"], openai["not_covered_usd"]) == (
        Decimal("9"), Decimal("8.4"), Decimal("0.6"))
    assert (openai["coverage_pct_fmt"], openai["reported_cost_days"]) == ("93.3%", 1)
    assert total["providers"] == 1


def test_coverage_compares_whole_utc_days_in_the_report_of_the_day_that_holds_their_start(con):
    new_york = {"tz": "America/New_York"}
    [anthropic, _] = section(con, "log_coverage", date(2026, 4, 13), date(2026, 4, 13), **new_york)
    # all of UTC 14 Apr: export $20 against logs $1 + $15, though the $15 is in the report of the 14th
    assert (anthropic["bucket_cost_usd"], anthropic["request_cost_usd"], anthropic["not_covered_usd"]) == (
        Decimal("20"), Decimal("16"), Decimal("4"))
    assert anthropic["utc_days_fmt"] == "on 1 UTC day (2026-04-14)"
    assert section(con, "log_coverage", date(2026, 4, 14), date(2026, 4, 14), **new_york) == []
    assert [r["provider"] for r in section(con, "log_coverage", date(2026, 4, 13), date(2026, 4, 14))] == [
        "anthropic", None]  # in UTC the 14th holds it


def test_coverage_and_api_equivalent_in_the_rendered_report(con, tmp_path):
    render_report(con, "period", date(2026, 4, 6), date(2026, 4, 10), tmp_path, META)
    stem = "period-2026-04-06_2026-04-10"
    md = (tmp_path / f"{stem}.md").read_text()
    html = (tmp_path / f"{stem}.html").read_text()
    anthropic = ("Anthropic: the usage export says $120.00, the logs cover $114.00 (95.0%); "
                 "{b}$6.00{e} is spend not covered by logs.")
    openai = "OpenAI: the usage export says $19.00, the logs cover $20.40 (107.4%); the logs exceed the export by {b}$1.40{e}."
    overall = "the usage exports say $139.00, the logs cover $134.40 (96.7%); {b}$4.60{e} is spend not covered by logs."
    for line in (anthropic, openai, overall):
        assert line.format(b="**", e="**") in md
        assert line.format(b="<strong>", e="</strong>") in html
    assert "Money-only exports count at the cost they state." in md
    assert "Logs above the export mean the export is incomplete" in md  # OpenAI, though not overall
    for page in (md, html):
        assert "API-equivalent (subscription, not spend)" in page
        assert "$19.75" in page
        assert "$177.40" in page  # total spend: 3 + 114 + 12 + 30 + 10 + 8.40
        assert page.index("Spend not covered by logs") < page.index("Spend by app and model") < page.index(
            "API-equivalent (subscription")
    assert f"`{stem}.log_coverage.csv`" in md and f"`{stem}.api_equivalent.csv`" in md
    coverage = read_csv(tmp_path / f"{stem}.log_coverage.csv")
    assert [(r["provider"], r["bucket_cost_usd"], r["request_cost_usd"], r["not_covered_usd"]) for r in coverage] == [
        ("anthropic", "120.000000000000", "114.000000000000", "6.000000000000"),
        ("openai", "19.000000000000", "20.400000000000", "-1.400000000000"),
        ("", "139.000000000000", "134.400000000000", "4.600000000000"),
    ]
    equivalent = read_csv(tmp_path / f"{stem}.api_equivalent.csv")
    assert equivalent[-1]["api_equivalent_cost_usd"] == "19.750000000000"
    assert not any(name.endswith("_fmt") for name in equivalent[0])


def test_sections_are_absent_when_there_is_nothing_to_show(con, tmp_path):
    stale = tmp_path / "monthly-2026-02.log_coverage.csv"
    stale.write_text("left over from an earlier render\n")
    paths = render_report(con, "monthly", date(2026, 2, 1), date(2026, 2, 28), tmp_path, META)
    assert section(con, "api_equivalent", date(2026, 2, 1), date(2026, 2, 28)) == []
    assert section(con, "log_coverage", date(2026, 2, 1), date(2026, 2, 28)) == []
    assert not stale.exists()
    assert not any("log_coverage" in p.name or "api_equivalent" in p.name for p in paths)
    for name in ("monthly-2026-02.md", "monthly-2026-02.html"):
        page = (tmp_path / name).read_text()
        assert "not covered by logs" not in page
        assert "API-equivalent" not in page
        assert "log_coverage" not in page and "api_equivalent" not in page


def june(day, hour=12):
    return datetime(2026, 6, day, hour, tzinfo=timezone.utc)


# One source with data from Wed 3 to Fri 5 Jun; Thu 4 Jun has no spend (a real $0 day). A mirror's row on Mon 1 Jun
# is not spend, so it covers nothing.
ONE_SOURCE = [
    usage_row(june(3), "bot", "claude-haiku-4-5", "2.00", "1.00", source="app-logs"),
    usage_row(june(5), "bot", "claude-haiku-4-5", "1.00", "0.50", source="app-logs"),
    usage_row(june(1), "bot", "claude-haiku-4-5", "5.00", source="gateway", role="mirror", in_totals=False),
]


def test_days_before_and_after_a_sources_data_are_no_data(tmp_path):
    con = views_of(ONE_SOURCE)
    start, end = date(2026, 6, 1), date(2026, 6, 7)
    [s] = section(con, "summary", start, end)
    assert (s["days"], s["covered_days"], s["no_data_days"]) == (7, 3, 4)
    assert s["total_cost_usd"] == Decimal("3")
    assert s["daily_average_usd"] == Decimal("1")  # $3 over Wed–Fri, Thursday's $0 included
    assert (s["cheapest_day"], s["cheapest_cost_usd"]) == (date(2026, 6, 4), 0)  # the $0 day inside the range
    assert (s["dearest_day"], s["dearest_cost_usd"]) == (date(2026, 6, 3), 2)
    assert s["coverage_fmt"] == "data from 2026-06-03 through 2026-06-05; 4 days without data"
    assert s["daily_average_basis_fmt"] == "over 3 days with data, zero days included"
    assert s["no_data_runs_fmt"] == "2026-06-01 – 2026-06-02, 2026-06-06 – 2026-06-07"
    daily = section(con, "daily", start, end)
    assert [(r["day"].day, r["has_data"], r["cost_usd"], r["cost_fmt"]) for r in daily] == [
        (1, False, None, "no data"), (2, False, None, "no data"), (3, True, Decimal("2"), "$2.00"),
        (4, True, Decimal("0"), "$0.00"), (5, True, Decimal("1"), "$1.00"), (6, False, None, "no data"),
        (7, False, None, "no data"),
    ]
    assert [r["day"].day for r in daily if r["is_cheapest"]] == [4]
    render_report(con, "period", start, end, tmp_path, META)
    md = (tmp_path / "period-2026-06-01_2026-06-07.md").read_text()
    assert ("| Daily average | $1.00 | over 3 days with data, zero days included; "
            "data from 2026-06-03 through 2026-06-05; 4 days without data |") in md
    assert "| Cheapest day | $0.00 | Thursday 2026-06-04 |" in md
    assert "| Mon 01 Jun | no data | — |  |" in md and "| Thu 04 Jun | $0.00 | 0 | cheapest |" in md
    assert "Days without data (before every source's first data or after its last): " \
           "2026-06-01 – 2026-06-02, 2026-06-06 – 2026-06-07." in md


def test_a_day_is_covered_when_any_source_covers_it():
    # app-logs covers Wed 3–Fri 5 Jun, the export only Sun 7 Jun: Mon 1, Tue 2 and Sat 6 Jun have no data
    con = views_of([*ONE_SOURCE, usage_row(june(7, 0), "bot", "claude-haiku-4-5", "0.30", grain="bucket",
                                           request_count=3, source="console-export")])
    [s] = section(con, "summary", date(2026, 6, 1), date(2026, 6, 7))
    assert (s["covered_days"], s["no_data_days"]) == (4, 3)
    assert s["daily_average_usd"] == Decimal("0.825")  # 3.30 / 4
    assert s["coverage_fmt"] == "data on 2026-06-03 – 2026-06-05, 2026-06-07; 3 days without data"
    [s] = section(con, "summary", date(2026, 6, 3), date(2026, 6, 5))
    assert (s["no_data_days"], s["coverage_fmt"], s["daily_average_basis_fmt"]) == (
        0, "every day has data", "over 3 calendar days, zero days included")
    [s] = section(con, "summary", date(2026, 6, 8), date(2026, 6, 9))
    assert (s["covered_days"], s["daily_average_fmt"], s["cheapest_day_fmt"], s["daily_average_basis_fmt"]) == (
        0, "—", "—", "no data in this period")


def may(day, hour, minute=0, second=0, ms=0):
    return datetime(2026, 5, day, hour, minute, second, ms * 1000, tzinfo=timezone.utc)


HAIKU = "claude-haiku-4-5"
ERRORS = [
    # Mon 4 May, bot: a 429 retried 1 s after it ended; a 529 whose next request came 2 minutes later; a 500 whose
    # next request used another API key
    usage_row(may(4, 10), "bot", HAIKU, "0", billable=False, http_status=429, error_type="rate_limit_error",
              latency_ms=500, api_key="k1"),
    usage_row(may(4, 10, 0, 1, 500), "bot", HAIKU, "0.01", api_key="k1", input_tokens=10),
    usage_row(may(4, 11), "bot", HAIKU, "0", billable=False, http_status=529, error_type="overloaded_error",
              latency_ms=300, api_key="k1"),
    usage_row(may(4, 11, 2), "bot", HAIKU, "0.02", api_key="k1", input_tokens=10),
    usage_row(may(4, 12), "bot", HAIKU, "0", billable=False, http_status=500, error_type="api_error", api_key="k1"),
    usage_row(may(4, 12, 0, 2), "bot", HAIKU, "0.03", api_key="k2", input_tokens=10),
    # Tue 5 May, bot: an error without a status, two failed batch items (no model)
    usage_row(may(5, 9), "bot", HAIKU, "0", billable=False, http_status=None, error_type="timeout"),
    usage_row(may(5, 9, 30), "bot", None, "0", canonical=False, billable=False, batch=True, http_status=None,
              error_type="expired"),
    usage_row(may(5, 9, 31), "bot", None, "0", canonical=False, billable=False, batch=True, http_status=None,
              error_type="overloaded_error"),
    # writer: a 429 just before midnight, retried on Wed 6 May (outside the period)
    usage_row(may(5, 23, 59, 59), "writer", HAIKU, "0", billable=False, http_status=429, latency_ms=100),
    usage_row(may(6, 0, 0, 1), "writer", HAIKU, "0.04", input_tokens=10),
    # a mirror's 429 is not spend
    usage_row(may(4, 13), "bot", HAIKU, "0", billable=False, http_status=429, source="gateway", role="mirror",
              in_totals=False),
]


def test_errors_by_app_and_day_with_retries():
    con = views_of(ERRORS)
    start, end = date(2026, 5, 4), date(2026, 5, 5)
    rows = section(con, "errors", start, end)
    assert [(r["row_kind"], r["app"], r["day"], r["errors"], r["rate_limited"], r["overloaded"], r["other_errors"],
             r["batch_failed"], r["retried"]) for r in rows] == [
        ("day", "bot", date(2026, 5, 4), 3, 1, 1, 1, 0, 1),
        ("day", "bot", date(2026, 5, 5), 3, 0, 0, 1, 2, 0),
        ("app_total", "bot", None, 6, 1, 1, 2, 2, 1),
        ("day", "writer", date(2026, 5, 5), 1, 1, 0, 0, 0, 1),
        ("app_total", "writer", None, 1, 1, 0, 0, 0, 1),
        ("total", None, None, 7, 2, 1, 2, 2, 2),
    ]
    assert [(r["other_errors_detail_fmt"], r["batch_failed_detail_fmt"]) for r in rows[:3]] == [
        ("HTTP 500 ×1", ""), ("timeout ×1", "expired ×1, overloaded_error ×1"),
        ("HTTP 500 ×1, timeout ×1", "expired ×1, overloaded_error ×1"),
    ]
    assert [(r["app_label"], r["day_label"], r["overloaded_fmt"]) for r in rows[2:]] == [
        ("bot", "all days", "1"), ("writer", "Tue 05 May", "—"), ("writer", "all days", "—"),
        ("Total", "all apps", "1")]
    # request rows in the period: bot 6 on the 4th (the mirror's is not spend) and 3 on the 5th, writer 1; the
    # worst day of a tie is the earlier; the total counts distinct days
    assert [(r["days_with_errors"], r["worst_day_fmt"], r["error_pct_fmt"]) for r in rows if r["row_kind"] != "day"] == [
        (2, "Mon 04 May (3)", "66.7%"), (1, "Tue 05 May (1)", "100.0%"), (2, "", "70.0%")]
    # not in the spend table: no "(no model)" line, and the totals are the billed requests
    table = section(con, "by_app_model", start, end)
    assert [(r["row_kind"], r["app"], r["model"], r["requests"], r["cost_usd"]) for r in table] == [
        ("model", "bot", HAIKU, 3, Decimal("0.06")), ("app_total", "bot", None, 3, Decimal("0.06")),
        ("total", None, None, 3, Decimal("0.06"))]
    [s] = section(con, "summary", start, end)
    assert (s["requests"], s["nonbillable_requests"], s["total_cost_usd"]) == (3, 7, Decimal("0.06"))
    assert section(con, "errors", date(2026, 5, 6), date(2026, 5, 6)) == []


def test_the_errors_section_in_the_rendered_report(tmp_path):
    con = views_of(ERRORS)
    paths = render_report(con, "daily", date(2026, 5, 5), date(2026, 5, 5), tmp_path, META)
    assert tmp_path / "daily-2026-05-05.errors.csv" in paths
    md = (tmp_path / "daily-2026-05-05.md").read_text()
    html = (tmp_path / "daily-2026-05-05.html").read_text()
    assert r"| bot | 3 | 100.0% | — | — | 1 (timeout ×1) | 2 (expired ×1, overloaded\_error ×1) | — |" in md
    assert "Days with errors" not in md  # a daily report: the day is the report's
    render_report(con, "period", date(2026, 5, 4), date(2026, 5, 5), tmp_path, META)
    md = (tmp_path / "period-2026-05-04_2026-05-05.md").read_text()
    assert "| bot | 6 | 66.7% | 1 | 1 | 2 (HTTP 500 ×1, timeout ×1) | 2 (expired ×1, overloaded\\_error ×1) | 1 | 2 | Mon 04 May (3) |" in md
    assert "Errors by app and day: `period-2026-05-04_2026-05-05.errors.csv`." in md
    assert "<h2>Errors (not billed)</h2>" in html
    assert html.index("Errors (not billed)") < html.index("Data quality")
    render_report(con, "daily", date(2026, 5, 6), date(2026, 5, 6), tmp_path, META)
    assert "Errors" not in (tmp_path / "daily-2026-05-06.md").read_text()
    assert not (tmp_path / "daily-2026-05-06.errors.csv").exists()
