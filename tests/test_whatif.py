"""What if (sql/reports/whatif.sql): the period's requests on the dearest model, on each model in use and on the
equivalents of [compare] or its defaults, priced by the engine through price_as."""
import datetime as dt
from decimal import Decimal

import pytest

from conftest import app_record, write_jsonl
from pipeline.config import COMPARE_DEFAULTS, default_equivalents, load_settings
from pipeline.errors import ConfigError
from pipeline.ingest import ingest
from pipeline.pricing import price_as_model
from pipeline.reports import checked_period, load_macros, render_report, report_meta, run_section, section_params
from pipeline.views import open_views

MARCH = checked_period("monthly", dt.date(2026, 3, 1), dt.date(2026, 3, 31))
META = {"catalog_version": "test", "timezone": "UTC", "generated_at": "2026-04-01 06:00 UTC"}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    """March 2026: 1,000 Haiku 4.5 requests of 1,000 input and 100 output tokens ($0.0015 each: $1.50) and 10
    Sonnet 4.6 requests of 2,000 input and 500 output tokens ($0.0135 each: $0.135); $1.635 in all."""
    work = tmp_path_factory.mktemp("whatif")
    records = [app_record(f"h{i}", ts=f"2026-03-10T{i // 60 % 24:02d}:{i % 60:02d}:00Z",
                          model="claude-haiku-4-5-20251001", input_tokens=1_000, output_tokens=100)
               for i in range(1_000)]
    records += [app_record(f"s{i}", ts=f"2026-03-11T10:{i:02d}:00Z", model="claude-sonnet-4-6",
                           input_tokens=2_000, output_tokens=500) for i in range(10)]
    write_jsonl(work / "logs.jsonl", records)
    settings = load_settings(None, str(work / "home"))
    ingest(settings, [str(work / "logs.jsonl")])
    con = open_views(settings)
    load_macros(con)
    yield con
    con.close()


def whatif(con, compare=()):
    return run_section(con, "whatif", section_params(MARCH, {**META, "compare": compare})).to_pylist()


def lines(rows, kind):
    return [(r["model"], r["equivalent"], r["cost_usd"], r["cost_on_usd"], r["difference_usd"])
            for r in rows if r["row_kind"] == kind]


def test_routing_on_the_dearest_model_and_each_model_in_use(con):
    rows = whatif(con)
    # Sonnet 4.6 is the dearest per request ($0.0135 against $0.0015). On it, a Haiku request costs
    # (1,000 × $3 + 100 × $15) / 1M = $0.0045: 1,000 × $0.0045 = $4.50, plus Sonnet's own $0.135 = $4.635.
    # On Haiku 4.5, a Sonnet request costs (2,000 × $1 + 500 × $5) / 1M = $0.0045: $1.50 + 10 × $0.0045 = $1.545.
    assert [(r["row_kind"], r["requests"], r["cost_usd"]) for r in rows[:1]] == [("actual", 1_010, Decimal("1.635"))]
    assert lines(rows, "routing") == [
        ("claude-sonnet-4-6", None, Decimal("1.635"), Decimal("4.635"), Decimal("3.000")),
        ("claude-haiku-4-5", None, Decimal("1.635"), Decimal("1.545"), Decimal("-0.090")),
    ]
    dearest, haiku = rows[1], rows[2]
    assert dearest["is_dearest"] and not haiku["is_dearest"]
    assert (dearest["label_fmt"], dearest["cost_per_request_fmt"], dearest["cost_on_fmt"], dearest["difference_fmt"],
            dearest["times_fmt"], dearest["note_fmt"]) == (
        "Everything on claude-sonnet-4-6 (the dearest per request)", "$0.013500", "$4.64", "+$3.00", "2.83×", "")
    assert (haiku["label_fmt"], haiku["difference_fmt"], haiku["times_fmt"]) == (
        "Everything on claude-haiku-4-5", "-$0.09", "0.94×")


def test_compare_with_the_default_equivalents(con):
    # Haiku 4.5 on gpt-5-mini ($0.25 / $2): 1,000 × (1,000 × 0.25 + 100 × 2) / 1M = $0.45; on gemini-2.5-flash
    # ($0.30 / $2.50): $0.55. Sonnet 4.6 on gpt-5 and on gemini-2.5-pro (both $1.25 / $10 at this size):
    # 10 × (2,000 × 1.25 + 500 × 10) / 1M = $0.075.
    rows = whatif(con)
    assert lines(rows, "compare") == [
        ("claude-haiku-4-5", "gpt-5-mini", Decimal("1.5"), Decimal("0.45"), Decimal("-1.05")),
        ("claude-haiku-4-5", "gemini-2.5-flash", Decimal("1.5"), Decimal("0.55"), Decimal("-0.95")),
        ("claude-sonnet-4-6", "gpt-5", Decimal("0.135"), Decimal("0.075"), Decimal("-0.06")),
        ("claude-sonnet-4-6", "gemini-2.5-pro", Decimal("0.135"), Decimal("0.075"), Decimal("-0.06")),
    ]
    assert {r["origin_fmt"] for r in rows if r["row_kind"] == "compare"} == {"default"}
    assert [(r["label_fmt"], r["requests_fmt"], r["equivalent_fmt"], r["cost_on_fmt"], r["difference_fmt"])
            for r in rows if r["row_kind"] == "compare"][0] == (
        "claude-haiku-4-5", "1,000", "gpt-5-mini", "$0.45", "-$1.05")


def test_compare_config_overrides_the_defaults_and_notes_price_as_flags(con):
    # Named by a logged id, Haiku 4.5 compares with gpt-4o-mini ($0.15 / $0.60): 1,000 × 0.00021 = $0.21, and with
    # gpt-5.4-mini ($0.75 / $4.50, first priced on 17 March, after these 10 March requests: its earliest price),
    # 1,000 × 0.0012 = $1.20. Sonnet 4.6 is given no equivalents: one line says so.
    rows = whatif(con, compare=(("claude-haiku-4-5-20251001", ("gpt-4o-mini", "GPT-5.4-mini")),
                                ("claude-sonnet-4-6", ())))
    assert lines(rows, "compare") == [
        ("claude-haiku-4-5", "gpt-4o-mini", Decimal("1.5"), Decimal("0.21"), Decimal("-1.29")),
        ("claude-haiku-4-5", "gpt-5.4-mini", Decimal("1.5"), Decimal("1.2"), Decimal("-0.3")),
        ("claude-sonnet-4-6", None, None, None, None),
    ]
    compare = [r for r in rows if r["row_kind"] == "compare"]
    assert [(r["origin_fmt"], r["note_fmt"]) for r in compare] == [
        ("[compare]", ""),
        ("[compare]", "1,000 requests before its first price, at its earliest"),
        ("[compare]", "no equivalent in [compare]"),
    ]
    assert (compare[2]["equivalent_fmt"], compare[2]["cost_on_fmt"], compare[2]["difference_fmt"]) == ("—", "—", "—")


def test_an_unknown_compare_model_is_a_config_error(con):
    with pytest.raises(ConfigError, match=r"^compare: 'gpt-9' is no catalogue model or alias$"):
        whatif(con, compare=(("claude-haiku-4-5", ("gpt-9",)),))


def test_defaults_are_catalogue_models_by_claude_family(con):
    assert {price_as_model(con, name) for names in COMPARE_DEFAULTS.values() for name in names} == {
        name for names in COMPARE_DEFAULTS.values() for name in names}
    assert default_equivalents("claude-3-5-haiku") == default_equivalents("claude-haiku-4-5") == (
        "gpt-5-mini", "gemini-2.5-flash")
    assert default_equivalents("claude-opus-4-6") == ("gpt-5.2", "gemini-3-pro-preview")
    assert default_equivalents("gpt-4o") == default_equivalents("claude-fable-5") == ()


def test_compare_reaches_the_queries_from_the_config(tmp_path):
    config = tmp_path / "spendlog.toml"
    config.write_text('[compare]\n"claude-haiku-4-5" = ["gpt-4o-mini"]\n', encoding="utf-8")
    settings = load_settings(str(config), str(tmp_path / "home"))
    assert section_params(MARCH, report_meta(settings))["compare"] == (("claude-haiku-4-5", ("gpt-4o-mini",)),)


def test_rendered_in_the_monthly_report(con, tmp_path):
    render_report(con, "monthly", MARCH.start, MARCH.end, tmp_path, META)
    markdown = (tmp_path / "monthly-2026-03.md").read_text(encoding="utf-8")
    assert "| Everything on claude-sonnet-4-6 (the dearest per request) | 1,010 | $0.013500 | $1.64 | $4.64 | +$3.00 | 2.83× |  |" in markdown
    assert "| claude-haiku-4-5 | 1,000 | $1.50 | gpt-5-mini | $0.45 | -$1.05 | 0.30× | default |  |" in markdown
    assert markdown.index("## Savings from caching and batch") < markdown.index("## What if")
    html = (tmp_path / "monthly-2026-03.html").read_text(encoding="utf-8")
    assert "<td class=\"model\">Everything on claude-sonnet-4-6 (the dearest per request)</td>" in html
    assert (tmp_path / "monthly-2026-03.whatif.csv").exists()


def test_priced_in_groups_that_price_alike(con):
    # the 1,000 Haiku requests of March 10 are one group, the 10 Sonnet requests of March 11 another: the what-if
    # prices 2 groups, not 1,010 requests (its figures above are worked out request by request)
    whatif(con)
    assert con.execute("select model, grain, context_window, requests, input_tokens, cost_usd from period_rows "
                       "order by model").fetchall() == [
        ("claude-haiku-4-5-20251001", "bucket", "0-100000", 1_000, 1_000_000, Decimal("1.5")),
        ("claude-sonnet-4-6", "bucket", "0-100000", 10, 20_000, Decimal("0.135"))]