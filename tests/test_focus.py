import csv
import datetime as dt
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from conftest import app_record, query, write_jsonl
from pipeline.cli import cli
from pipeline.config import load_settings
from pipeline.focus import export_focus

FOCUS_COLUMNS = {
    "BillingAccountId": "VARCHAR", "BillingAccountName": "VARCHAR", "BillingCurrency": "VARCHAR",
    "BillingPeriodStart": "TIMESTAMP WITH TIME ZONE", "BillingPeriodEnd": "TIMESTAMP WITH TIME ZONE",
    "ChargePeriodStart": "TIMESTAMP WITH TIME ZONE", "ChargePeriodEnd": "TIMESTAMP WITH TIME ZONE",
    "ChargeCategory": "VARCHAR", "ChargeClass": "VARCHAR", "CommitmentDiscountStatus": "VARCHAR",
    "ChargeDescription": "VARCHAR", "ChargeFrequency": "VARCHAR", "ProviderName": "VARCHAR",
    "PublisherName": "VARCHAR", "InvoiceIssuerName": "VARCHAR", "InvoiceId": "VARCHAR", "ServiceCategory": "VARCHAR",
    "ServiceSubcategory": "VARCHAR", "ServiceName": "VARCHAR", "SubAccountId": "VARCHAR", "SubAccountName": "VARCHAR",
    "SubAccountType": "VARCHAR", "SkuId": "VARCHAR", "SkuMeter": "VARCHAR", "SkuPriceId": "VARCHAR",
    "SkuPriceDetails": "VARCHAR", "PricingCategory": "VARCHAR", "ConsumedQuantity": "DECIMAL(38,1)",
    "ConsumedUnit": "VARCHAR", "PricingQuantity": "DECIMAL(38,12)", "PricingUnit": "VARCHAR",
    "ListUnitPrice": "DECIMAL(38,12)", "ContractedUnitPrice": "DECIMAL(38,12)", "ListCost": "DECIMAL(38,12)",
    "ContractedCost": "DECIMAL(38,12)", "EffectiveCost": "DECIMAL(38,12)", "BilledCost": "DECIMAL(38,12)",
    "PricingCurrency": "VARCHAR", "PricingCurrencyListUnitPrice": "DECIMAL(38,12)",
    "PricingCurrencyContractedUnitPrice": "DECIMAL(38,12)", "PricingCurrencyEffectiveCost": "DECIMAL(38,12)",
    "x_App": "VARCHAR", "x_Model": "VARCHAR", "x_CostSource": "VARCHAR",
}

# claude-haiku-4-5: $1 input, $1.25 5-minute cache writes, $0.10 cache reads, $5 output per 1M tokens, under a
# contract of 80%; claude-sonnet-4-5: $3 input, $15 output, $10 per 1,000 web searches, no contract.
CONFIG = 'timezone = "America/New_York"\n[prices]\nuser_file = "my_prices.csv"\n'
CONTRACT = "provider,model,effective_from,effective_to,contract_multiplier,source\n" \
           "anthropic,claude-haiku-4-5,2026-02-01,,0.8,contract (20% off)\n"
HAIKU, SONNET = "claude-haiku-4-5-20251001", "claude-sonnet-4-5-20250929"


def record(request_id, ts, model, input_tokens, output_tokens, app="bot", **fields):
    usage = {key: fields.pop(key) for key in ("cache_read_input_tokens", "cache_creation", "server_tool_use")
             if key in fields}
    return {**app_record(request_id, ts, model, input_tokens, output_tokens, app, **usage), **fields}


@pytest.fixture
def contract_home(tmp_path, run):
    """Local February 10th in New York (UTC−5): two accounts, a contract on haiku, an error and an unpriced row."""
    write_jsonl(tmp_path / "logs" / "app.jsonl", [
        record("r1", "2026-02-10T15:00:00Z", HAIKU, 100_000, 20_000, workspace="ws-a",
               cache_read_input_tokens=200_000, cache_creation={"ephemeral_5m_input_tokens": 40_000}),
        record("r2", "2026-02-11T03:00:00Z", HAIKU, 50_000, 10_000, api_key_name="key-b"),  # 22:00 on the 10th
        record("r3", "2026-02-10T16:00:00Z", SONNET, 10_000, 1_000, workspace="ws-a",
               server_tool_use={"web_search_requests": 3}),
        {**record("r4", "2026-02-10T17:00:00Z", HAIKU, 0, 0, workspace="ws-a"), "http_status": 429},
        record("r5", "2026-02-10T18:00:00Z", "mystery-model", 1_000, 1_000, workspace="ws-a"),
    ])
    (tmp_path / "my_prices.csv").write_text(CONTRACT)
    config = tmp_path / "spendlog.toml"
    config.write_text(CONFIG)
    assert run("ingest", tmp_path / "logs", config=config).exit_code == 0
    return config


def read(path):
    """A connection with the table focus: the rows of an exported Parquet file."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("create table focus as select * from read_parquet($path)", {"path": str(path)})
    return con


def test_focus_rows_worked_out_by_hand(contract_home, run, tmp_path):
    out = tmp_path / "feb.parquet"
    result = run("export", "focus", "--month", "2026-02", "--out", out, config=contract_home)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{out}: 9 FOCUS rows, BilledCost $0.37 for 2026-02\n"
    assert result.stderr == "left out 1 unpriced row (spendlog prices check)\n"
    con = read(out)
    focus = con.table("focus")
    assert dict(zip(focus.columns, map(str, focus.types))) == FOCUS_COLUMNS
    assert con.sql("select distinct ChargePeriodStart, ChargePeriodEnd, BillingPeriodStart, BillingPeriodEnd "
                   "from focus").fetchall() == [tuple(dt.datetime(*d, 5, tzinfo=dt.timezone.utc) for d in (
                       (2026, 2, 10), (2026, 2, 11), (2026, 2, 1), (2026, 3, 1)))]
    assert con.sql("select SubAccountId, SubAccountType, x_Model, SkuMeter, ConsumedQuantity, PricingQuantity, "
                   "PricingUnit, ListUnitPrice, ContractedUnitPrice, ListCost, EffectiveCost, BilledCost from focus "
                   "order by SubAccountId, x_Model, SkuMeter").fetchall() == [
        ("key-b", "API Key", HAIKU, "Input Tokens", 50_000, Decimal("0.05"), "1000000 Tokens", 1, Decimal("0.8"),
         Decimal("0.05"), Decimal("0.04"), Decimal("0.04")),
        ("key-b", "API Key", HAIKU, "Output Tokens", 10_000, Decimal("0.01"), "1000000 Tokens", 5, 4,
         Decimal("0.05"), Decimal("0.04"), Decimal("0.04")),
        ("ws-a", "Workspace", HAIKU, "Cache Read Tokens", 200_000, Decimal("0.2"), "1000000 Tokens", Decimal("0.1"),
         Decimal("0.08"), Decimal("0.02"), Decimal("0.016"), Decimal("0.016")),
        ("ws-a", "Workspace", HAIKU, "Cache Write 5m Tokens", 40_000, Decimal("0.04"), "1000000 Tokens",
         Decimal("1.25"), 1, Decimal("0.05"), Decimal("0.04"), Decimal("0.04")),
        ("ws-a", "Workspace", HAIKU, "Input Tokens", 100_000, Decimal("0.1"), "1000000 Tokens", 1, Decimal("0.8"),
         Decimal("0.1"), Decimal("0.08"), Decimal("0.08")),
        ("ws-a", "Workspace", HAIKU, "Output Tokens", 20_000, Decimal("0.02"), "1000000 Tokens", 5, 4,
         Decimal("0.1"), Decimal("0.08"), Decimal("0.08")),
        ("ws-a", "Workspace", SONNET, "Input Tokens", 10_000, Decimal("0.01"), "1000000 Tokens", 3, 3,
         Decimal("0.03"), Decimal("0.03"), Decimal("0.03")),
        ("ws-a", "Workspace", SONNET, "Output Tokens", 1_000, Decimal("0.001"), "1000000 Tokens", 15, 15,
         Decimal("0.015"), Decimal("0.015"), Decimal("0.015")),
        ("ws-a", "Workspace", SONNET, "Web Search Requests", 3, Decimal("0.003"), "1000 Requests", 10, 10,
         Decimal("0.03"), Decimal("0.03"), Decimal("0.03")),
    ]
    # $0.216 + $0.08 under the contract, $0.075 at list price; the unpriced mystery-model row is in neither
    assert con.sql("select sum(ListCost), sum(BilledCost) from focus").fetchall() == [
        (Decimal("0.445"), Decimal("0.371"))]
    assert query(load_settings(str(contract_home), str(tmp_path / "home")),
                 "select sum(cost_usd) from spend where month = '2026-02-01'") == [(Decimal("0.371"),)]
    assert con.sql("select distinct BillingAccountId, ProviderName, PublisherName, InvoiceIssuerName, ServiceName, "
                   "ServiceCategory, ServiceSubcategory, ChargeCategory, ChargeClass, ChargeFrequency, "
                   "PricingCategory, BillingCurrency, x_App, x_CostSource from focus").fetchall() == [
        ("anthropic", "Anthropic", "Anthropic", "Anthropic", "Anthropic API", "AI and Machine Learning",
         "Generative AI", "Usage", None, "Usage-Based", "Standard", "USD", "bot", "spendlog estimate")]
    assert con.sql("select SkuId, SkuPriceId, ChargeDescription, SkuPriceDetails from focus "
                   "where SubAccountId = 'key-b' order by SkuId").fetchall() == [
        ("anthropic/claude-haiku-4-5/input", "anthropic/claude-haiku-4-5@2025-10-15:input:standard",
         "claude-haiku-4-5 input tokens (standard)",
         '{"x_PriceTier":"standard","x_PriorityRates":false,"x_Batch":false,"x_UsOnlyInference":false,'
         '"x_FlexTier":false}'),
        ("anthropic/claude-haiku-4-5/output", "anthropic/claude-haiku-4-5@2025-10-15:output:standard",
         "claude-haiku-4-5 output tokens (standard)",
         '{"x_PriceTier":"standard","x_PriorityRates":false,"x_Batch":false,"x_UsOnlyInference":false,'
         '"x_FlexTier":false}'),
    ]


def test_csv_export_has_the_same_rows_with_utc_timestamps(contract_home, tmp_path, home):
    settings = load_settings(str(contract_home), str(home))
    parquet = export_focus(settings, dt.date(2026, 2, 1), tmp_path / "feb.parquet")
    as_csv = export_focus(settings, dt.date(2026, 2, 1), tmp_path / "feb.CSV")
    assert (as_csv.rows, as_csv.billed_usd, as_csv.unpriced_rows) == (parquet.rows, parquet.billed_usd, 1) == (
        9, Decimal("0.371"), 1)
    with open(tmp_path / "feb.CSV", newline="") as handle:
        header, *lines = csv.reader(handle)
    assert header == list(FOCUS_COLUMNS)
    first = dict(zip(header, lines[0]))
    assert (first["ChargePeriodStart"], first["BillingPeriodEnd"], first["ChargeClass"], first["ConsumedQuantity"]) \
        == ("2026-02-10T05:00:00Z", "2026-03-01T05:00:00Z", "", "50000.0")
    assert not list(tmp_path.glob(".*.tmp"))


def test_out_must_be_csv_or_parquet(contract_home, run, tmp_path):
    result = run("export", "focus", "--month", "2026-02", "--out", tmp_path / "feb.json", config=contract_home)
    assert result.exit_code == 2
    assert "feb.json: the file name must end in .csv or .parquet" in result.stderr
    assert run("export", "focus", "--month", "Feb", "--out", tmp_path / "f.csv", config=contract_home).exit_code == 2


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo") / "home"
    result = CliRunner().invoke(cli, ["--home", str(home), "demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return home


@pytest.mark.parametrize("month", ["2026-02", "2026-03"])
def test_billed_cost_sums_to_the_months_spend_on_the_demo(demo_home, tmp_path, month):
    settings = load_settings(str(demo_home / "sample_logs" / "spendlog.toml"), str(demo_home))
    first = dt.date.fromisoformat(f"{month}-01")
    export = export_focus(settings, first, tmp_path / "focus.parquet")
    (spend,) = query(settings, "select sum(cost_usd) from spend where month = $m", {"m": first})[0]
    con = read(tmp_path / "focus.parquet")
    assert con.execute("select sum(BilledCost) from focus").fetchall() == [(export.billed_usd,)] == [(spend,)]
    assert export.unpriced_rows == 0
    # a SKU price has one unit price; every row's costs are its unit prices times its quantity (to 1e-9)
    assert con.sql("select SkuPriceId from focus group by all "
                   "having count(distinct (ListUnitPrice, ContractedUnitPrice)) > 1").fetchall() == []
    assert con.sql("select count(*) from focus where abs(ListUnitPrice * PricingQuantity - ListCost) > 1e-9 "
                   "or abs(ContractedUnitPrice * PricingQuantity - ContractedCost) > 1e-9").fetchall() == [(0,)]
    assert con.sql("select count(*) from (select distinct ChargePeriodStart, SubAccountId, x_App, x_Model, "
                   "SkuPriceId from focus)").fetchall() == [(export.rows,)]


def validator_command() -> list[str] | None:
    """The FOCUS validator, from $FOCUS_VALIDATOR or PATH. It needs Python 3.12+ and duckdb < 2, so it lives in a
    virtualenv of its own (pip install focus-validator) and is run as a command."""
    found = os.environ.get("FOCUS_VALIDATOR") or shutil.which("focus-validator")
    return [found] if found else None


CRITERIA = ("USAGE_MEASUREMENT_SUPPORTED,PUBLIC_PRICE_LIST_SUPPORTED,UNIT_PRICING_SUPPORTED,"
            "NEGOTIATED_PRICING_SUPPORTED,SUB_ACCOUNT_SUPPORTED,MULTIPLE_SUB_ACCOUNT_TYPES_SUPPORTED,"
            "ACCOUNT_NAMING_SUPPORTED")


def validate(command: list[str], path: Path) -> list[str]:
    """The rules the validator fails on the export at path."""
    # the validator reads its currency list from a path relative to the working directory: its site-packages
    site = subprocess.run([str(Path(command[0]).with_name("python")), "-c",
                           "import focus_validator, pathlib; print(pathlib.Path(focus_validator.__file__).parents[1])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    result = subprocess.run(command + ["--data-file", str(path), "--validate-version", "1.2", "--block-download",
                                       "--applicability-criteria", CRITERIA],
                            capture_output=True, text=True, cwd=site)
    assert result.returncode == 0, result.stderr
    return [line.split(":")[0].split()[-1] for line in result.stdout.splitlines() if ": FAIL" in line]


# InvoiceId-C-005-C ("MUST NOT be null when the charge is on an invoice") is one branch of the OR rule
# InvoiceId-C-003-C, which passes: these charges are on no invoice, so InvoiceId is null (C-004-C).
ONLY_FAILURE = ["InvoiceId-C-005-C"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_the_focus_validator_passes_the_demo_export(demo_home, tmp_path, suffix):
    command = validator_command()
    if command is None:
        pytest.skip("focus-validator is not installed (set FOCUS_VALIDATOR to its command)")
    settings = load_settings(str(demo_home / "sample_logs" / "spendlog.toml"), str(demo_home))
    path = tmp_path / f"focus{suffix}"
    export_focus(settings, dt.date(2026, 2, 1), path)
    assert validate(command, path) == ONLY_FAILURE


def stated_month(tmp_path, settings) -> Path:
    """March 2026's export of a catalogue-priced request, an Anthropic cost report and an OpenRouter generation."""
    from test_stated_cost import openrouter
    from conftest import fixture
    from pipeline.ingest import ingest
    logs = write_jsonl(tmp_path / "in" / "app.jsonl", [app_record(ts="2026-03-14T10:00:00.000Z")])
    ingest(settings, [str(logs), str(fixture(tmp_path, "anthropic_cost_report.json")),
                      str(openrouter(tmp_path, "dearer.json", total_cost=0.02, created_at="2026-03-13T09:00:00+00:00"))])
    return tmp_path / "mar.parquet"


def test_the_focus_validator_passes_stated_charges(tmp_path, settings):
    command = validator_command()
    if command is None:
        pytest.skip("focus-validator is not installed (set FOCUS_VALIDATOR to its command)")
    path = stated_month(tmp_path, settings)
    export_focus(settings, dt.date(2026, 3, 1), path)
    assert validate(command, path) == ONLY_FAILURE


def test_stated_rows_are_billed_at_their_stated_cost(tmp_path, settings):
    # the Anthropic cost report states $17.5049017 for 2026-03-12 (4 Sonnet 4.5 lines, $17.1349017, and a web-search
    # line, $0.37); OpenRouter charged $0.02 on 2026-03-13 where the catalogue says $0.0111036; a haiku request on
    # 2026-03-14 is priced by the catalogue: 100 input × $1 + 20 output × $5 per 1M = $0.0002.
    # Total: 17.5049017 + 0.02 + 0.0002 = $17.5251017.
    export = export_focus(settings, dt.date(2026, 3, 1), stated_month(tmp_path, settings))
    assert query(settings, "select sum(cost_usd) from spend") == [(Decimal("17.5251017"),)]
    assert (export.rows, export.billed_usd, export.unpriced_rows) == (5, Decimal("17.5251017"), 0)
    con = read(tmp_path / "mar.parquet")
    assert con.sql("select BillingAccountId, SkuId, SkuMeter, ConsumedQuantity, ConsumedUnit, PricingQuantity, "
                   "PricingUnit, ListUnitPrice, ListCost, EffectiveCost, BilledCost, x_CostSource from focus "
                   "where x_CostSource <> 'spendlog estimate' order by BilledCost desc").fetchall() == [
        ("anthropic", "anthropic/claude-sonnet-4-5/stated", "Stated Cost", 4, "Charges", Decimal("17.1349017"),
         "USD", 1, Decimal("17.1349017"), Decimal("17.1349017"), Decimal("17.1349017"), "stated by the source"),
        ("anthropic", "anthropic/other/stated", "Stated Cost", 1, "Charges", Decimal("0.37"), "USD", 1,
         Decimal("0.37"), Decimal("0.37"), Decimal("0.37"), "stated by the source"),
        ("openrouter", "anthropic/claude-sonnet-4-5/stated", "Stated Cost", 1, "Charges", Decimal("0.02"), "USD", 1,
         Decimal("0.02"), Decimal("0.02"), Decimal("0.02"), "stated by the source"),
    ]
    assert con.sql("select ChargeDescription from focus where BillingAccountId = 'openrouter'").fetchall() == [
        ("claude-sonnet-4-5 charges as OpenRouter states them (not a catalogue price)",)]
    # the catalogue's request keeps its token charges: $0.0001 input + $0.0001 output
    assert con.sql("select SkuMeter, BilledCost from focus where x_CostSource = 'spendlog estimate' "
                   "order by SkuMeter").fetchall() == [("Input Tokens", Decimal("0.0001")),
                                                        ("Output Tokens", Decimal("0.0001"))]
