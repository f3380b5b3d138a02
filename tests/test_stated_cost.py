"""Money the source states is spend where nothing else prices it (cost_basis 'stated'), and the catalogue's price
stays beside it (catalogue_cost_usd): a cost export alone, OpenRouter's total_cost, and where neither applies."""
import datetime as dt
import json
from decimal import Decimal

from conftest import FIXTURES, app_record, fixture, query, write_jsonl

from pipeline.ingest import ingest
from pipeline.reconcile import reconciliation_rows

# The Anthropic cost report states cents: 552.6993 + 108.15375 + 449.46012 + 603.177 (Sonnet 4.5) + 37 (web search)
# = 1,750.49017 cents = $17.5049017 on 2026-03-12.
ANTHROPIC_STATED = Decimal("17.5049017")
# The OpenAI Costs API page: 0.04759 + 0.001024 + 0.6 = $0.648614 on 2025-10-06 (UTC).
OPENAI_STATED = Decimal("0.648614")
# The OpenRouter generation: total_cost $0.0111036; the catalogue's Sonnet 4.5: 2,197 uncached × $3 + 8,192 cache
# reads × $0.30 + 137 output × $15 per 1M = 6,591 + 2,457.6 + 2,055 = 11,103.6 micro-dollars = $0.0111036.
OPENROUTER_CATALOGUE = Decimal("0.0111036")


def spend(settings):
    """(sum of cost_usd, of catalogue_cost_usd, rows, rows by basis) over spend."""
    total, catalogue, rows = query(settings, "select sum(cost_usd), sum(catalogue_cost_usd), count(*) from spend")[0]
    bases = dict(query(settings, "select cost_basis, count(*) from spend group by all"))
    return total, catalogue, rows, bases


def openrouter(tmp_path, name, **changes):
    """The OpenRouter generation fixture with some fields changed, written under tmp_path/in."""
    record = json.loads((FIXTURES / "openrouter_generation.json").read_text())
    record["data"].update(changes)
    path = tmp_path / "in" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record))
    return path


def report(run, *args):
    result = run("report", *args)
    assert result.exit_code == 0, result.output
    return result


def test_a_cost_export_alone_is_spend_at_its_stated_cost(tmp_path, settings, run, home):
    ingest(settings, [str(fixture(tmp_path, "anthropic_cost_report.json"))])
    assert spend(settings) == (ANTHROPIC_STATED, Decimal(0), 5, {"stated": 5})
    assert query(settings, "select sum(reported_cost_usd) from spend") == [(ANTHROPIC_STATED,)]
    report(run, "daily", "--date", "2026-03-12")
    page = (home / "reports" / "daily-2026-03-12.md").read_text()
    assert "| Total spend | $17.50 |" in page
    assert ("| Stated by the source | $17.50 | 100.0% of the total: 5 rows cost what their export or gateway states "
            "(cost_basis stated), not a catalogue price |") in page
    assert ("Every row of the period is priced: 5 of them ($17.50 of the total) at the cost their source states, "
            "not from the catalogue (cost_basis stated).") in page
    html = (home / "reports" / "daily-2026-03-12.html").read_text()
    assert "<strong>stated by the source:</strong> $17.50 (100.0%) from 5 rows" in html


def test_an_openai_costs_page_alone_is_spend_in_the_monthly_report(tmp_path, settings, run, home):
    ingest(settings, [str(fixture(tmp_path, "openai_costs.json"))])
    assert spend(settings) == (OPENAI_STATED, Decimal(0), 3, {"stated": 3})
    report(run, "monthly", "--month", "2025-10")
    page = (home / "reports" / "monthly-2025-10.md").read_text()
    assert "| Total spend | $0.65 |" in page  # $0.648614 to cents
    assert "| Stated by the source | $0.65 | 100.0% of the total: 3 rows" in page


def test_an_openrouter_generation_is_spend_at_total_cost_with_the_catalogue_beside(tmp_path, settings):
    ingest(settings, [str(fixture(tmp_path, "openrouter_generation.json"))])
    assert spend(settings) == (Decimal("0.0111036"), OPENROUTER_CATALOGUE, 1, {"stated": 1})
    # a charge unlike the catalogue's: cost_usd is the charge, the catalogue's price stays beside it
    ingest(settings, [str(openrouter(tmp_path, "dearer.json", id="gen-dearer", total_cost=0.02,
                                     created_at="2026-03-13T09:00:00+00:00"))])
    assert query(settings, "select cost_usd, catalogue_cost_usd, cost_basis, price_id is not null from spend "
                           "where request_id = 'gen-dearer'") == [
        (Decimal("0.02"), OPENROUTER_CATALOGUE, "stated", True)]
    # what-ifs keep the catalogue's saving: without caching the 8,192 reads are input at $3 (+$0.0221184, OpenRouter's
    # own cache_discount): 0.02 + (0.0332220 - 0.0111036) = 0.0421184
    assert query(settings, "select cost_without_cache_usd from spend where request_id = 'gen-dearer'") == [
        (Decimal("0.0421184"),)]
    # reconciliation compares the catalogue's price with the stated charge, never the charge with itself
    lines = reconciliation_rows(settings, dt.date(2026, 3, 1))
    assert [(r["day_fmt"], r["computed_cost_usd"], r["stated_cost_usd"], r["flagged"]) for r in lines] == [
        ("2026-03-12", OPENROUTER_CATALOGUE, Decimal("0.0111036"), False),
        ("2026-03-13", OPENROUTER_CATALOGUE, Decimal("0.02"), True)]  # 0.0111036 - 0.02 is 44.5% off


def test_an_openrouter_model_the_catalogue_lacks_is_spend_at_total_cost(tmp_path, settings, run, home):
    ingest(settings, [str(openrouter(tmp_path, "mystery.json", model="acme/mystery-1", total_cost=0.0015))])
    assert query(settings, "select cost_usd, catalogue_cost_usd, cost_basis, price_flags, in_totals from priced_usage") == [
        (Decimal("0.0015"), None, "stated", ["no_price"], True)]
    assert spend(settings)[0] == Decimal("0.0015")
    report(run, "daily", "--date", "2026-03-12")
    page = (home / "reports" / "daily-2026-03-12.md").read_text()
    assert "| Total spend | <$0.01 |" in page
    assert "Every row of the period is priced: 1 of them (<$0.01 of the total) at the cost their source states" in page
    # reconciliation: the catalogue cannot price it, so the line is flagged as unpriced, computed $0
    [line] = reconciliation_rows(settings, dt.date(2026, 3, 1))
    assert (line["computed_cost_usd"], line["stated_cost_usd"], line["unpriced_rows"], line["flagged"]) == (
        Decimal(0), Decimal("0.0015"), 1, True)


def test_an_unknown_model_without_stated_money_stays_unpriced(tmp_path, settings, run, home):
    path = write_jsonl(tmp_path / "in" / "app.jsonl", [app_record(ts="2026-03-12T10:00:00.000Z", model="acme-large")])
    ingest(settings, [str(path)])
    assert query(settings, "select cost_usd, catalogue_cost_usd, cost_basis from spend") == [(None, None, None)]
    report(run, "daily", "--date", "2026-03-12")
    page = (home / "reports" / "daily-2026-03-12.md").read_text()
    assert "| anthropic | acme-large | — | no\\_price |" in page
    assert "Every row of the period is priced" not in page and "Stated by the source" not in page


def test_a_cost_export_covered_by_request_logs_is_not_counted_twice(tmp_path, settings):
    # the same UTC day and biller: the request (haiku 4.5: 100 input × $1 + 20 output × $5 per 1M = $0.0002) counts,
    # the export's $17.5049017 is for reconciliation only
    logs = write_jsonl(tmp_path / "in" / "app.jsonl", [app_record(ts="2026-03-12T10:00:00.000Z")])
    ingest(settings, [str(logs), str(fixture(tmp_path, "anthropic_cost_report.json"))])
    assert spend(settings) == (Decimal("0.0002"), Decimal("0.0002"), 1, {"catalogue": 1})
    assert query(settings, "select count(*), sum(cost_usd), bool_or(in_totals), min(cost_basis) from priced_usage "
                           "where source_format = 'anthropic_cost_report'") == [(5, Decimal(0), False, "catalogue")]


def test_a_cost_export_covered_by_usage_buckets_is_not_counted_twice(tmp_path, settings):
    # the Admin API usage report's token buckets price the day; the cost report states the same charges
    ingest(settings, [str(fixture(tmp_path, "anthropic_usage_report_messages.json"))])
    alone = spend(settings)
    ingest(settings, [str(fixture(tmp_path, "anthropic_cost_report.json"))])
    assert spend(settings) == alone
    assert alone[3] == {"catalogue": alone[2]}


def test_two_exports_of_the_same_charges_count_once(tmp_path, settings):
    # the Console cost CSV states 0.25 + 0.21 + 0.28 = $0.74 for 2026-03-12; the Admin API cost report $17.5049017:
    # one statement per UTC day and biller counts, the first format by name (anthropic_cost_report)
    ingest(settings, [str(fixture(tmp_path, "claude_api_cost_2026_03_12_to_2026_03_13.csv"))])
    assert spend(settings)[:3] == (Decimal("0.74"), Decimal(0), 3)
    ingest(settings, [str(fixture(tmp_path, "anthropic_cost_report.json"))])
    assert spend(settings)[:3] == (ANTHROPIC_STATED, Decimal(0), 5)


def test_a_providers_own_log_with_a_stated_cost_stays_catalogue(tmp_path, settings):
    # Claude Code's costUSD: the catalogue is the authority, the stated cost is for reconciliation
    ingest(settings, [str(fixture(tmp_path, "claude_code_legacy_costusd.jsonl"))])
    rows = query(settings, "select cost_basis, cost_usd = catalogue_cost_usd, reported_cost_usd is not null "
                           "from spend where billable and reported_cost_usd is not null")
    assert rows and set(rows) == {("catalogue", True, True)}


# --- prices explain -----------------------------------------------------------------------------------------------

def explain(run, settings, where):
    [(request_id,)] = query(settings, f"select request_id from priced_usage where {where}")
    result = run("prices", "explain", request_id)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_explain_a_stated_money_only_row(tmp_path, settings, run):
    ingest(settings, [str(fixture(tmp_path, "anthropic_cost_report.json"))])
    lines = explain(run, settings, "reported_cost_usd = 0.37")
    assert lines[2:] == [
        "  no usage       a row with no tokens to price (a money-only cost export)",
        "  total          stated by the source: $0.37 (reported_cost_usd); the catalogue would price it $0: nothing "
        "else prices this UTC day and biller, so cost_usd is the stated cost (cost_basis stated)"]


def test_explain_a_covered_money_only_row(tmp_path, settings, run):
    logs = write_jsonl(tmp_path / "in" / "app.jsonl", [app_record(ts="2026-03-12T10:00:00.000Z")])
    ingest(settings, [str(logs), str(fixture(tmp_path, "anthropic_cost_report.json"))])
    lines = explain(run, settings, "reported_cost_usd = 0.37")
    assert lines[2] == ("  no usage       a row with no tokens to price (a money-only cost export): cost_usd is $0; "
                        "the export states $0.37 (reported_cost_usd), kept for reconciliation")


def test_explain_an_openrouter_charge(tmp_path, settings, run):
    ingest(settings, [str(openrouter(tmp_path, "dearer.json", total_cost=0.02))])
    lines = explain(run, settings, "true")
    assert lines[-3:] == [
        "  catalogue      $0.0111036, the catalogue_cost_usd in priced_usage",
        "  total          stated by the source: $0.02 (reported_cost_usd); the catalogue would price it $0.0111036: "
        "openrouter bills the request and states what it charged, so cost_usd is the stated cost (cost_basis stated)",
        "  what if        without caching $0.033222, without batch $0.0111036 (at the catalogue's price)"]


def test_explain_an_openrouter_charge_on_a_model_the_catalogue_lacks(tmp_path, settings, run):
    ingest(settings, [str(openrouter(tmp_path, "mystery.json", model="acme/mystery-1", total_cost=0.0015))])
    lines = explain(run, settings, "true")
    assert lines[2:] == [
        "  model          'acme/mystery-1' matches no catalogue model or alias",
        "  catalogue      cannot price it: the model 'acme/mystery-1' matches no catalogue model or alias",
        "  total          stated by the source: $0.0015 (reported_cost_usd); the catalogue cannot price it: "
        "openrouter bills the request and states what it charged, so cost_usd is the stated cost (cost_basis stated)"]


def test_explain_a_providers_own_log_with_a_stated_cost(tmp_path, settings, run):
    ingest(settings, [str(fixture(tmp_path, "claude_code_legacy_costusd.jsonl"))])
    [(request_id, stated)] = query(settings, "select request_id, reported_cost_usd from priced_usage "
                                             "where billable and reported_cost_usd is not null limit 1")
    lines = run("prices", "explain", request_id).stdout.splitlines()
    assert [line for line in lines if line.startswith("  stated")] == [
        f"  stated         the source states ${stated.normalize():f} (reported_cost_usd), kept for reconciliation: "
        "the catalogue prices a provider's own usage (cost_basis catalogue)"]


def test_shares_of_cost_are_of_the_catalogues_price_beside_stated_money(tmp_path, settings, run, home):
    # 2026-03-12: the cost report states $17.5049017 (no components) and OpenRouter charged $0.02 for a generation
    # the catalogue prices $0.0111036 (input 2,197 × $3 = $0.006591, cache reads 8,192 × $0.30 = $0.0024576, output
    # 137 × $15 = $0.002055 per 1M); 2026-03-13: a haiku request, $0.0001 input + $0.0001 output = $0.0002.
    # Total $17.5251017, of it stated $17.5249017; the catalogue's price of the rows $0.0113036, output $0.002155 of
    # it: 19.1% (not 0.0123% of the total). Input 0.006691 / 0.0113036 = 59.2%, cache reads 21.7%.
    logs = write_jsonl(tmp_path / "in" / "app.jsonl", [app_record(ts="2026-03-13T10:00:00.000Z")])
    ingest(settings, [str(logs), str(fixture(tmp_path, "anthropic_cost_report.json")),
                      str(openrouter(tmp_path, "dearer.json", total_cost=0.02))])
    assert spend(settings)[:2] == (Decimal("17.5251017"), Decimal("0.0113036"))
    report(run, "monthly", "--month", "2026-03")
    page = (home / "reports" / "monthly-2026-03.md").read_text()
    assert ("| Output share of cost | 19.1% | output cost <$0.01; 157 output tokens, input tokens 66.8× as many; a share "
            "of the catalogue's price of the period's rows, $0.01, not of the total ($17.52 of it is stated by the "
            "source) |") in page
    assert "| uncached input | 2,297 tokens | <$0.01 | 59.2% |" in page
    assert "| cache reads | 8,192 tokens | <$0.01 | 21.7% |" in page
    assert "| output | 157 tokens | <$0.01 | 19.1% |" in page
    assert ("The components are the catalogue's price ($0.01) and the shares are of it: $17.52 of the total is money "
            "the source states (cost_basis stated), which has no components, so the lines do not add up to the "
            "total.") in page
    html = (home / "reports" / "monthly-2026-03.html").read_text()
    assert "a share of the catalogue&#39;s price of the period&#39;s rows, $0.01" in html or \
        "a share of the catalogue's price of the period's rows, $0.01" in html
