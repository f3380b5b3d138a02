"""User prices and contract multipliers, `spendlog prices check|list|explain` and what-if pricing (price_as).
Every amount is worked out by hand, to the micro-dollar."""
import csv
import datetime as dt
import os
import re
from decimal import Decimal

import duckdb
import pytest
from click.testing import CliRunner

from conftest import ROOT, app_record, write_jsonl
from pipeline import pricing, sql_text
from pipeline.cli import cli
from pipeline.config import load_settings
from pipeline.views import open_views
from pipeline.ingest import ingest
from pipeline.pricing import catalog as pricing_catalog
from pipeline.pricing.explain import explain_rows


BUNDLED_PRICES = sum(1 for _ in csv.DictReader(open(ROOT / "pipeline" / "catalog" / "prices.csv", encoding="utf-8")))
BUNDLED_ALIASES = sum(1 for _ in csv.DictReader(open(ROOT / "pipeline" / "catalog" / "model_aliases.csv",
                                                     encoding="utf-8")))
IMPORTED = duckdb.connect()
pricing.load_catalog(IMPORTED)
IMPORTED_PRICES, IMPORTED_ALIASES = IMPORTED.execute(
    "select (select count(*) from price_catalog where layer = 'imported'), "
    "(select count(*) from model_aliases where layer = 'imported')").fetchall()[0]
LAYERS_OK = f"{BUNDLED_PRICES} curated + {IMPORTED_PRICES} imported"
ALIASES_OK = f"{BUNDLED_ALIASES} curated + {IMPORTED_ALIASES} imported aliases"
HEADER = "provider,model,effective_from,effective_to,input,output,cache_read,contract_multiplier,source\n"
USER_PRICES = (HEADER
               + "acme,acme-large,2026-01-01,,2,8,,,internal price list\n"
               + "anthropic,claude-sonnet-4-6,2026-03-01,2026-04-01,,,,0.8,contract ACME-2026 (20% off)\n")
NOV_2026 = 1_795_000_000  # file mtimes: far enough ahead that no test timestamp is "after the file's mtime + 1 day"


def catalogue_line(model: str, effective_from: str) -> int:
    """The line of pipeline/catalog/prices.csv that prices model from effective_from."""
    with open(ROOT / "pipeline" / "catalog" / "prices.csv", encoding="utf-8") as handle:
        return next(i + 2 for i, row in enumerate(csv.DictReader(handle))
                    if (row["model"], row["effective_from"]) == (model, effective_from))


def d(value: str) -> Decimal:
    return Decimal(value)


def sonnet(request_id, ts):
    return app_record(request_id, ts=ts, model="claude-sonnet-4-6", input_tokens=100_000, output_tokens=2_000,
                      app="writer", cache_read_input_tokens=50_000)


def acme(request_id, ts="2026-03-05T10:00:00Z"):
    return {**app_record(request_id, ts=ts, model="acme-large", input_tokens=1_000_000, output_tokens=500_000,
                         app="labs"), "provider": "acme"}


RECORDS = [
    app_record("req_haiku", ts="2026-03-05T10:00:00Z", input_tokens=10_000, output_tokens=1_000),
    app_record("req_opus_long", ts="2026-02-25T14:42:36.766Z", model="claude-opus-4-6", input_tokens=208_844,
               output_tokens=3_646, app="writer"),
    sonnet("req_sonnet_feb", "2026-02-28T23:59:59Z"),
    sonnet("req_sonnet_mar", "2026-03-01T00:00:00Z"),
    sonnet("req_sonnet_mar_end", "2026-03-31T23:59:59Z"),
    sonnet("req_sonnet_apr", "2026-04-01T00:00:00Z"),
    acme("req_acme"),
    app_record("req_dup", ts="2026-03-06T09:00:00Z", input_tokens=2_000, output_tokens=100),
    acme("req_dup", ts="2026-03-06T09:00:01Z"),
    {"ts": "2026-03-06T10:00:00Z", "app": "test-app", "request_id": "req_429", "http_status": 429,
     "model_requested": "no-such-model", "error": {"type": "error", "error": {"type": "rate_limit_error"}}},
]


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    """A small home: ten app-log records, with and without the user prices in config."""
    folder = tmp_path_factory.mktemp("prices")
    logs = write_jsonl(folder / "logs" / "app.jsonl", RECORDS)
    os.utime(logs, (NOV_2026, NOV_2026))
    (folder / "user_prices.csv").write_text(USER_PRICES)
    (folder / "with_prices.toml").write_text('[prices]\nuser_file = "user_prices.csv"\n')
    (folder / "plain.toml").write_text('timezone = "UTC"\n')
    home = folder / "home"
    summary = ingest(load_settings(str(folder / "plain.toml"), str(home)), [str(logs)]).as_dict()
    assert (summary["rows_loaded"], summary["rows_rejected"]) == (len(RECORDS), 0)
    return folder


@pytest.fixture
def spendlog(lake, monkeypatch):
    """Invoke the CLI on the module's home; config= picks the config file (with_prices by default)."""
    for name in ("SPENDLOG_HOME", "SPENDLOG_CONFIG", "SPENDLOG_NOW", "SPENDLOG_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def invoke(*args, config="with_prices.toml"):
        return runner.invoke(cli, ["--home", str(lake / "home"), "--config", str(lake / config), *args],
                             catch_exceptions=False)

    return invoke


def views(lake, config="with_prices.toml"):
    return open_views(load_settings(str(lake / config), str(lake / "home")))


def costs(lake, config="with_prices.toml"):
    con = views(lake, config)
    rows = con.execute("select request_id, provider, price_id, cost_usd from priced_usage order by all").fetchall()
    con.close()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


# --- user prices ----------------------------------------------------------------------------------------------------

def test_a_private_model_is_priced_only_by_the_user_file(lake):
    assert costs(lake, "plain.toml")[("req_acme", "acme")] == (None, None)
    # 1M input x $2 + 500K output x $8
    assert costs(lake)[("req_acme", "acme")] == ("user:acme/acme-large@2026-01-01", d("6"))


def test_a_20_percent_discount_on_sonnet_for_march_2026_only(lake):
    cost = costs(lake)
    # 100K x $3 + 50K cache reads x $0.30 + 2K x $15 = $0.345 at list price; x 0.8 = $0.276 in March
    assert {k[0]: v[1] for k, v in cost.items() if k[0].startswith("req_sonnet")} == {
        "req_sonnet_feb": d("0.345"), "req_sonnet_mar": d("0.276"), "req_sonnet_mar_end": d("0.276"),
        "req_sonnet_apr": d("0.345")}
    # the contract multiplies whichever price row is in force: it spans Sonnet 4.6's 2026-03-13 price change
    assert [cost[(r, "anthropic")][0] for r in ("req_sonnet_mar", "req_sonnet_mar_end")] == [
        "anthropic/claude-sonnet-4-6@2026-02-17", "anthropic/claude-sonnet-4-6@2026-03-13"]
    assert cost[("req_haiku", "anthropic")][1] == d("0.015")  # other models keep their price


def test_contract_rows_by_model_beat_provider_wide_ones_and_stack_on_a_priced_row(tmp_path):
    user = tmp_path / "p.csv"
    user.write_text(HEADER
                    + "anthropic,*,2026-01-01,,,,,0.9,enterprise agreement\n"
                    + "anthropic,claude-sonnet-4-6,2026-03-01,2026-04-01,,,,0.8,\n"
                    + "acme,acme-large,2026-01-01,,2,8,,0.5,half price row\n"
                    + "acme,*,2026-01-01,,,,,0.5,\n")
    con = duckdb.connect()
    con.execute(sql_text("schema/usage.sql"))
    pricing.load_catalog(con, user)
    con.execute("create temp table pricing_input as select * from usage_schema where false")
    con.execute("insert into pricing_input (request_id, provider, model, ts, input_tokens, billable) values "
                "('sonnet', 'anthropic', 'claude-sonnet-4-6', '2026-03-20 00:00:00+00', 1000000, true), "
                "('haiku', 'anthropic', 'claude-haiku-4-5', '2026-03-05 00:00:00+00', 1000000, true), "
                "('acme', 'acme', 'acme-large', '2026-03-05 00:00:00+00', 1000000, true)")
    rows = pricing.price(con).select("request_id, cost_usd").order("request_id").fetchall()
    assert rows == [("acme", d("0.5")),  # $2 x 0.5 (the row) x 0.5 (acme's contract)
                    ("haiku", d("0.9")),  # $1 x 0.9 (every anthropic model)
                    ("sonnet", d("2.4"))]  # $3 x 0.8 (the model's own contract wins over anthropic/*)


def test_problems_name_the_file_the_line_and_what(tmp_path):
    user = tmp_path / "p.csv"
    user.write_text("provider,model,effective_from,effective_to,input,output,contract_multiplier\n"
                    "acme,a,2026-13-01,,1,2,\n"
                    "acme,b,2026-01-01,2025-01-01,1,2,\n"
                    "acme,c,2026-01-01,,1,$2,\n"
                    ",d,,,1,2,\n"
                    "acme,e,2026-01-01,,,,\n"
                    "anthropic,claude-nope,2026-01-01,,,,0.5\n"
                    "acme,f,2026-01-01,,1,2,3,4\n"
                    "acme,g,2026-01-01,,-0.5,2,\n")
    problems = [str(p) for p in pricing.read_catalog(duckdb.connect(), user)]
    assert problems == [
        f"{user}: line 2: effective_from '2026-13-01' is not a date (YYYY-MM-DD)",
        f"{user}: line 3: effective_to 2025-01-01 is not after effective_from 2026-01-01",
        f"{user}: line 4: output '$2' is not a number",
        f"{user}: line 5: provider and effective_from are empty",
        f"{user}: line 6: no rates and no contract_multiplier",
        f"{user}: line 7: contract multiplier for anthropic/claude-nope, which has no price row",
        f"{user}: line 8: 8 values for 7 columns",
        f"{user}: line 9: input is negative (-0.5)",
    ]
    user.write_text("provider,model,effective_from,price,Model\nacme,m,2026-01-01,1,\n")
    assert [str(p) for p in pricing.read_catalog(duckdb.connect(), user)] == [
        f"{user}: line 1: unknown column price", f"{user}: line 1: column model appears twice"]
    user.write_text("provider,model,effective_from,input\nanthropic,Claude-Haiku-4-5-20251001,2026-01-01,0.5\n")
    [problem] = [str(p) for p in pricing.read_catalog(duckdb.connect(), user)]
    assert re.fullmatch(f"{re.escape(str(user))}: line 2: model claude-haiku-4-5-20251001 is a spelling of "
                        r"claude-haiku-4-5 \(pipeline/catalog/model_aliases.csv line \d+\): "
                        "name the catalogue model claude-haiku-4-5", problem)
    user.write_text("provider,model,effective_from,price,Model\nacme,m,2026-01-01,1,\n")
    with pytest.raises(pricing.UserPricesError, match=r"^prices.user_file .*p.csv: line 1: unknown column price "
                                                      r"\(and 1 more: `spendlog prices check` lists them\)$"):
        pricing.load_catalog(duckdb.connect(), user)


def test_a_bad_user_file_exits_78_with_one_line(spendlog, lake, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "acme,acme-large,2026-01-01,,2,-8,,,oops\n")
    config = tmp_path / "bad.toml"
    config.write_text(f'[prices]\nuser_file = "{bad}"\n')
    for command in (["prices", "list"], ["sql", "select 1"], ["prices", "explain", "req_haiku"]):
        result = spendlog(*command, config=config)
        assert result.exit_code == 78, command
        assert result.stderr == f"spendlog: config: prices.user_file {bad}: line 2: output is negative (-8)\n"


# --- prices check -----------------------------------------------------------------------------------------------------

def test_check_is_clean_with_the_user_prices(spendlog):
    result = spendlog("prices", "check")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"catalogue OK: {LAYERS_OK} + 2 yours prices, {ALIASES_OK}, 4 lake models priced\n"


def test_check_lists_every_problem(spendlog, tmp_path):
    user = tmp_path / "broken.csv"
    user.write_text(HEADER
                    + "acme,acme-large,2026-01-01,2026-02-01,2,8,,,first price\n"
                    + "acme,acme-large,2026-03-01,,2,8,,,after a gap\n"
                    + "acme,acme-large,2026-03-15,,2,9,,,overlaps\n"
                    + "acme,acme-small,2026-01-01,,-1,4,,,negative\n")
    config = tmp_path / "broken.toml"
    config.write_text(f'[prices]\nuser_file = "{user}"\n')
    result = spendlog("prices", "check", config=config)
    assert result.exit_code == 1
    assert result.stdout == (
        f"{user}: line 4: overlaps line 3: both price acme/acme-large on 2026-03-15\n"
        f"{user}: line 5: input is negative (-1)\n"
        f"{user}: line 3: acme/acme-large has no price from 2026-02-01 to 2026-02-28, before this row\n")
    assert result.stderr == "spendlog: prices check: 3 problems\n"


def test_check_finds_lake_models_without_a_price(spendlog):
    result = spendlog("prices", "check", config="plain.toml")
    assert result.exit_code == 1
    assert result.stdout == "lake: acme model 'acme-large' matches no catalogue model or alias on 2 days from " \
                            "2026-03-05 to 2026-03-06 (2 billable rows)\n"


def test_check_finds_a_lake_model_outside_its_price_dates(spendlog, tmp_path):
    user = tmp_path / "late.csv"
    user.write_text(HEADER + "acme,acme-large,2026-03-06,,2,8,,,from the 6th\n")
    config = tmp_path / "late.toml"
    config.write_text(f'[prices]\nuser_file = "{user}"\n')
    result = spendlog("prices", "check", config=config)
    assert result.stdout == "lake: acme model 'acme-large' is acme-large, which has no price row on 2026-03-05 " \
                            "(1 billable row)\n"


def test_check_finds_an_alias_matching_two_models(spendlog, tmp_path, monkeypatch):
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("provider,pattern,model\n"
                       "anthropic,claude-haiku-4-5(-\\d{8})?,claude-haiku-4-5\n"
                       "anthropic,claude-(3-)?haiku-4.*,claude-3-haiku\n")
    monkeypatch.setattr(pricing_catalog, "ALIASES_CSV", aliases)
    result = spendlog("prices", "check")
    assert result.exit_code == 1
    assert result.stdout == (
        f"{aliases}: line 3: alias claude-(3-)?haiku-4.* maps canonical claude-haiku-4-5 to claude-3-haiku\n"
        f"{aliases}: lines 2, 3: anthropic model 'claude-haiku-4-5-20251001' in the lake matches aliases of "
        "claude-3-haiku and claude-haiku-4-5\n")


def test_check_passes_on_the_demo(tmp_path, monkeypatch):
    for name in ("SPENDLOG_HOME", "SPENDLOG_CONFIG", "SPENDLOG_NOW"):
        monkeypatch.delenv(name, raising=False)
    runner, home = CliRunner(), str(tmp_path / "demo")
    assert runner.invoke(cli, ["--home", home, "demo"]).exit_code == 0
    result = runner.invoke(cli, ["--home", home, "prices", "check"])
    assert (result.exit_code, result.stdout) == (
        0, f"catalogue OK: {LAYERS_OK} prices, {ALIASES_OK}, 4 lake models priced\n")
    explained = runner.invoke(cli, ["--home", home, "prices", "explain", "req_011C9NZeyanHFK47G4FiPQwf"])
    assert explained.exit_code == 0
    assert "  total          $2.225165, the cost_usd in priced_usage\n" in explained.stdout


# --- prices list ------------------------------------------------------------------------------------------------------

def test_list_shows_the_rows_in_force(spendlog, monkeypatch):
    monkeypatch.setenv("SPENDLOG_NOW", "2026-03-10T12:00:00Z")
    result = spendlog("prices", "list", "--provider", "acme")
    assert result.exit_code == 0
    assert result.stdout == (
        "Prices in force on 2026-03-10 (UTC), USD per 1M tokens; long context: input above the threshold, "
        "input / output\n"
        "provider  model       input  output  write 5m  write 1h  read  long context  batch  contract  since       "
        "layer  source\n"
        "--------  ----------  -----  ------  --------  --------  ----  ------------  -----  --------  ----------  "
        "-----  -------------------\n"
        "acme      acme-large      2       8                                                           2026-01-01  "
        "user   internal price list\n"
        "(1 model)\n")


def test_list_names_the_layer_and_shows_one_layer(spendlog):
    def models(*args):
        lines = spendlog("prices", "list", "--at", "2026-11-20", *args).stdout.splitlines()[3:-1]
        return {(line.split()[0], line.split()[1]): line for line in lines}

    imported = models("--source", "imported", "--provider", "openai")
    assert "  imported  genai-prices 0.2.3 openai/gpt-5.5" in imported[("openai", "gpt-5.5")]
    assert ("openai", "gpt-4o") not in imported  # curated: never priced by the imported layer
    bundled = models("--source", "bundled", "--provider", "openai")
    assert ("openai", "gpt-5.5") not in bundled and "  bundled  " in bundled[("openai", "gpt-4o")]
    assert set(models("--source", "user")) == {("acme", "acme-large")}
    assert spendlog("prices", "list", "--source", "curated").exit_code == 2


def test_list_at_a_date_shows_tiers_and_the_contract(spendlog):
    lines = spendlog("prices", "list", "--at", "2026-03-01", "--provider", "anthropic").stdout.splitlines()
    sonnet = next(line for line in lines if " claude-sonnet-4-6 " in line).split()
    assert sonnet[:13] == ["anthropic", "claude-sonnet-4-6", "3", "15", "3.75", "6", "0.3", ">200,000:", "6", "/",
                           "22.5", "×0.5", "×0.8"]
    assert sonnet[13:15] == ["2026-02-17", "bundled"]
    after = spendlog("prices", "list", "--at", "2026-04-01", "--provider", "anthropic").stdout
    assert "×0.8" not in after
    assert spendlog("prices", "list", "--at", "2026-03-32").exit_code == 2


# --- prices explain ---------------------------------------------------------------------------------------------------

def test_explain_the_long_context_request(spendlog, lake):
    result = spendlog("prices", "explain", "req_opus_long")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"""\
req_opus_long: 2026-02-25 14:42:36.766 UTC, app writer
  logged         anthropic model 'claude-opus-4-6' (app_log: {lake / 'logs' / 'app.jsonl'} line 2)
  model          claude-opus-4-6: the logged name is the catalogue name
  price row      anthropic/claude-opus-4-6@2026-02-19, in force 2026-02-19 to 2026-03-12 (bundled catalogue, \
pipeline/catalog/prices.csv line {catalogue_line('claude-opus-4-6', '2026-02-19')}: ClaudeDocs pricing.md @2026-02-21..2026-03-10 (8ae88ba9, 98882097))
  tier           long_context: total input 208,844 (208,844 uncached + 0 cache writes + 0 cache reads) is above \
the 200,000 threshold, so every token is billed at the long-context rates
  input          208,844 tokens × $10 per 1M = $2.08844
  output         3,646 tokens × $37.5 per 1M = $0.136725
  multipliers    none (not a batch request, no US-only inference, no flex tier, no contract)
  total          $2.225165, the cost_usd in priced_usage
  what if        without caching $2.225165, without batch $2.225165
"""


def test_explain_a_discounted_request(spendlog, lake):
    result = spendlog("prices", "explain", "req_sonnet_mar")
    assert result.stdout.splitlines()[4:] == [
        "  tier           standard: total input 150,000 (100,000 uncached + 0 cache writes + 50,000 cache reads) "
        "is not above the 200,000 threshold",
        f"  contract       ×0.8 from user:anthropic/claude-sonnet-4-6@2026-03-01:contract "
        f"({lake / 'user_prices.csv'} line 3: contract ACME-2026 (20% off))",
        "  input          100,000 tokens × $3 per 1M = $0.3 × 0.8 contract = $0.24",
        "  cache read     50,000 tokens × $0.3 per 1M = $0.015 × 0.8 contract = $0.012",
        "  output         2,000 tokens × $15 per 1M = $0.03 × 0.8 contract = $0.024",
        "  multipliers    contract ×0.8 on every charge",
        "  total          $0.276, the cost_usd in priced_usage",
        "  what if        without caching $0.384, without batch $0.276",  # (150K x $3 + 2K x $15) x 0.8
    ]


def test_explain_totals_equal_cost_usd_for_every_row(lake):
    con = views(lake)
    ids = [row[0] for row in con.execute("select distinct request_id from priced_usage").fetchall()]
    explained = [r for request_id in ids for r in explain_rows(con, request_id)]
    stored = con.execute("select count(*), count(cost_usd) from priced_usage").fetchall()[0]
    con.close()
    assert (len(explained), sum(r["cost_usd"] is not None for r in explained)) == stored
    assert all(r["cost_usd"] == r["recorded_cost_usd"] for r in explained)


def test_explain_every_row_of_a_repeated_request_id(spendlog):
    result = spendlog("prices", "explain", "req_dup")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "2 rows have request id req_dup; each is explained."
    assert [line for line in lines if line.startswith("req_dup")] == [
        "req_dup (row 1 of 2): 2026-03-06 09:00:00 UTC, app test-app",
        "req_dup (row 2 of 2): 2026-03-06 09:00:01 UTC, app labs"]
    # haiku: 2,000 x $1 + 100 x $5; acme-large: 1M x $2 + 500K x $8
    assert [line for line in lines if line.startswith("  total")] == [
        "  total          $0.0025, the cost_usd in priced_usage", "  total          $6, the cost_usd in priced_usage"]


def test_explain_unpriced_and_unbillable_rows_in_words(spendlog):
    result = spendlog("prices", "explain", "req_acme", config="plain.toml")
    assert result.stdout.splitlines()[2:] == [
        "  model          'acme-large' matches no catalogue model or alias",
        "  unpriced       cost_usd is NULL: the model 'acme-large' matches no catalogue model or alias"]
    result = spendlog("prices", "explain", "req_429")
    assert result.stdout.splitlines()[2] == (
        "  not billable   HTTP 429 rate_limit_error: costs $0 (errors, rate limits and failed batch items are not billed)")


def test_explain_a_money_only_export_row(tmp_path):
    from conftest import FIXTURES

    home = tmp_path / "home"
    ingest(load_settings(None, str(home)), [str(FIXTURES / "claude_api_cost_2026_03_12_to_2026_03_13.csv")])
    con = open_views(load_settings(None, str(home)))
    request_id = con.execute("select request_id from usage where source_line = 2").fetchall()[0][0]
    con.close()
    result = CliRunner().invoke(cli, ["--home", str(home), "prices", "explain", request_id])
    assert result.exit_code == 0, result.output
    # the export alone: nothing else prices the day, so its stated $0.25 is the spend
    assert result.stdout.splitlines()[2:] == [
        "  no usage       a row with no tokens to price (a money-only cost export)",
        "  total          stated by the source: $0.25 (reported_cost_usd); the catalogue would price it $0: nothing "
        "else prices this UTC day and biller, so cost_usd is the stated cost (cost_basis stated)"]


def test_explain_an_unknown_request_exits_1(spendlog):
    result = spendlog("prices", "explain", "req_nope")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", "spendlog: no request with id 'req_nope' in priced_usage\n")


# --- what-if pricing ----------------------------------------------------------------------------------------------

DEFAULTS = {"provider": "anthropic", "model": "claude-haiku-4-5-20251001", "ts": "2026-03-20 12:00:00+00",
            "billable": True, "batch": False, "grain": "request", "input_tokens": 0, "cache_write_5m_tokens": 0,
            "cache_write_1h_tokens": 0, "cache_read_tokens": 0, "output_tokens": 0, "web_search_requests": 0}


@pytest.fixture(scope="module")
def what_if():
    con = duckdb.connect()
    con.execute(sql_text("schema/usage.sql"))
    pricing.load_catalog(con)

    def price_as(target, *rows):
        con.execute("create or replace temp table what_if_rows as select * from usage_schema where false")
        for i, row in enumerate(rows):
            values = {**DEFAULTS, "request_id": f"r{i}", **row}
            con.execute(f"insert into what_if_rows ({', '.join(values)}) values ({', '.join(['?'] * len(values))})",
                        list(values.values()))
        relation = pricing.price_as(con, target, "what_if_rows")
        return [dict(zip(relation.columns, r)) for r in relation.fetchall()]

    price_as.con = con
    return price_as


def pick(row):
    return row["price_as_model"], row["price_as_price_id"], row["price_as_tier"], row["cost_as_usd"], row["price_as_flags"]


def test_haiku_requests_priced_as_opus_4_6(what_if):
    cached, long, batch = what_if(
        "claude-opus-4-6",
        dict(input_tokens=100_000, cache_write_5m_tokens=10_000, cache_read_tokens=20_000, output_tokens=5_000),
        dict(ts="2026-03-01 12:00:00+00", input_tokens=250_000, output_tokens=1_000),
        dict(batch=True, input_tokens=100_000, output_tokens=5_000))
    # 100K x $5 + 10K x $6.25 + 20K x $0.50 + 5K x $25
    assert pick(cached) == ("claude-opus-4-6", "anthropic/claude-opus-4-6@2026-03-13", "standard", d("0.6975"), [])
    # Haiku has no long-context tier; Opus 4.6 on 2026-03-01 does: 250K x $10 + 1K x $37.50
    assert pick(long) == ("claude-opus-4-6", "anthropic/claude-opus-4-6@2026-02-19", "long_context", d("2.5375"), [])
    # (100K x $5 + 5K x $25) x 0.5
    assert pick(batch)[3] == d("0.3125")


def test_cache_writes_priced_as_gpt_4o_are_input_tokens(what_if):
    [row] = what_if("openai/gpt-4o-2024-08-06", dict(
        model="claude-sonnet-4-6", input_tokens=10_000, cache_write_5m_tokens=4_000, cache_write_1h_tokens=6_000,
        cache_read_tokens=20_000, output_tokens=1_000))
    # 10K x $2.50 + 10K writes x $2.50 (gpt-4o's input rate) + 20K x $1.25 + 1K x $10
    assert pick(row) == ("gpt-4o", "openai/gpt-4o@2024-08-06", "standard", d("0.085"), [])


def test_a_2025_request_priced_as_a_2026_model_uses_its_earliest_price(what_if):
    early, retired = what_if("claude-sonnet-4-6", dict(ts="2025-12-01 00:00:00+00", input_tokens=100_000,
                                                       output_tokens=10_000),
                             dict(ts="2025-12-01 00:00:00+00", billable=False, input_tokens=5))
    # the earliest row (2026-02-17): 100K x $3 + 10K x $15
    assert pick(early) == ("claude-sonnet-4-6", "anthropic/claude-sonnet-4-6@2026-02-17", "standard", d("0.45"),
                           ["price_as_earliest"])
    assert pick(retired)[3:] == (d("0"), [])
    [late] = what_if("claude-3-7-sonnet", dict(input_tokens=1_000_000))
    assert pick(late) == ("claude-3-7-sonnet", "anthropic/claude-3-7-sonnet@2025-02-24", "standard", d("3"),
                          ["price_as_latest"])


def test_us_only_inference_on_a_target_without_it_is_priced_at_list(what_if):
    [row] = what_if("claude-opus-4-5", dict(model="claude-opus-4-6", inference_geo="us", input_tokens=1_000_000))
    assert pick(row) == ("claude-opus-4-5", "anthropic/claude-opus-4-5@2025-11-24", "standard", d("5"),
                         ["price_as_no_geo"])


def test_price_as_keeps_every_column_and_the_order_of_rows(what_if):
    rows = what_if("gpt-4o", *[dict(input_tokens=1_000 * (i + 1)) for i in range(5)])
    assert [r["request_id"] for r in rows] == ["r0", "r1", "r2", "r3", "r4"]
    assert [r["cost_as_usd"] for r in rows] == [d("0.0025") * (i + 1) for i in range(5)]
    assert list(rows[0])[-5:] == pricing.PRICE_AS_COLUMNS


def test_price_as_is_a_table_macro_too(what_if):
    what_if("gpt-4o", dict(input_tokens=1_000_000))
    con = what_if.con
    assert con.execute("select cost_as_usd from price_as('gpt-4o', relation := 'what_if_rows')").fetchall() == [
        (d("2.5"),)]
    with pytest.raises(duckdb.InvalidInputException, match="price_as: 'gpt-9' is no catalogue model or alias"):
        con.execute("select * from price_as('gpt-9', relation := 'what_if_rows')").fetchall()


def test_an_unknown_target_is_one_line(what_if):
    with pytest.raises(pricing.CatalogError, match=r"^price_as: 'claude' is no catalogue model or alias$"):
        what_if("claude", dict(input_tokens=1))


def test_price_at_another_day_same_model(what_if):
    what_if("gpt-4o", dict(model="claude-opus-4-6", input_tokens=250_000, output_tokens=1_000),
            dict(model="claude-sonnet-4-6", input_tokens=100_000, cache_read_tokens=10_000))
    con = what_if.con
    prices = "select price_at_price_id, cost_at_usd, cost_without_cache_at_usd from price_at($day, 'what_if_rows')"
    # 28 February, Opus 4.6's long-context tier: 250K x $10 + 1K x $37.50; Sonnet 4.6: 100K x $3 + 10K x $0.30,
    # without caching 110K x $3
    assert con.execute(prices, {"day": dt.date(2026, 2, 28)}).fetchall() == [
        ("anthropic/claude-opus-4-6@2026-02-19", d("2.5375"), d("2.5375")),
        ("anthropic/claude-sonnet-4-6@2026-02-17", d("0.303"), d("0.33"))]
    # 20 March, the tier gone: 250K x $5 + 1K x $25; 10 February, before Sonnet 4.6: no price
    assert con.execute(prices, {"day": dt.date(2026, 3, 20)}).fetchall()[0][1] == d("1.275")
    assert con.execute(prices, {"day": dt.date(2026, 2, 10)}).fetchall()[1] == (None, None, None)


def test_price_as_over_priced_usage(lake):
    con = views(lake)
    rows = pricing.price_as(con, "claude-opus-4-6").filter("request_id = 'req_haiku'").select(
        "cost_usd, cost_as_usd").fetchall()
    con.close()
    assert rows == [(d("0.015"), d("0.075"))]  # 10K x $5 + 1K x $25


def test_what_if_columns_follow_the_definitions(what_if):
    what_if("gpt-4o", dict(model="claude-sonnet-4-6", batch=True, inference_geo="us", input_tokens=1_000_000,
                           cache_write_1h_tokens=1_000_000, cache_read_tokens=1_000_000))
    [row] = pricing.price(what_if.con, "what_if_rows").select(
        "cost_usd, cost_without_cache_usd, cost_without_batch_usd").fetchall()
    # billed: ($3 + $6 + $0.30) x 0.5 batch x 1.1 US-only; without cache: 3M tokens at the $3 input rate (no write
    # premium, no read discount), still batch and US-only; without batch: ($3 + $6 + $0.30) x 1.1
    assert row == (d("5.115"), d("4.95"), d("10.23"))
