"""The imported price layer (DESIGN.md §3, reference/price-audit-2026-12.md §4, §6): the genai-prices converter on a
hand-written release, the layers (an imported row never prices a curated model), the reviewed disagreements with
the curated rows, the README's counts and a pinned list of 100 current models. Amounts worked out by hand."""
import csv
import datetime as dt
import re
from decimal import Decimal

import duckdb
import pytest
from click.testing import CliRunner

from conftest import ROOT, app_record, price_rows, write_jsonl
from conftest import pricing_connection as con
from pipeline import pricing, sql_text
from pipeline.cli import cli
from pipeline.config import load_settings
from pipeline.ingest import ingest
from pipeline.pricing.genai_import import convert, read_release
from pipeline.views import open_views

CATALOG = ROOT / "pipeline" / "catalog"
RELEASE = ROOT / "tests" / "data" / "genai_prices_release"


def csv_rows(name: str) -> list[dict]:
    with open(CATALOG / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def d(value: str) -> Decimal:
    return Decimal(value)


# --- the converter --------------------------------------------------------------------------------------------------

def test_the_release_converts_to_dated_rows_and_aliases():
    version, providers = read_release(RELEASE)
    rows, aliases, skipped = convert(version, providers)
    pick = ["provider", "model", "effective_from", "effective_to", "input", "output", "cache_write_5m", "cache_read",
            "lc_threshold", "lc_input", "lc_output", "lc_cache_read", "batch_multiplier", "web_search_per_1k",
            "flex_multiplier", "priority_input", "priority_output", "priority_cache_read", "source"]
    assert [[r[c] for c in pick] for r in rows] == [
        # tiered at 200K; no cache-write price: the input rate, as genai-prices bills it; flex (flat) cannot be one
        # multiplier of tiered list rates, so it is left out
        ["acme", "acme-large", "2020-01-01", "2026-03-01", "2", "8", "2", "0.2", "200000", "4", "12", "0.2",
         "", "", "", "", "", "", "genai-prices 9.9.9 acme/Acme-Large"],
        # the dated price; no cache-read price: the input rate; flex 0.5 / 1 = 0.5
        ["acme", "acme-large", "2026-03-01", "2026-06-01", "1", "5", "1", "1", "", "", "", "", "", "10", "0.5",
         "", "", "", "genai-prices 9.9.9 acme/Acme-Large"],
        # batch 0.5 / 1 from its date; service_tier=fast is OpenAI's name for priority (2 / 10, cached at 2)
        ["acme", "acme-large", "2026-06-01", "", "1", "5", "1", "1", "", "", "", "", "0.5", "10", "0.5",
         "2", "10", "2", "genai-prices 9.9.9 acme/Acme-Large"],
        ["anthropic", "claude-3-opus-latest", "2020-01-01", "", "15", "75", "15", "15", "", "", "", "", "", "", "",
         "", "", "", "genai-prices 9.9.9 anthropic/claude-3-opus-latest"],
    ]
    assert rows[0]["notes"] == ("flex rates not one multiplier of the list rates: flex left out (billed at list "
                                "price); input_audio_mtok not mappable")
    assert aliases == [
        {"provider": "acme", "pattern": "acme-large-2026.*", "model": "acme-large"},
        {"provider": "acme", "pattern": ".*(?:^acme/large$).*", "model": "acme-large"},
        {"provider": "anthropic", "pattern": "claude-3-opus.*", "model": "claude-3-opus-latest"},
    ]
    assert dict(skipped) == {
        "alias: and clause (no regex form)": 1,
        "model: fast cache rates not 1.25x / 2x / 0.1x of fast input": 1,  # acme-fast: 1.5 is not 0.1 x 30
        "model: free (every price 0)": 1,
        "model: no input or output token price (other units only)": 1,  # acme-voice: audio only
        "price: flex rates not one multiplier of the list rates: flex left out": 1,
        "price: input_audio_mtok not mappable": 1,
    }


def test_the_command_writes_both_files_and_counts_what_it_skipped(tmp_path):
    out = tmp_path / "imported_prices.csv"
    result = CliRunner().invoke(cli, ["prices", "import-genai-prices", str(RELEASE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (f"genai-prices 9.9.9: 4 price rows for 2 models to {out}, 3 aliases to "
                        f"{tmp_path / 'imported_model_aliases.csv'}")
    assert lines[2:4] == ["     1  alias: and clause (no regex form)",
                          "     1  model: fast cache rates not 1.25x / 2x / 0.1x of fast input"]
    assert out.read_text().splitlines()[0] == (CATALOG / "prices.csv").read_text().splitlines()[0]
    assert (tmp_path / "imported_model_aliases.csv").read_text().splitlines()[0] == "provider,pattern,model"


@pytest.mark.parametrize("path, message", [
    ("nowhere.whl", "spendlog: nowhere.whl: no such wheel or folder\n"),
    ("README.md", "spendlog: README.md: not a wheel (a zip file) nor a folder\n"),
    ("tests", "spendlog: tests: not an unpacked genai-prices wheel (no genai_prices/data.py or "
              "genai_prices-*.dist-info/METADATA)\n"),
])
def test_a_bad_release_is_one_line(path, message, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["prices", "import-genai-prices", path, "--out", "/nonexistent/x.csv"])
    assert (result.exit_code in (65, 66), result.stderr) == (True, message)


def test_the_shipped_file_names_its_release_on_every_row():
    rows = csv_rows("imported_prices.csv")
    assert len(rows) > 2000
    assert {re.match(r"genai-prices \d+\.\d+\.\d+ ", r["source"]).group(0) for r in rows} == {"genai-prices 0.2.3 "}
    assert {r["verified"] for r in rows} == {"V3"}


# --- the layers -----------------------------------------------------------------------------------------------------

def priced(**row):
    """A row priced on 2026-11-20 unless it says otherwise."""
    return price_rows({"ts": "2026-11-20 12:00:00+00", **row})[0]


def test_the_three_layers_check_clean():
    assert pricing.read_catalog(duckdb.connect()) == []


def test_no_imported_row_prices_a_curated_model_or_spelling():
    c = con()
    assert c.execute("""
        select distinct i.provider, i.model from price_catalog i
        where i.layer = 'imported'
          and (exists (from price_catalog b where b.layer = 'bundled' and (b.provider, b.model) = (i.provider, i.model))
               or exists (from model_aliases a where a.layer = 'bundled' and a.provider = i.provider
                          and regexp_full_match(i.model, a.pattern)))""").fetchall() == []
    # the imported file has rows for them, shadowed: claude-3-opus-latest is a curated spelling of claude-3-opus
    shipped = {(r["provider"], r["model"]) for r in csv_rows("imported_prices.csv")}
    assert {("anthropic", "claude-sonnet-4-6"), ("anthropic", "claude-3-opus-latest")} <= shipped


def test_a_curated_model_outside_its_dates_stays_unpriced():
    # the imported claude-sonnet-4-6 starts at 2020-01-01; the curated rows on 2026-02-17: before it, no price
    r = priced(model="claude-sonnet-4-6", ts="2026-01-10 12:00:00+00", input_tokens=1000)
    assert (r["canonical_model"], r["price_id"], r["cost_usd"], r["price_flags"]) == (
        "claude-sonnet-4-6", None, None, ["no_price"])
    r = priced(model="claude-3-opus-latest", ts="2026-03-01 12:00:00+00", input_tokens=1000)  # retired 2026-01-05
    assert (r["canonical_model"], r["price_id"]) == ("claude-3-opus", None)


def test_an_imported_model_is_priced_by_its_rows():
    # gpt-5.5: $5 / $30, cache read $0.50; above 272,000 input tokens $10 / $45 / $1
    r = priced(provider="openai", model="gpt-5.5", input_tokens=100_000, cache_read_tokens=50_000,
               output_tokens=10_000)
    assert (r["price_id"], r["price_tier"]) == ("imported:openai/gpt-5.5@2026-10-14", "standard")
    assert r["cost_usd"] == d("0.5") + d("0.025") + d("0.3")
    r = priced(provider="openai", model="gpt-5.5-2026-04-23", input_tokens=250_000, cache_read_tokens=50_000,
               output_tokens=10_000)
    assert (r["canonical_model"], r["price_tier"]) == ("gpt-5.5", "long_context")
    assert r["cost_usd"] == d("2.5") + d("0.05") + d("0.45")
    # a Batch API request before genai-prices' batch rates (2026-10-14) is unpriced, never billed at list price
    r = priced(provider="openai", model="gpt-5.5", ts="2026-10-13 12:00:00+00", batch=True, input_tokens=1000)
    assert (r["cost_usd"], r["price_flags"]) == (None, ["no_rate:batch"])
    r = priced(provider="openai", model="gpt-5.5", ts="2026-10-14 12:00:00+00", batch=True, input_tokens=100_000)
    assert r["cost_usd"] == d("0.25")  # 100,000 x $5 per 1M x 0.5


def test_a_curated_alias_wins_over_an_imported_one():
    # genai-prices' anthropic `claude-2` model matches every string starting claude-2; curated spellings are not it
    r = priced(model="claude-2.1", input_tokens=1_000_000)
    assert (r["canonical_model"], r["price_id"], r["cost_usd"]) == ("claude-2", "imported:anthropic/claude-2@2020-01-01",
                                                                    d("8"))
    assert priced(model="claude-opus-4-6-20260205", input_tokens=1)["canonical_model"] == "claude-opus-4-6"


def test_user_rows_win_over_imported_rows(tmp_path):
    user = tmp_path / "mine.csv"
    user.write_text("provider,model,effective_from,effective_to,input,output\nopenai,gpt-5.5,2026-11-01,,4,20\n")
    c = duckdb.connect()
    c.execute(sql_text("schema/usage.sql"))
    pricing.load_catalog(c, user)
    c.execute("create temp table pricing_input as select * from usage_schema where false")
    c.execute("insert into pricing_input (request_id, provider, model, ts, billable, grain, input_tokens) values "
              "('a', 'openai', 'gpt-5.5', '2026-10-31 12:00:00+00', true, 'request', 100000), "
              "('b', 'openai', 'gpt-5.5', '2026-11-01 12:00:00+00', true, 'request', 100000)")
    assert pricing.price(c).select("request_id, price_id, cost_usd").order("request_id").fetchall() == [
        ("a", "imported:openai/gpt-5.5@2026-10-14", d("0.5")), ("b", "user:openai/gpt-5.5@2026-11-01", d("0.4"))]


def test_price_as_prefers_the_curated_name():
    c = con()
    assert c.execute("select * from price_as_target('claude-opus-4-6')").fetchall() == [("anthropic", "claude-opus-4-6")]
    # curated aliases beat the imported ones of every provider (openrouter's claude-2 matches claude-2.1 as well)
    assert c.execute("select * from price_as_target('claude-sonnet-4-6-20260217')").fetchall() == [
        ("anthropic", "claude-sonnet-4-6")]
    with pytest.raises(duckdb.InvalidInputException, match="'o4-mini' names azure/o4-mini and openai/o4-mini"):
        c.execute("select * from price_as_target('o4-mini')").fetchall()


# --- the reviewed disagreements with the curated rows (reference/price-audit-2026-12.md §1.2) --------------------------

FIELDS = ["input", "output", "cache_write_5m", "cache_write_1h", "cache_read", "lc_threshold", "lc_input", "lc_output",
          "lc_cache_write_5m", "lc_cache_write_1h", "lc_cache_read", "fast_input", "fast_output", "fast_lc_input",
          "fast_lc_output", "batch_multiplier", "us_geo_multiplier", "web_search_per_1k", "batch_cache_read_multiplier",
          "flex_multiplier", "priority_input", "priority_output", "priority_cache_read"]
BATCH = {"batch_multiplier", "batch_cache_read_multiplier"}
PRIORITY = {"priority_input", "priority_output", "priority_cache_read"}
LC = {"lc_threshold", "lc_input", "lc_output", "lc_cache_write_5m", "lc_cache_write_1h", "lc_cache_read"}
OPENAI_PRIORITY = {"gpt-4o", "gpt-4o-2024-05-13", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-5",
                   "gpt-5-mini", "gpt-5.2", "gpt-5.4-mini"}
GEMINI_TIERS = {"gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-3.1-pro-preview",
                "gemini-3-flash-preview"}
# (issue, reason, fields, models (None: any), curated value (None: blank, ANY), imported value, UTC dates [from, to))
ANY = "any"
ALLOWED = [
    ("D15", "genai-prices has batch rates only from 2026-10-14 and none for retired models: the imported row leaves "
            "batch blank, so batch requests stay unpriced (never billed at list price); gpt-5.4's batch rates are not "
            "one multiplier (its rounded $0.13 cached, D7)", BATCH, None, ANY, None, None, None),
    ("D8", "genai-prices keeps OpenAI's standard cached rate in batch (the Batch table has no cached rate); unsettled",
     {"batch_cache_read_multiplier"}, {"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano"},
     d("0.5"), d("1"), "2026-10-14", None),
    # D6 is fixed: the curated rows carry OpenAI's priority rates, equal to genai-prices' from 2026-10-12
    ("N", "genai-prices has no priority rates before 2026-10-12 (the curated rows have them on every date, D6)",
     PRIORITY, OPENAI_PRIORITY | {"gpt-5.4"}, ANY, ANY, None, "2026-10-12"),
    ("D9", "genai-prices does not model Gemini's Flex tier (-50% from 2026-04-02, V3)", {"flex_multiplier"},
     GEMINI_TIERS, d("0.5"), d("1"), "2026-04-02", None),
    ("D10", "genai-prices has no Gemini priority rates (1.8x from 2026-04-02, V3)", PRIORITY, GEMINI_TIERS, ANY, ANY,
     "2026-04-02", None),
    ("D16", "genai-prices has no flex rates before 2026-10-12", {"flex_multiplier"}, None, d("0.5"), d("1"), None,
     "2026-10-12"),
    ("D14", "genai-prices has no US-only inference multiplier", {"us_geo_multiplier"}, None, d("1.1"), None, None,
     None),
    ("D1", "genai-prices has no fast mode for Opus 4.6", {"fast_input", "fast_output", "fast_lc_input",
                                                          "fast_lc_output"}, {"claude-opus-4-6"}, ANY, None, None, None),
    ("D2", "genai-prices has no fast mode for Opus 4.7", {"fast_input", "fast_output"}, {"claude-opus-4-7"}, ANY, None,
     None, None),
    ("D3", "genai-prices lacks Sonnet 4's long-context tier", LC, {"claude-sonnet-4-0"}, ANY, None, "2025-08-12",
     "2026-04-30"),
    ("D17", "genai-prices keeps Sonnet 4.5's long-context tier after the 1M beta was retired (moot: such requests "
            "error)", LC, {"claude-sonnet-4-5"}, None, ANY, "2026-04-30", None),
    ("D4", "genai-prices has Sonnet 5.5's later $0.10 cache read before its 2026-10-07 cut",
     {"cache_read", "priority_cache_read"}, {"claude-sonnet-5-5"}, d("0.2"), d("0.1"), "2026-09-28", "2026-10-07"),
    ("D18", "genai-prices has cache prices for Claude 3 Sonnet, which never supported prompt caching (unsettled, moot)",
     {"cache_write_5m", "cache_write_1h", "cache_read", "priority_cache_read"}, {"claude-3-sonnet"}, None, ANY, None,
     None),
    ("D19", "genai-prices has no cache-read price on its id gemini-1.5-pro, so it bills cached tokens as input",
     {"cache_read", "lc_cache_read", "priority_cache_read"}, {"gemini-1.5-pro"}, ANY, ANY, None, None),
    ("D11", "gpt-4o-2024-05-13 has no web search tool: the curated row leaves the fee blank",
     {"web_search_per_1k"}, {"gpt-4o-2024-05-13"}, None, ANY, None, None),
    ("D12", "Google Search grounding on Gemini 3 is billed from 2026-01-05: the curated rows bill it 0 before, "
            "genai-prices has no fee or an undated one", {"web_search_per_1k"},
     {"gemini-3-pro-preview", "gemini-3.1-pro-preview", "gemini-3-flash-preview"}, Decimal(0), ANY, None, "2026-01-05"),
    ("no cache", "OpenAI and Gemini have no 1-hour cache writes, and gpt-4-turbo and gpt-4o-2024-05-13 no prompt "
                 "caching: the curated rows leave them blank, the imported rows bill them as input, as genai-prices does",
     {"cache_write_1h", "lc_cache_write_1h", "cache_read", "priority_cache_read"}, None, None, ANY, None, None),
]


def _in_force(rows: list[dict], day: dt.date) -> dict | None:
    return next((r for r in rows if dt.date.fromisoformat(r["effective_from"]) <= day
                 and (not r["effective_to"] or day < dt.date.fromisoformat(r["effective_to"]))), None)


def _read(row: dict, field: str) -> Decimal | None:
    """A cell as sql/model/pricing.sql reads it: batch cache reads default to the batch multiplier, flex to 1,
    priority rates to the list rates."""
    value = row[field]
    if not value and field == "batch_cache_read_multiplier":
        value = row["batch_multiplier"]
    if not value and field == "flex_multiplier":
        value = "1"
    if not value and field in PRIORITY:
        value = row[field.removeprefix("priority_")]
    return Decimal(value) if value else None


def disagreements() -> dict[tuple, list[dt.date]]:
    """(curated model, imported model, field, curated value, imported value): the days they differ, for every
    imported model that is a curated model or spelling, on every row boundary of either side and 2026-12-01."""
    curated, imported, aliases = csv_rows("prices.csv"), csv_rows("imported_prices.csv"), csv_rows("model_aliases.csv")
    names = {(r["provider"], r["model"]) for r in curated}
    found = {}
    for provider, model in sorted({(r["provider"], r["model"]) for r in imported}):
        canonical = model if (provider, model) in names else next(
            (a["model"] for a in aliases if a["provider"] == provider and re.fullmatch(a["pattern"], model)), None)
        if canonical is None:
            continue
        mine = [r for r in curated if (r["provider"], r["model"]) == (provider, canonical)]
        theirs = [r for r in imported if (r["provider"], r["model"]) == (provider, model)]
        days = {dt.date(2026, 12, 1)}
        for r in mine + theirs:
            days.add(dt.date.fromisoformat(r["effective_from"]))
            if r["effective_to"]:
                end = dt.date.fromisoformat(r["effective_to"])
                days |= {end, end - dt.timedelta(days=1)}
        for day in sorted(days):
            a, b = _in_force(mine, day), _in_force(theirs, day)
            if a and b:
                for field in FIELDS:
                    if _read(a, field) != _read(b, field):
                        found.setdefault((canonical, model, field, _read(a, field), _read(b, field)), []).append(day)
    return found


def _allowed(rule, key, days) -> bool:
    _, _, fields, models, mine, theirs, start, end = rule
    canonical, _, field, a, b = key
    return (field in fields and (models is None or canonical in models) and (mine == ANY or mine == a)
            and (theirs == ANY or theirs == b) and (start is None or min(days) >= dt.date.fromisoformat(start))
            and (end is None or max(days) < dt.date.fromisoformat(end)))


def test_every_disagreement_with_the_curated_rows_is_reviewed():
    found = disagreements()
    new = [f"{k[0]} ({k[1]}) {k[2]}: curated {k[3]}, imported {k[4]} on {min(v)}..{max(v)}"
           for k, v in found.items() if not any(_allowed(rule, k, v) for rule in ALLOWED)]
    assert new == []
    unused = [rule[0] for rule in ALLOWED if not any(_allowed(rule, k, v) for k, v in found.items())]
    assert unused == []
    assert len({k[0] for k in found}) == 45  # curated models both layers price


def test_a_new_disagreement_fails_the_review():
    key, days = ("claude-opus-4-6", "claude-opus-4-6", "input", d("5"), d("6")), [dt.date(2026, 11, 1)]
    assert not any(_allowed(rule, key, days) for rule in ALLOWED)
    key = ("gpt-4o", "gpt-4o", "batch_cache_read_multiplier", d("0.5"), d("1"))
    assert any(_allowed(rule, key, [dt.date(2026, 10, 14)]) for rule in ALLOWED)
    assert not any(_allowed(rule, key, [dt.date(2026, 10, 1)]) for rule in ALLOWED)  # D8 only from 2026-10-14


# --- the README's counts ---------------------------------------------------------------------------------------------

def test_the_readme_counts_the_models_of_each_layer():
    c = con()
    counts = dict(c.execute("select layer, count(distinct (provider, model)) from price_catalog group by layer")
                  .fetchall())
    rows = dict(c.execute("select layer, count(*) from price_catalog group by layer").fetchall())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert (f"The curated layer prices **{counts['bundled']} models** ({rows['bundled']} rows) "
            f"and the imported layer **{counts['imported']} more** ({rows['imported']} rows") in readme
    shipped = csv_rows("imported_prices.csv")
    assert f"`imported_prices.csv` has {len(shipped)} rows for " \
           f"{len({(r['provider'], r['model']) for r in shipped})} models" in readme


# --- 100 current models --------------------------------------------------------------------------------------------

CURATED = "bundled"
IMPORTED = "imported"
TOP_100 = [
    # Claude (the curated layer), app-log lines with Anthropic responses
    *[("anthropic", m, CURATED) for m in (
        "claude-haiku-4-5-20251001", "claude-sonnet-5", "claude-haiku-5-5", "claude-opus-5", "claude-sonnet-4-6",
        "claude-fable-5", "claude-sonnet-4-5-20250929", "claude-opus-5-5", "claude-sonnet-5-5", "claude-opus-4-8",
        "claude-opus-4-7", "claude-fable-5-1", "claude-opus-4-5-20251101", "claude-opus-4-6", "claude-mythos-5",
        "claude-mythos-5-1")],
    ("anthropic", "claude-fable-5-2", CURATED),  # curated (audit §2.2): the import cannot map its 0.025x fast cache reads
    # OpenAI: curated, then imported
    *[("openai", m, CURATED) for m in ("gpt-5.4", "gpt-5.4-nano", "gpt-5.4-mini", "gpt-4o-2024-08-06", "gpt-4o-mini",
                                       "gpt-5", "gpt-5-mini", "gpt-5.2", "gpt-4.1")],
    *[("openai", m, IMPORTED) for m in ("gpt-5.5", "gpt-5.6-luna", "gpt-5.6-terra", "gpt-5.6-sol", "gpt-6-luna",
                                        "gpt-6-sol", "gpt-6-astra", "gpt-6.1-sol", "gpt-6.1-terra", "gpt-5.3-codex",
                                        "gpt-5.1", "o4-mini")],
    ("groq", "openai/gpt-oss-120b", IMPORTED), ("groq", "openai/gpt-oss-20b", IMPORTED),
    # Gemini: curated, then imported; Gemma on a host
    *[("google", m, CURATED) for m in ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-3.1-pro-preview")],
    *[("google", m, IMPORTED) for m in ("gemini-3.5-flash", "gemini-3.5-flash-lite", "gemini-3.7-flash",
                                        "gemini-3.8-flash", "gemini-4-argon")],
    ("cerebras", "gemma-4-31b", IMPORTED),
    # open-weight and other providers' models, through their own API or a host (the imported layer)
    *[("together", m, IMPORTED) for m in ("qwen/qwen3.8-flash", "qwen/qwen3.7-max", "qwen/qwen3.7-plus",
                                          "qwen/qwen3.6-plus", "qwen/qwen3.5-9b", "qwen/qwen3.8-2.4t-a95b",
                                          "deepseek-ai/deepseek-v4.1-flash", "deepseek-ai/deepseek-v4-pro-0813",
                                          "zai-org/glm-5.3", "meta-llama/llama-3.3-70b-instruct-turbo")],
    *[("fireworks", f"accounts/fireworks/models/{m}", IMPORTED) for m in (
        "qwen3-235b-a22b", "qwen3p8-max", "qwen3p7-plus", "deepseek-v4p1-flash", "deepseek-r1-0528", "deepseek-v3p2")],
    *[("groq", m, IMPORTED) for m in ("qwen/qwen3-32b", "qwen/qwen3.8-27b", "deepseek-r1-distill-llama-70b",
                                      "moonshotai/kimi-k2-instruct", "llama-3.3-70b-versatile", "llama-3.1-8b-instant",
                                      "meta-llama/llama-4-scout-17b-16e-instruct",
                                      "meta-llama/llama-4-maverick-17b-128e-instruct")],
    ("cerebras", "qwen-3-32b", IMPORTED), ("cerebras", "llama-3.3-70b", IMPORTED),
    *[("deepseek", m, IMPORTED) for m in ("deepseek-chat", "deepseek-reasoner", "deepseek-v3.2", "deepseek-v4-flash",
                                          "deepseek-v4-pro", "deepseek-v3.1-terminus")],
    *[("zai", m, IMPORTED) for m in ("glm-5.3", "glm-5.3-flash", "glm-5.2", "glm-5.1", "glm-5", "glm-4.7",
                                     "glm-4.5-air")],
    *[("moonshotai", m, IMPORTED) for m in ("kimi-k3", "kimi-k3.1-pro", "kimi-k2.6", "kimi-k2.5", "kimi-k2-thinking")],
    *[("minimax", m, IMPORTED) for m in ("minimax-m3", "minimax-m2.7", "minimax-m3.1-flash")],
    *[("x-ai", m, IMPORTED) for m in ("grok-4.7", "grok-4.6", "grok-code-fast-1")],
    ("mistral", "mistral-medium-3-5", IMPORTED),
]


def top_100_line(i: int, provider: str, model: str) -> dict:
    """One app-log line: an Anthropic, Gemini or OpenAI-compatible chat completion response."""
    ts, request_id = "2026-11-20T12:00:00Z", f"req_top_{i:03d}"
    if provider == "anthropic":
        return app_record(request_id, ts=ts, model=model, input_tokens=1000, output_tokens=100)
    if provider == "google":
        return {"ts": ts, "request_id": request_id, "http_status": 200,
                "response": {"modelVersion": model, "responseId": f"resp_{i}",
                             "usageMetadata": {"promptTokenCount": 1000, "candidatesTokenCount": 100}}}
    return {"ts": ts, "request_id": request_id, "http_status": 200, "provider": provider,
            "response": {"id": f"chatcmpl-top{i}", "object": "chat.completion", "model": model,
                         "usage": {"prompt_tokens": 1000, "completion_tokens": 100}}}


def test_100_current_models_are_priced_by_the_intended_layer(tmp_path):
    assert len(TOP_100) == 100 and len({(p, m) for p, m, _ in TOP_100}) == 100
    logs = write_jsonl(tmp_path / "logs" / "top.jsonl", [top_100_line(i, p, m) for i, (p, m, _) in enumerate(TOP_100)])
    settings = load_settings(None, str(tmp_path / "home"))
    assert ingest(settings, [str(logs)]).as_dict()["rows_rejected"] == 0
    c = open_views(settings)
    got = {(p, m): (layer, cost) for p, m, layer, cost in c.execute(
        "select u.provider, u.model, p.layer, u.cost_usd from priced_usage u "
        "left join price_catalog p on p.price_id = u.price_id").fetchall()}
    c.close()
    assert {(p, m): got[(p, m)][0] for p, m, _ in TOP_100} == {(p, m): layer for p, m, layer in TOP_100}
    priced = [key for key, (layer, cost) in got.items() if cost is not None and cost > 0]
    assert len(priced) >= 95
    assert [key for key, (layer, cost) in got.items() if cost is None] == []


# --- an unknown model: unpriced, listed, with the closest catalogue name -----------------------------------------------

def test_check_suggests_the_closest_catalogue_name(tmp_path):
    records = [app_record("req_typo", ts="2026-11-20T12:00:00Z", model="claude-sonet-4-6"),
               app_record("req_next", ts="2026-11-20T12:00:00Z", model="claude-sonnet-4-9"),
               {**app_record("req_wrong", ts="2026-11-20T12:00:00Z", model="claude-opus-4-6"), "provider": "openai"},
               {**app_record("req_none", ts="2026-11-20T12:00:00Z", model="zzz-internal"), "provider": "acme"}]
    logs = write_jsonl(tmp_path / "logs" / "app.jsonl", records)
    settings = load_settings(None, str(tmp_path / "home"))
    ingest(settings, [str(logs)])
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), "prices", "check"])
    assert result.exit_code == 1
    assert result.stdout == (
        "lake: acme model 'zzz-internal' matches no catalogue model or alias on 2026-11-20 (1 billable row)\n"
        "lake: anthropic model 'claude-sonet-4-6' matches no catalogue model or alias on 2026-11-20 (1 billable "
        "row): did you mean claude-sonnet-4-6?\n"
        "lake: anthropic model 'claude-sonnet-4-9' matches no catalogue model or alias on 2026-11-20 (1 billable "
        "row): did you mean claude-sonnet-4-6?\n"
        "lake: openai model 'claude-opus-4-6' matches no catalogue model or alias on 2026-11-20 (1 billable row): "
        "did you mean anthropic/claude-opus-4-6?\n")
    c = open_views(settings)
    assert c.execute("select count(*), count(cost_usd) from priced_usage").fetchall() == [(4, 0)]  # never $0
    c.close()
