import datetime as dt
import json
from decimal import Decimal

from conftest import app_record, write_jsonl
from pipeline.config import load_settings
from pipeline.reconcile import reconciliation_rows

# claude-haiku-4-5: $1 / $5 per 1M input / output tokens; claude-sonnet-4-5: $3 / $15, web search $10 per 1,000;
# gpt-4o: $2.50 / $10; gpt-4o-mini: $0.15 / $0.60.
GATEWAY = """
[csv_formats.gateway]
columns = { ts = "time", provider = "provider", model = "model", request_id = "id", input_tokens = "in", output_tokens = "out", cost_usd = "cost" }
"""


def cost_report(day, results):
    """An Anthropic Admin API cost report of one daily bucket; amounts in cents, as the API writes them."""
    end = dt.date.fromisoformat(day) + dt.timedelta(days=1)
    return {"data": [{"starting_at": f"{day}T00:00:00Z", "ending_at": f"{end}T00:00:00Z", "results": results}],
            "has_more": False, "next_page": None}


def tokens_line(model, cents):
    return {"currency": "USD", "amount": cents, "workspace_id": "wrkspc_1", "description": f"{model} Usage",
            "cost_type": "tokens", "context_window": "0-200k", "model": model, "service_tier": "standard",
            "token_type": "uncached_input_tokens", "inference_geo": None}


def stated_home(tmp_path, run, timezone="UTC"):
    """One UTC day, 2026-03-12, with request logs, an Anthropic cost report and a gateway log that states costs."""
    write_jsonl(tmp_path / "logs" / "app.jsonl", [
        # haiku: $0.10 + $0.10, then $0.05 + $0.05 (at 20:00 UTC: already the 13th in Tokyo)
        app_record("r1", "2026-03-12T10:00:00Z", "claude-haiku-4-5-20251001", 100_000, 20_000),
        app_record("r2", "2026-03-12T20:00:00Z", "claude-haiku-4-5-20251001", 50_000, 10_000),
        # sonnet: $0.30 + $0.15 of tokens and $0.02 for 2 web searches
        app_record("r3", "2026-03-12T11:00:00Z", "claude-sonnet-4-5-20250929", 100_000, 10_000,
                   server_tool_use={"web_search_requests": 2}),
    ])
    (tmp_path / "logs" / "cost_report.json").write_text(json.dumps(cost_report("2026-03-12", [
        tokens_line("claude-haiku-4-5-20251001", "30.2"),     # $0.302 against $0.30: -0.7%, within 1%
        tokens_line("claude-sonnet-4-5-20250929", "40"),      # $0.40 against $0.45: +12.5%
        {"currency": "USD", "amount": "2", "workspace_id": "wrkspc_1", "description": "Web Search",
         "cost_type": "web_search", "context_window": None, "model": None, "service_tier": None,
         "token_type": None, "inference_geo": None},          # $0.02 against the $0.02 of web search
    ])))
    (tmp_path / "logs" / "gateway.csv").write_text(
        "time,provider,model,id,in,out,cost\n"
        "2026-03-12T09:00:00Z,openai,gpt-4o-mini,g1,1000000,100000,0.21\n"   # $0.15 + $0.06 = $0.21
        "2026-03-12T09:30:00Z,openai,gpt-4o,g2,100000,10000,0.30\n")         # $0.25 + $0.10 = $0.35: +16.7%
    config = tmp_path / "spendlog.toml"
    config.write_text(f'timezone = "{timezone}"\n' + GATEWAY)
    result = run("ingest", tmp_path / "logs", config=config)
    assert result.exit_code == 0, result.output
    return config


def test_reconcile_compares_each_statement_with_what_it_covers(tmp_path, run):
    config = stated_home(tmp_path, run)
    result = run("reconcile", "--month", "2026-03", config=config)
    assert result.exit_code == 1, result.output
    assert result.stdout == """\
day (UTC)   provider   model              stated by              computed  stated  difference  diff %
----------  ---------  -----------------  ---------------------  --------  ------  ----------  ------  -------
2026-03-12  Anthropic  claude-haiku-4-5   anthropic_cost_report     $0.30   $0.30     -<$0.01   -0.7%
2026-03-12  Anthropic  claude-sonnet-4-5  anthropic_cost_report     $0.45   $0.40      +$0.05  +12.5%  FLAGGED
2026-03-12  Anthropic  (no model: tools)  anthropic_cost_report     $0.02   $0.02       $0.00    0.0%
2026-03-12  OpenAI     gpt-4o             gateway                   $0.35   $0.30      +$0.05  +16.7%  FLAGGED
2026-03-12  OpenAI     gpt-4o-mini        gateway                   $0.21   $0.21       $0.00    0.0%
(5 lines)
2 of 5 lines in 2026-03 differ from the stated cost by more than 1%.
"""


def test_reconciliation_rows_hold_the_exact_amounts(tmp_path, run, home):
    config = stated_home(tmp_path, run)
    rows = reconciliation_rows(load_settings(str(config), str(home)), dt.date(2026, 3, 1))
    assert [(r["model"], r["stated_in"], r["computed_cost_usd"], r["stated_cost_usd"], r["difference_usd"],
             r["flagged"], r["computed_rows"]) for r in rows] == [
        ("claude-haiku-4-5", "export", Decimal("0.30"), Decimal("0.302"), Decimal("-0.002"), False, 2),
        ("claude-sonnet-4-5", "export", Decimal("0.45"), Decimal("0.40"), Decimal("0.05"), True, 1),
        (None, "export", Decimal("0.02"), Decimal("0.02"), Decimal("0"), False, 1),
        ("gpt-4o", "requests", Decimal("0.35"), Decimal("0.30"), Decimal("0.05"), True, 1),
        ("gpt-4o-mini", "requests", Decimal("0.21"), Decimal("0.21"), Decimal("0"), False, 1),
    ]
    assert round(rows[0]["difference_pct"], 4) == round(-0.002 / 0.302 * 100, 4)


def test_days_are_whole_utc_days_whatever_the_timezone(tmp_path, run):
    """r2 ran on the 13th in Tokyo, but the export states the UTC day 2026-03-12: it is compared with that day."""
    config = stated_home(tmp_path, run, timezone="Asia/Tokyo")
    result = run("reconcile", "--month", "2026-03", config=config)
    assert result.exit_code == 1
    assert "2026-03-12  Anthropic  claude-haiku-4-5   anthropic_cost_report     $0.30   $0.30     -<$0.01   -0.7%\n" \
        in result.stdout


def test_all_within_one_percent_exits_0(tmp_path, run):
    write_jsonl(tmp_path / "logs" / "app.jsonl", [
        app_record("r1", "2026-03-12T10:00:00Z", "claude-haiku-4-5-20251001", 100_000, 20_000)])   # $0.20
    (tmp_path / "logs" / "cost_report.json").write_text(json.dumps(cost_report("2026-03-12", [
        tokens_line("claude-haiku-4-5-20251001", "20.19")])))                                       # $0.2019
    assert run("ingest", tmp_path / "logs").exit_code == 0
    result = run("reconcile", "--month", "2026-03")
    assert (result.exit_code, result.stdout) == (0, """\
day (UTC)   provider   model             stated by              computed  stated  difference  diff %
----------  ---------  ----------------  ---------------------  --------  ------  ----------  ------
2026-03-12  Anthropic  claude-haiku-4-5  anthropic_cost_report     $0.20   $0.20     -<$0.01   -0.9%
(1 line)
All 1 lines in 2026-03 match the stated cost within 1%.
""")


def test_a_month_with_nothing_stated_says_so(tmp_path, run):
    write_jsonl(tmp_path / "logs" / "app.jsonl", [app_record("r1", "2026-03-12T10:00:00Z")])
    assert run("ingest", tmp_path / "logs").exit_code == 0
    result = run("reconcile", "--month", "2026-03")
    assert (result.exit_code, result.stdout) == (
        0, "Nothing to reconcile in 2026-03: no cost export and no request log states a cost (reported_cost_usd).\n")
    assert run("reconcile", "--month", "2026-3").exit_code == 2


def test_the_report_section_shows_only_when_something_is_stated(tmp_path, run, home):
    config = stated_home(tmp_path, run)
    out = tmp_path / "reports"
    assert run("report", "monthly", "--month", "2026-03", "--out", out, config=config).exit_code == 0
    markdown = (out / "monthly-2026-03.md").read_text()
    assert ("| 2026-03-12 | Anthropic | claude-sonnet-4-5 | anthropic\\_cost\\_report | $0.45 | $0.40 | +$0.05 | "
            "+12.5% | **FLAGGED** |") in markdown
    assert "**2 of 5 lines** differ from the stated cost by more than 1%." in markdown
    html = (out / "monthly-2026-03.html").read_text()
    assert html.count('<tr class="flagged">') == 2
    csv = (out / "monthly-2026-03.reconciliation.csv").read_text().splitlines()
    assert csv[0].startswith("utc_day,provider,model,stated_by,stated_in,computed_cost_usd,stated_cost_usd,")
    assert "_fmt" not in csv[0]
    assert run("report", "monthly", "--month", "2026-02", "--out", out, config=config).exit_code == 0
    assert "Reconciliation" not in (out / "monthly-2026-02.md").read_text()
    assert not (out / "monthly-2026-02.reconciliation.csv").exists()
