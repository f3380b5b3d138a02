"""The charts (pipeline/charts.py) and their data queries, worked by hand on a small crafted dataset: the daily chart
by app (sql/reports/daily_by_app.sql) against the daily table, the budget burn-down (sql/reports/budget_burndown.sql)
against the budgets section, the SVG as XML and byte for byte, and hostile app names in the page and the mail."""
import re
import struct
import xml.etree.ElementTree as ET
import zlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
import vl_convert

from pipeline import charts
from pipeline.monthly import _charts
from pipeline.reports import render_report
from test_reports import META, at, section, usage_row, views_of

SCRIPT = "<script>alert(1)</script>"
PIPE = "a|b"
NEWLINE = "two\nlines"
LONG = "x" * 299 + "!"

# The one source covers Mon 2 Feb to Thu 5 Feb: Sun 1 and Fri 6 Feb have no data, Tue 3 Feb is a $0 day.
ROWS = [
    usage_row(at((2, 2)), "a", "claude-haiku-4-5", "1.50"),
    usage_row(at((2, 2), 13), "b", "claude-haiku-4-5", "0.25"),
    usage_row(at((2, 2), 14), "b", "claude-haiku-4-5", "0.25"),
    usage_row(at((2, 4), 0), "a", "claude-haiku-4-5", "2.00", grain="bucket", request_count=5),
    usage_row(at((2, 4)), SCRIPT, "claude-haiku-4-5", "0.125"),
    usage_row(at((2, 5)), "b", "claude-haiku-4-5", "3.00"),
]
HOSTILE = [usage_row(at((2, 5), 10 + i), name, "claude-haiku-4-5", "0.50")
           for i, name in enumerate((PIPE, NEWLINE, LONG))]
BUDGETS = {"budget_names": ["total", "a"], "budget_amounts": ["10", "3"], "trailing_days": 3}


@pytest.fixture
def con():
    return views_of(ROWS + HOSTILE)


def test_daily_by_app_worked_by_hand(con):
    rows = section(con, "daily_by_app", date(2026, 2, 1), date(2026, 2, 6))
    assert [(r["day"].day, r["app"], r["cost_usd"], r["requests"], r["has_data"]) for r in rows] == [
        (1, None, None, None, False),
        (2, "a", Decimal("1.5"), 1, True),
        (2, "b", Decimal("0.5"), 2, True),
        (3, None, Decimal("0"), 0, True),  # a day with data and no spend: one $0 row, no app
        (4, SCRIPT, Decimal("0.125"), 1, True),
        (4, "a", Decimal("2"), 5, True),
        (5, PIPE, Decimal("0.5"), 1, True),
        (5, "b", Decimal("3"), 1, True),
        (5, NEWLINE, Decimal("0.5"), 1, True),
        (5, LONG, Decimal("0.5"), 1, True),
        (6, None, None, None, False),
    ]
    assert [r["is_weekend"] for r in rows if r["app"] is None] == [True, False, False]  # Sun 1, Tue 3, Fri 6


def test_daily_by_app_sums_to_the_daily_table(con):
    by_app = section(con, "daily_by_app", date(2026, 2, 1), date(2026, 2, 6))
    daily = section(con, "daily", date(2026, 2, 1), date(2026, 2, 6))
    summed = {}
    for r in by_app:
        cost, requests = summed.get(r["day"], (None, None))
        if r["has_data"]:
            cost, requests = (cost or 0) + r["cost_usd"], (requests or 0) + r["requests"]
        summed[r["day"]] = (cost, requests)
    assert summed == {d["day"]: (d["cost_usd"], d["requests"]) for d in daily}
    assert summed[date(2026, 2, 4)] == (Decimal("2.125"), 6)


def test_burndown_worked_by_hand_and_as_budgets_forecasts(con):
    # Report day Wed 4 Feb; trailing 3 days: 2 … 4 Feb, of which 2 and 4 have data. Total: month to date $2.00 +
    # $0 + $2.125 = $4.125 = the trailing spend; forecast $4.125 + $4.125 × 24 days left / 2 = $53.625.
    # App a: $1.50 + $2.00 = $3.50; forecast $3.50 + $3.50 × 24 / 2 = $45.50. Fri 5 Feb's $3 is after the day.
    rows = section(con, "budget_burndown", date(2026, 2, 4), date(2026, 2, 4), **BUDGETS)
    total = [r for r in rows if r["name"] == "total"]
    assert [r["day"] for r in total] == [date(2026, 2, 1) + timedelta(days=i) for i in range(28)]
    assert [(r["cost_usd"], r["cumulative_usd"], r["forecast_usd"]) for r in total[:5]] == [
        (Decimal("0"), Decimal("0"), None),
        (Decimal("2"), Decimal("2"), None),
        (Decimal("0"), Decimal("2"), None),
        (Decimal("2.125"), Decimal("4.125"), Decimal("4.125")),  # the forecast line starts at the month to date
        (None, None, Decimal("6.1875")),  # + 4.125 × 1 / 2
    ]
    assert total[-1]["forecast_usd"] == Decimal("53.625")
    a = [r for r in rows if r["name"] == "a"]
    assert (a[3]["cumulative_usd"], a[4]["forecast_usd"], a[-1]["forecast_usd"]) == (
        Decimal("3.5"), Decimal("5.25"), Decimal("45.5"))

    budgets = section(con, "budgets", date(2026, 2, 4), date(2026, 2, 4), **BUDGETS)
    for budget in budgets:
        mine = [r for r in rows if r["name"] == budget["name"]]
        assert mine[3]["cumulative_usd"] == budget["mtd_usd"]
        assert mine[-1]["forecast_usd"] == budget["forecast_usd"]
        assert (mine[0]["budget_fmt"], mine[0]["forecast_fmt"], mine[0]["state"]) == (
            budget["budget_fmt"], budget["forecast_fmt"], budget["state"])
    assert [(b["name"], b["forecast_fmt"], b["state"]) for b in budgets] == [
        ("total", "$53.63", "forecast over"), ("a", "$45.50", "over budget")]


def specs(con):
    daily = section(con, "daily_by_app", date(2026, 2, 1), date(2026, 2, 6))
    burndown = section(con, "budget_burndown", date(2026, 2, 4), date(2026, 2, 4), **BUDGETS)
    by_app_model = section(con, "by_app_model", date(2026, 2, 1), date(2026, 2, 6))
    return [charts.daily_by_app(daily), *charts.burndown(burndown), charts.apps(by_app_model)]


def test_svg_is_well_formed_and_deterministic(con):
    for spec in specs(con):
        first, again = charts.svg(spec), charts.svg(spec)
        assert first == again
        assert ET.fromstring(first).tag == "{http://www.w3.org/2000/svg}svg"
        assert "<script" not in first


def test_a_day_without_data_is_a_labelled_band_not_a_bar(con):
    spec = charts.daily_by_app(section(con, "daily_by_app", date(2026, 2, 1), date(2026, 2, 6)))
    svg = charts.svg(spec)
    assert svg.count(">no data</text>") == 2  # Sun 1 and Fri 6 Feb
    long_gap = section(con, "daily_by_app", date(2026, 1, 20), date(2026, 2, 10))  # 20 Jan – 1 Feb, 6 – 10 Feb
    assert charts.svg(charts.daily_by_app(long_gap)).count(">no data</text>") == 2  # once per run
    bars = [layer for layer in spec["layer"] if layer["mark"]["type"] == "bar" and "y" in layer["encoding"]]
    assert [layer["transform"] for layer in bars] == [[{"filter": "datum.app != null && datum.cost > 0"}]]


def test_app_colours_follow_the_sorted_names():
    colours = charts.app_colours(["b", "a", "b", *(f"z{i}" for i in range(10))])
    assert (colours["a"], colours["b"], colours["z0"]) == charts.PALETTE[:3]
    assert colours["z9"] == charts.OTHER  # the eleventh name
    assert charts.app_colours(["b"])["b"] == charts.PALETTE[0]


def test_hostile_app_names_in_the_page_charts(con, tmp_path):
    meta = {**META, "budgets": (("total", 10), (SCRIPT, 1))}
    render_report(con, "monthly", date(2026, 2, 1), date(2026, 2, 28), tmp_path, meta)
    render_report(con, "daily", date(2026, 2, 5), date(2026, 2, 5), tmp_path, meta)
    for page in ("monthly-2026-02.html", "daily-2026-02-05.html"):
        html = (tmp_path / page).read_text()
        assert "<script" not in html.lower()
        inline = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
        assert len(inline) == (1 if page.startswith("monthly") else 2)
        for svg in inline:
            ET.fromstring(svg)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    markdown = (tmp_path / "monthly-2026-02.md").read_text()
    assert "<svg" not in markdown and "`monthly-2026-02.daily_by_app.csv`" in markdown
    assert (tmp_path / "daily-2026-02-05.budget_burndown.csv").read_text().startswith(
        "name,day,budget_usd,cost_usd,cumulative_usd,forecast_usd,name_label,state\n")

    render_report(con, "daily", date(2026, 2, 5), date(2026, 2, 5), tmp_path, META)  # no budgets now
    assert not (tmp_path / "daily-2026-02-05.budget_burndown.csv").exists()
    assert "<svg" not in (tmp_path / "daily-2026-02-05.html").read_text()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_hostile_app_names_in_the_mail_charts(con):
    daily = section(con, "daily_by_app", date(2026, 2, 1), date(2026, 2, 28))
    by_app_model = section(con, "by_app_model", date(2026, 2, 1), date(2026, 2, 28))
    images = _charts(daily, by_app_model)
    assert sorted(images) == ["apps", "daily"]
    for data in images.values():
        assert png_size(data)[0] == charts.NARROW * charts.PNG_SCALE


def idat(data: bytes) -> bytes:
    """The decompressed image rows of a PNG, its chunk CRCs checked."""
    rows, pos = b"", 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0] == zlib.crc32(kind + body)
        rows += body if kind == b"IDAT" else b""
        pos += 12 + length
    return zlib.decompress(rows)


def test_the_png_is_compressed_again_with_the_same_pixels(con):
    spec = charts.daily_by_app(section(con, "daily_by_app", date(2026, 2, 1), date(2026, 2, 28)), charts.NARROW)
    original = vl_convert.vegalite_to_png(spec, scale=charts.PNG_SCALE)
    smaller = charts.png(spec)
    assert idat(smaller) == idat(original) and len(smaller) < len(original) / 2
    assert png_size(smaller) == png_size(original)
