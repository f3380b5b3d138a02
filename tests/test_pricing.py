"""sql/model/pricing.sql and the bundled catalogue: worked examples of reference/pricing.md §c, one test per rule,
alias coverage, catalogue sanity and a few properties. Every amount is worked out by hand, to the micro-dollar."""
import re
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import pricing_connection as con
from conftest import price_rows
from pipeline import pricing, sql_text

COSTS = ["input_cost_usd", "cache_write_cost_usd", "cache_read_cost_usd", "output_cost_usd", "tool_cost_usd",
         "cost_usd", "cost_without_cache_usd", "cost_without_batch_usd"]


def priced(**row):
    return price_rows(row)[0]


def d(value: str) -> Decimal:
    return Decimal(value)


# --- reference/pricing.md §c ---------------------------------------------------------------------------------

def test_e1a_sonnet_4_6_long_context_batch_before_ga():
    r = priced(model="claude-sonnet-4-6", ts="2026-03-01 09:00:00+00", batch=True, input_tokens=50_000,
               cache_read_tokens=200_000, output_tokens=10_000)
    assert (r["price_tier"], r["cost_usd"]) == ("long_context", d("0.3225"))
    assert (r["input_cost_usd"], r["cache_read_cost_usd"], r["output_cost_usd"]) == (d("0.15"), d("0.06"), d("0.1125"))


def test_e1b_same_request_after_ga_is_flat():
    r = priced(model="claude-sonnet-4-6", ts="2026-03-13 09:00:00+00", batch=True, input_tokens=50_000,
               cache_read_tokens=200_000, output_tokens=10_000)
    assert (r["price_tier"], r["cost_usd"]) == ("standard", d("0.18"))


def test_e2_opus_4_6_fast_us_geo():
    r = priced(model="claude-opus-4-6", ts="2026-03-01 09:00:00+00", speed="fast", inference_geo="us",
               input_tokens=15_000, cache_write_5m_tokens=5_000, cache_read_tokens=80_000, output_tokens=2_000)
    assert (r["price_tier"], r["cost_usd"]) == ("fast", d("1.29525"))
    assert r["cache_write_cost_usd"] == d("0.20625")  # 5K x $37.50 x 1.1


def test_e3a_opus_4_6_long_context_output_is_37_50_not_50():
    r = priced(model="claude-opus-4-6", ts="2026-03-01 09:00:00+00", input_tokens=120_000,
               cache_write_1h_tokens=180_000, output_tokens=4_000)
    assert (r["price_tier"], r["cost_usd"], r["output_cost_usd"]) == ("long_context", d("4.95"), d("0.15"))


def test_e3b_same_request_after_2026_03_13():
    r = priced(model="claude-opus-4-6", ts="2026-03-13 00:00:00+00", input_tokens=120_000,
               cache_write_1h_tokens=180_000, output_tokens=4_000)
    assert (r["price_tier"], r["cost_usd"]) == ("standard", d("2.50"))


def test_e4_haiku_4_5_with_web_searches():
    r = priced(model="claude-haiku-4-5-20251001", input_tokens=20_000, output_tokens=1_000, web_search_requests=3)
    assert (r["cost_usd"], r["tool_cost_usd"]) == (d("0.055"), d("0.03"))


def test_e5_e6_sonnet_4_5_boundary():
    at, above = price_rows(
        dict(model="claude-sonnet-4-5-20250929", ts="2026-03-01 09:00:00+00", input_tokens=150_000,
             cache_read_tokens=50_000, output_tokens=1_000),
        dict(model="claude-sonnet-4-5-20250929", ts="2026-03-01 09:00:00+00", input_tokens=150_001,
             cache_read_tokens=50_000, output_tokens=1_000))
    assert (at["price_tier"], at["cost_usd"]) == ("standard", d("0.48"))
    assert (above["price_tier"], above["cost_usd"]) == ("long_context", d("0.952506"))


def test_e7_opus_4_6_fast_above_200k_before_and_after_the_cutover():
    before, after = price_rows(
        dict(model="claude-opus-4-6", ts="2026-02-10 09:00:00+00", speed="fast", input_tokens=300_000,
             output_tokens=1_000),
        dict(model="claude-opus-4-6", ts="2026-02-20 09:00:00+00", speed="fast", input_tokens=300_000,
             output_tokens=1_000))
    assert (before["price_tier"], before["cost_usd"]) == ("fast", d("18.225"))
    assert (after["price_tier"], after["cost_usd"]) == ("fast", d("9.15"))


def test_e8_gpt_4o_cached_input_half_price():
    r = priced(provider="openai", model="gpt-4o-2024-08-06", input_tokens=2_000, cache_read_tokens=8_000,
               output_tokens=500)
    assert (r["canonical_model"], r["cost_usd"]) == ("gpt-4o", d("0.02"))


def test_e9_gpt_5_4_above_272k():
    r = priced(provider="openai", model="gpt-5.4", input_tokens=200_000, cache_read_tokens=100_000,
               output_tokens=5_000)
    assert (r["price_tier"], r["cost_usd"]) == ("long_context", d("1.1625"))


def test_e10_gemini_2_5_pro_above_200k():
    r = priced(provider="google", model="gemini-2.5-pro", input_tokens=100_000, cache_read_tokens=150_000,
               output_tokens=2_000)
    assert (r["price_tier"], r["cost_usd"]) == ("long_context", d("0.3175"))


def test_e11_rate_limited_request_costs_zero():
    r = priced(model="claude-sonnet-4-6", http_status=429, error_type="rate_limit_error", billable=False,
               input_tokens=None, output_tokens=None)
    assert [r[c] for c in COSTS] == [d("0")] * len(COSTS)
    assert r["price_flags"] == []


# --- one test per rule ---------------------------------------------------------------------------------------

def test_base_input_and_output():
    r = priced(model="claude-haiku-4-5", input_tokens=1_000_000, output_tokens=1_000_000)
    assert (r["input_cost_usd"], r["output_cost_usd"], r["cost_usd"]) == (d("1"), d("5"), d("6"))
    assert (r["price_id"], r["price_tier"], r["price_flags"]) == ("anthropic/claude-haiku-4-5@2025-10-15", "standard", [])


def test_cache_write_5m_1h_and_read_at_published_prices():
    w5, w1, rd = price_rows(dict(model="claude-sonnet-4-6", cache_write_5m_tokens=1_000_000),
                            dict(model="claude-sonnet-4-6", cache_write_1h_tokens=1_000_000),
                            dict(model="claude-sonnet-4-6", cache_read_tokens=1_000_000))
    assert (w5["cache_write_cost_usd"], w1["cache_write_cost_usd"], rd["cache_read_cost_usd"]) == (
        d("3.75"), d("6"), d("0.3"))


def test_haiku_3_published_cache_prices_are_not_multiples():
    r = priced(model="claude-3-haiku-20240307", ts="2026-03-01 09:00:00+00", cache_write_5m_tokens=1_000_000,
               cache_read_tokens=1_000_000)
    assert (r["cache_write_cost_usd"], r["cache_read_cost_usd"]) == (d("0.30"), d("0.03"))


def test_batch_halves_token_charges_but_not_web_search():
    r = priced(model="claude-haiku-4-5", batch=True, input_tokens=1_000_000, output_tokens=100_000,
               web_search_requests=1)
    assert (r["input_cost_usd"], r["output_cost_usd"], r["tool_cost_usd"], r["cost_usd"]) == (
        d("0.5"), d("0.25"), d("0.01"), d("0.76"))
    assert r["cost_without_batch_usd"] == d("1.51")


def test_long_context_threshold_is_strictly_above_and_counts_every_input_category():
    at, above = price_rows(
        dict(model="claude-sonnet-4-5", ts="2026-03-01 09:00:00+00", input_tokens=50_000,
             cache_write_5m_tokens=50_000, cache_write_1h_tokens=50_000, cache_read_tokens=50_000,
             output_tokens=900_000),
        dict(model="claude-sonnet-4-5", ts="2026-03-01 09:00:00+00", input_tokens=50_001,
             cache_write_5m_tokens=50_000, cache_write_1h_tokens=50_000, cache_read_tokens=50_000))
    assert at["price_tier"] == "standard"  # output never decides the tier
    assert above["price_tier"] == "long_context"
    assert above["cost_usd"] == d("0.300006") + d("0.375") + d("0.6") + d("0.03")


def test_long_context_tier_ends_with_the_1m_beta():
    r = priced(model="claude-sonnet-4-5", ts="2026-04-30 00:00:00+00", input_tokens=300_000)
    assert (r["price_tier"], r["cost_usd"], r["price_id"]) == (
        "standard", d("0.9"), "anthropic/claude-sonnet-4-5@2026-04-30")


def test_effective_from_is_inclusive_at_midnight_utc():
    before, at = price_rows(
        dict(model="claude-sonnet-4-6", ts="2026-03-12 23:59:59+00", input_tokens=300_000),
        dict(model="claude-sonnet-4-6", ts="2026-03-13 00:00:00+00", input_tokens=300_000))
    assert (before["price_id"], before["price_tier"], before["cost_usd"]) == (
        "anthropic/claude-sonnet-4-6@2026-02-17", "long_context", d("1.8"))
    assert (at["price_id"], at["price_tier"], at["cost_usd"]) == (
        "anthropic/claude-sonnet-4-6@2026-03-13", "standard", d("0.9"))


def test_effective_to_is_exclusive_and_the_utc_date_decides():
    last, retired, late_local = price_rows(
        dict(model="claude-3-7-sonnet-20250219", ts="2026-02-18 23:59:59+00", input_tokens=1_000_000),
        dict(model="claude-3-7-sonnet-20250219", ts="2026-02-19 00:00:00+00", input_tokens=1_000_000),
        dict(model="claude-3-7-sonnet-20250219", ts="2026-02-18 20:00:00-05", input_tokens=1_000_000))
    assert last["cost_usd"] == d("3")
    assert (retired["cost_usd"], retired["price_flags"]) == (None, ["no_price"])
    assert late_local["cost_usd"] is None  # 01:00 UTC on the 19th


def test_bucket_rows_take_the_tier_from_context_window():
    base = dict(model="claude-sonnet-4-5", ts="2026-03-01 00:00:00+00", grain="bucket", request_count=50,
                input_tokens=1_000_000)
    small, large, unknown = price_rows({**base, "context_window": "0-200k"}, {**base, "context_window": "200k-1M"},
                                       {**base, "context_window": None})
    assert (small["price_tier"], small["cost_usd"], small["price_flags"]) == ("standard", d("3"), [])
    assert (large["price_tier"], large["cost_usd"], large["price_flags"]) == ("long_context", d("6"), [])
    assert (unknown["price_tier"], unknown["cost_usd"], unknown["price_flags"]) == ("standard", d("3"), ["tier_unknown"])


def test_bucket_without_context_window_on_a_model_without_a_tier_is_not_flagged():
    r = priced(model="claude-haiku-4-5", grain="bucket", context_window=None, input_tokens=1_000_000)
    assert (r["price_tier"], r["cost_usd"], r["price_flags"]) == ("standard", d("1"), [])


def test_fast_mode_rates_and_cache_multipliers_on_the_fast_input_rate():
    r = priced(model="claude-opus-4-6", speed="fast", input_tokens=1_000_000, cache_write_1h_tokens=1_000_000,
               cache_read_tokens=1_000_000, output_tokens=1_000_000)
    assert (r["price_tier"], r["input_cost_usd"], r["cache_write_cost_usd"], r["cache_read_cost_usd"],
            r["output_cost_usd"]) == ("fast", d("30"), d("60"), d("3"), d("150"))


def test_fast_on_a_model_without_fast_rates_bills_at_standard_speed():
    r = priced(model="claude-sonnet-4-6", speed="fast", input_tokens=1_000_000)
    assert (r["price_tier"], r["cost_usd"], r["price_flags"]) == ("standard", d("3"), ["fast_at_standard"])


def test_us_geo_multiplies_every_token_category_but_not_web_search():
    r = priced(model="claude-sonnet-4-6", inference_geo="us", input_tokens=1_000_000, cache_read_tokens=1_000_000,
               output_tokens=1_000_000, web_search_requests=1000)
    assert (r["input_cost_usd"], r["cache_read_cost_usd"], r["output_cost_usd"], r["tool_cost_usd"]) == (
        d("3.3"), d("0.33"), d("16.5"), d("10"))
    assert r["cost_usd"] == d("30.13")


def test_us_geo_on_a_model_without_it_is_unpriced():
    r = priced(model="claude-sonnet-4-5", inference_geo="us", input_tokens=1_000)
    assert r["price_flags"] == ["geo_not_supported"]
    assert [r[c] for c in COSTS] == [None] * len(COSTS)


def test_global_geo_is_the_list_price():
    assert priced(model="claude-sonnet-4-5", inference_geo="global", input_tokens=100_000)["cost_usd"] == d("0.3")


def test_batch_and_geo_stack():
    r = priced(model="claude-opus-4-6", batch=True, inference_geo="us", input_tokens=1_000_000)
    assert (r["cost_usd"], r["cost_without_batch_usd"]) == (d("2.75"), d("5.5"))


def test_batch_with_fast_is_unpriced():
    r = priced(model="claude-opus-4-6", batch=True, speed="fast", input_tokens=1_000)
    assert (r["cost_usd"], r["cost_without_batch_usd"], r["price_flags"]) == (None, None, ["batch_and_fast"])


def test_anthropic_priority_tier_is_list_price_with_a_flag():
    r = priced(model="claude-sonnet-4-6", service_tier="priority", input_tokens=1_000_000)
    assert (r["cost_usd"], r["price_flags"]) == (d("3"), ["priority_list_price"])


def test_openai_priority_uses_priority_rates_where_published():
    with_rates, without, long = price_rows(
        dict(provider="openai", model="gpt-5.4", service_tier="priority", input_tokens=100_000,
             cache_read_tokens=100_000, output_tokens=100_000),
        dict(provider="openai", model="gpt-5-nano", service_tier="priority", input_tokens=1_000_000),
        dict(provider="openai", model="gpt-5.4", service_tier="priority", input_tokens=300_000))
    assert (with_rates["cost_usd"], with_rates["price_flags"]) == (d("3.55"), [])
    assert (without["cost_usd"], without["price_flags"]) == (d("0.05"), ["priority_list_price"])  # no nano rates
    assert (long["price_tier"], long["cost_usd"], long["price_flags"]) == (
        "long_context", d("1.5"), ["priority_list_price"])  # no published priority long-context rate


def test_openai_flex_is_half_price():
    r = priced(provider="openai", model="gpt-5-2025-08-07", service_tier="flex", input_tokens=1_000_000,
               cache_read_tokens=1_000_000, output_tokens=1_000_000)
    assert (r["cost_usd"], r["cost_without_batch_usd"]) == (d("5.6875"), d("5.6875"))


def test_gemini_batch_does_not_discount_cached_tokens():
    r = priced(provider="google", model="gemini-2.5-flash", batch=True, input_tokens=1_000_000,
               cache_read_tokens=1_000_000, output_tokens=1_000_000)
    assert (r["input_cost_usd"], r["cache_read_cost_usd"], r["output_cost_usd"]) == (d("0.15"), d("0.03"), d("1.25"))


def test_unknown_model_is_unpriced_never_zero():
    r = priced(model="claude-9-ultra", input_tokens=10)
    assert (r["canonical_model"], r["price_id"], r["price_tier"], r["price_flags"]) == (None, None, None, ["no_price"])
    assert [r[c] for c in COSTS] == [None] * len(COSTS)


def test_known_model_before_its_first_row_is_unpriced():
    r = priced(model="claude-sonnet-4-6", ts="2025-12-31 23:59:59+00", input_tokens=10)
    assert (r["canonical_model"], r["cost_usd"], r["price_flags"]) == ("claude-sonnet-4-6", None, ["no_price"])


def test_non_billable_unknown_model_costs_zero_without_flags():
    r = priced(model="<synthetic>", billable=False, input_tokens=10, output_tokens=10)
    assert [r[c] for c in COSTS] == [d("0")] * len(COSTS)
    assert r["price_flags"] == []


def test_null_rate_times_zero_tokens_is_zero():
    r = priced(provider="openai", model="gpt-4-turbo", input_tokens=1_000, output_tokens=1_000)
    assert (r["cost_usd"], r["price_flags"]) == (d("0.04"), [])


@pytest.mark.parametrize("row, component", [
    (dict(provider="openai", model="gpt-4-turbo", cache_read_tokens=1), "cache_read"),
    (dict(provider="openai", model="gpt-4o", cache_write_1h_tokens=1), "cache_write_1h"),
    (dict(model="claude-3-sonnet-20240229", ts="2025-01-01 00:00:00+00", cache_write_5m_tokens=1), "cache_write_5m"),
    (dict(model="claude-3-opus-20240229", ts="2025-06-01 00:00:00+00", web_search_requests=1), "web_search"),
])
def test_null_rate_times_nonzero_tokens_is_unpriced(row, component):
    r = priced(input_tokens=5, **row)
    assert r["price_flags"] == [f"no_rate:{component}"]
    assert [r[c] for c in COSTS] == [None] * len(COSTS)


def test_what_if_columns():
    r = priced(model="claude-sonnet-4-6", batch=True, input_tokens=1_000_000, cache_write_5m_tokens=1_000_000,
               cache_read_tokens=1_000_000, output_tokens=1_000_000, web_search_requests=1)
    assert r["cost_usd"] == d("11.035")  # (3 + 3.75 + 0.30 + 15) / 2 + 0.01
    assert r["cost_without_cache_usd"] == d("12.01")  # (3 x 3 + 15) / 2 + 0.01
    assert r["cost_without_batch_usd"] == d("22.06")


def test_what_if_columns_use_the_tier_of_the_request():
    r = priced(model="claude-sonnet-4-6", ts="2026-03-01 00:00:00+00", input_tokens=100_000,
               cache_read_tokens=150_000)
    assert (r["price_tier"], r["cost_usd"], r["cost_without_cache_usd"]) == ("long_context", d("0.69"), d("1.5"))


def test_what_if_columns_equal_cost_when_nothing_applies():
    r = priced(model="claude-haiku-4-5", input_tokens=123_456, output_tokens=7_891)
    assert r["cost_usd"] == r["cost_without_cache_usd"] == r["cost_without_batch_usd"] == d("0.162911")


def test_output_keeps_the_input_columns_first_then_the_pricing_columns():
    c = con()
    relation = price_rows(dict())
    input_columns = [row[0] for row in c.execute("describe usage_schema").fetchall()]
    assert list(relation[0]) == input_columns + pricing.PRICING_COLUMNS


def test_money_columns_are_decimal_38_12():
    price_rows(dict())
    types = dict((row[0], row[1]) for row in con().execute("describe select * from pricing('pricing_input')").fetchall())
    assert {column: types[column] for column in COSTS} == {column: "DECIMAL(38,12)" for column in COSTS}
    assert (types["price_flags"], types["price_tier"], types["price_id"]) == ("VARCHAR[]", "VARCHAR", "VARCHAR")


def test_price_accepts_another_input_relation():
    c = con()
    price_rows(dict(input_tokens=1_000_000))
    c.execute("create or replace temp table other_usage as select * from pricing_input")
    assert pricing.price(c, "other_usage").select("cost_usd").fetchall() == [(d("1"),)]


def test_catalog_version_is_stable_and_names_the_newest_date():
    version = pricing.catalog_version()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d\+[0-9a-f]{12}", version)
    assert version == pricing.catalog_version()
    newest = con().execute("select max(effective_from) from price_catalog").fetchall()[0][0]
    assert version.startswith(newest.isoformat())


def test_user_prices_win_over_bundled_rows(tmp_path):
    user = tmp_path / "my_prices.csv"
    user.write_text("provider,model,effective_from,effective_to,input,output,contract_multiplier,source\n"
                    "anthropic,claude-haiku-4-5,2026-03-01,2026-04-01,1,5,0.8,contract 2026\n"
                    "acme,private-model,2026-01-01,,2,4,,internal\n")
    c = duckdb.connect()
    c.execute(sql_text("schema/usage.sql"))
    pricing.load_catalog(c, user)
    c.execute("create temp table pricing_input as select * from usage_schema where false")
    c.execute("insert into pricing_input (request_id, provider, model, ts, input_tokens, billable) values "
              "('a', 'anthropic', 'claude-haiku-4-5', '2026-03-05 00:00:00+00', 1000000, true), "
              "('b', 'anthropic', 'claude-haiku-4-5', '2026-04-01 00:00:00+00', 1000000, true), "
              "('c', 'acme', 'private-model', '2026-03-05 00:00:00+00', 1000000, true)")
    rows = pricing.price(c).select("request_id, price_id, cost_usd").order("request_id").fetchall()
    assert rows == [("a", "user:anthropic/claude-haiku-4-5@2026-03-01", d("0.8")),
                    ("b", "anthropic/claude-haiku-4-5@2025-10-15", d("1")),
                    ("c", "user:acme/private-model@2026-01-01", d("2"))]
    # a batch request on a row without batch_multiplier is unpriced, never silently billed at list price
    c.execute("insert into pricing_input (request_id, provider, model, ts, input_tokens, billable, batch) values "
              "('d', 'anthropic', 'claude-haiku-4-5', '2026-03-05 00:00:00+00', 1000000, true, true)")
    assert pricing.price(c).filter("request_id = 'd'").select("cost_usd, price_flags").fetchall() == [
        (None, ["no_rate:batch"])]


def test_user_prices_that_overlap_each_other_are_refused(tmp_path):
    user = tmp_path / "my_prices.csv"
    user.write_text("provider,model,effective_from,effective_to,input\n"
                    "acme,m,2026-01-01,,1\nacme,m,2026-02-01,,2\n")
    with pytest.raises(pricing.CatalogError, match="overlaps"):
        pricing.load_catalog(duckdb.connect(), user)
    user.write_text("provider,model,effective_from,price\nacme,m,2026-01-01,1\n")
    with pytest.raises(pricing.CatalogError, match="unknown column price"):
        pricing.load_catalog(duckdb.connect(), user)


# --- corrections from reference/price-audit-2026-12.md (issue 13, item 3), worked by hand --------------------------

# D6: OpenAI priority rates (input / cached input / output per 1M) from openai.com/api-priority-processing (V: gpt-5.4-mini,
# gpt-5.2, gpt-5, gpt-5-mini, gpt-4.1) or genai-prices 0.2.3 and LiteLLM 1.110.2 (V3: the others). 1M tokens of each
# category costs the sum of the three rates; gpt-4o-2024-05-13 has no prompt caching, so no cached tokens there.
@pytest.mark.parametrize("model, cached, expected", [
    ("gpt-5.4-mini", 1_000_000, "10.65"),     # 1.5 + 0.15 + 9
    ("gpt-5.2", 1_000_000, "31.85"),          # 3.5 + 0.35 + 28
    ("gpt-5", 1_000_000, "22.75"),            # 2.5 + 0.25 + 20
    ("gpt-5-mini", 1_000_000, "4.095"),       # 0.45 + 0.045 + 3.6
    ("gpt-4.1", 1_000_000, "18.375"),         # 3.5 + 0.875 + 14
    ("gpt-4o", 1_000_000, "23.375"),          # 4.25 + 2.125 + 17
    ("gpt-4o-2024-05-13", 0, "35"),           # 8.75 + 26.25
    ("gpt-4o-mini", 1_000_000, "1.375"),      # 0.25 + 0.125 + 1
    ("gpt-4.1-mini", 1_000_000, "3.675"),     # 0.7 + 0.175 + 2.8
    ("gpt-4.1-nano", 1_000_000, "1.05"),      # 0.2 + 0.05 + 0.8
])
def test_d6_openai_priority_requests_bill_at_the_priority_rates(model, cached, expected):
    r = priced(provider="openai", model=model, service_tier="priority", input_tokens=1_000_000,
               cache_read_tokens=cached, output_tokens=1_000_000)
    assert (r["price_tier"], r["cost_usd"], r["price_flags"]) == ("standard", d(expected), [])


def test_d6_a_priority_request_on_gpt_5_costs_twice_the_list_price():
    # 100,000 uncached x $2.50 + 200,000 cached x $0.25 + 10,000 output x $20 = 0.25 + 0.05 + 0.2 = $0.50;
    # at list price 0.125 + 0.025 + 0.1 = $0.25
    priority, standard = price_rows(
        dict(provider="openai", model="gpt-5", service_tier="priority", input_tokens=100_000,
             cache_read_tokens=200_000, output_tokens=10_000),
        dict(provider="openai", model="gpt-5", service_tier="default", input_tokens=100_000,
             cache_read_tokens=200_000, output_tokens=10_000))
    assert (priority["cost_usd"], standard["cost_usd"]) == (d("0.5"), d("0.25"))


def test_d5_opus_5_5_fast_cache_reads_at_its_own_0_05x_multiplier():
    # Opus 5.5 fast $8 / $40; caching multipliers apply on top of the fast rates, and its cache hits are 0.05x
    # ($0.20 / $4): fast cache read = 8 x 0.05 = $0.40, not 0.1 x 8 = $0.80. Writes keep 1.25x: $10.
    # 100,000 x 8 + 100,000 x 10 + 1,000,000 x 0.4 + 10,000 x 40 = 0.8 + 1.0 + 0.4 + 0.4 = $2.60
    r = priced(model="claude-opus-5-5", ts="2026-10-01 12:00:00+00", speed="fast", input_tokens=100_000,
               cache_write_5m_tokens=100_000, cache_read_tokens=1_000_000, output_tokens=10_000)
    assert (r["price_tier"], r["cache_read_cost_usd"], r["cache_write_cost_usd"], r["cost_usd"]) == (
        "fast", d("0.4"), d("1"), d("2.6"))
    # Opus 4.6 keeps 0.1x: 1M fast cache reads x 30 x 0.5 / 5 = $3
    assert priced(model="claude-opus-4-6", speed="fast", cache_read_tokens=1_000_000)["cost_usd"] == d("3")


def test_d7_gpt_5_4_batch_and_flex_cached_input_at_the_published_0_13():
    # 100,000 uncached x 2.5 x 0.5 + 100,000 cached x $0.13 (0.25 x 0.52) + 10,000 output x 15 x 0.5
    # = 0.125 + 0.013 + 0.075 = $0.213 (it was 0.0125 for the cached part, $0.2125); 210,000 input stays below 272K
    row = dict(provider="openai", model="gpt-5.4", input_tokens=100_000, cache_read_tokens=100_000,
               output_tokens=10_000)
    batch, flex = price_rows({**row, "batch": True}, {**row, "service_tier": "flex"})
    assert (batch["price_tier"], batch["cache_read_cost_usd"], batch["cost_usd"]) == ("standard", d("0.013"), d("0.213"))
    assert batch["cost_without_batch_usd"] == d("0.425")  # 0.25 + 0.025 + 0.15
    assert (flex["cache_read_cost_usd"], flex["cost_usd"], flex["cost_without_batch_usd"]) == (
        d("0.013"), d("0.213"), d("0.213"))


def test_d9_gemini_flex_is_half_price_from_2026_04_02():
    # gemini-2.5-flash $0.30 / $2.50, cached $0.03. From 2026-04-02 (V3: Google's Flex tier, -50%; LiteLLM 1.110.2
    # keeps cached input at the standard rate, as batch does): 1M x 0.3 x 0.5 + 1M x 0.03 + 1M x 2.5 x 0.5
    # = 0.15 + 0.03 + 1.25 = $1.43; the day before, no Flex tier: 0.3 + 0.03 + 2.5 = $2.83
    row = dict(provider="google", model="gemini-2.5-flash", service_tier="flex", input_tokens=1_000_000,
               cache_read_tokens=1_000_000, output_tokens=1_000_000)
    before, after = price_rows({**row, "ts": "2026-04-01 23:59:59+00"}, {**row, "ts": "2026-04-02 00:00:00+00"})
    assert (before["price_id"], before["cost_usd"]) == ("google/gemini-2.5-flash@2025-06-17", d("2.83"))
    assert (after["price_id"], after["cost_usd"]) == ("google/gemini-2.5-flash@2026-04-02", d("1.43"))


def test_d10_gemini_priority_rates_are_1_8x():
    # gemini-2.5-pro priority $2.25 / $18, cached $0.225 (1.8 x 1.25 / 10 / 0.125; V3, LiteLLM 1.110.2):
    # 100,000 x 2.25 + 50,000 x 0.225 + 10,000 x 18 = 0.225 + 0.01125 + 0.18 = $0.41625 (150K input, below 200K);
    # before 2026-04-02 the list price 0.125 + 0.00625 + 0.1 = $0.23125, flagged
    row = dict(provider="google", model="gemini-2.5-pro", service_tier="priority", input_tokens=100_000,
               cache_read_tokens=50_000, output_tokens=10_000)
    before, after = price_rows({**row, "ts": "2026-03-20 12:00:00+00"}, {**row, "ts": "2026-05-01 12:00:00+00"})
    assert (after["cost_usd"], after["price_flags"]) == (d("0.41625"), [])
    assert (before["cost_usd"], before["price_flags"]) == (d("0.23125"), ["priority_list_price"])
    # gemini-3-flash-preview: 1M of each at 0.9 + 0.09 + 5.4 = $6.39
    r = priced(provider="google", model="gemini-3-flash-preview", ts="2026-05-01 12:00:00+00", service_tier="priority",
               input_tokens=1_000_000, cache_read_tokens=1_000_000, output_tokens=1_000_000)
    assert r["cost_usd"] == d("6.39")


@pytest.mark.parametrize("model, released", [
    ("claude-fable-5", "2026-06-09"), ("claude-mythos-5", "2026-06-09"),        # Fable 5 overview: "Released June 9, 2026"
    ("claude-fable-5-1", "2026-09-01"), ("claude-mythos-5-1", "2026-09-01"),    # "Released September 1, 2026"
])
def test_fable_and_mythos_are_priced_from_their_release_dates(model, released):
    # 1M input tokens x $10 from the release day; the day before, the model did not exist: unpriced, never $0
    day_before = (date.fromisoformat(released) - timedelta(days=1)).isoformat()
    before, on = price_rows(dict(model=model, ts=f"{day_before} 23:59:59+00", input_tokens=1_000_000),
                            dict(model=model, ts=f"{released} 00:00:00+00", input_tokens=1_000_000))
    assert (before["cost_usd"], before["price_flags"]) == (None, ["no_price"])
    assert (on["price_id"], on["cost_usd"]) == (f"anthropic/{model}@{released}", d("10"))


@pytest.mark.parametrize("model", ["claude-fable-5-2", "claude-mythos-5-2"])
def test_fable_and_mythos_5_2(model):
    # $8 / $40, writes $10 / $16, cache reads $0.20 (0.025x); from 2026-11-09 (genai-prices 0.2.3; audit §2.2).
    # 1M each of input, cache read, output: 8 + 0.2 + 40 = $48.20; batch half: $24.10
    # fast $16 / $80 with the 0.025x cache hit on top: 1M cache reads x 16 x 0.025 = $0.40; US-only 1M input 8 x 1.1
    row = dict(model=model, ts="2026-11-20 12:00:00+00", input_tokens=1_000_000, cache_read_tokens=1_000_000,
               output_tokens=1_000_000)
    standard, batch, fast, us, early = price_rows(
        row, {**row, "batch": True}, dict(model=model, ts="2026-11-20 12:00:00+00", speed="fast",
                                          cache_read_tokens=1_000_000, cache_write_1h_tokens=1_000_000),
        dict(model=f"{model}-20261109", ts="2026-11-20 12:00:00+00", inference_geo="us", input_tokens=1_000_000),
        {**row, "ts": "2026-11-08 12:00:00+00"})
    assert (standard["price_id"], standard["cost_usd"]) == (f"anthropic/{model}@2026-11-09", d("48.2"))
    assert batch["cost_usd"] == d("24.1")
    assert (fast["price_tier"], fast["cache_read_cost_usd"], fast["cache_write_cost_usd"]) == ("fast", d("0.4"), d("32"))
    assert (us["canonical_model"], us["cost_usd"]) == (model, d("8.8"))
    assert early["price_flags"] == ["no_price"]


def test_bedrock_and_vertex_claude_are_billed_by_their_cloud_not_at_first_party_rates():
    # audit §2.4 / reference/pricing.md: AWS and Google bill Claude on Bedrock and Vertex AI; Bedrock's regional and
    # geo (us./eu./…) endpoints carry +10% from Sonnet 4.5 and Haiku 4.5 on, its global endpoint not
    # (genai-prices 0.2.3 aws/regional.… and aws/global.…, from the AWS price list API). 1M input + 100,000 output:
    #   Haiku 4.5 regional  1 x 1.1 = $1.10 in, 5 x 1.1 = $5.50 out: 1.1 + 0.55 = $1.65 (first-party: $1.50)
    #   Haiku 4.5 global    1 + 0.5 = $1.50
    #   Sonnet 4.6 geo us.  3.3 + 16.5 x 0.1 = 3.3 + 1.65 = $4.95
    #   Sonnet 4 (older)    3 + 1.5 = $4.50 (no uplift before Sonnet 4.5)
    #   Vertex Haiku 4.5    Google's global-endpoint rate 1 + 0.5 = $1.50 (the region is not in the log)
    row = dict(ts="2026-03-20 12:00:00+00", input_tokens=1_000_000, output_tokens=100_000)
    regional, global_, geo, older, vertex, helicone, first_party = price_rows(
        {**row, "model": "anthropic.claude-haiku-4-5-20251001-v1:0"},
        {**row, "model": "global.anthropic.claude-haiku-4-5-20251001-v1:0"},
        {**row, "model": "us.anthropic.claude-sonnet-4-6"},
        {**row, "model": "anthropic.claude-sonnet-4-20250514-v1:0"},
        {**row, "model": "claude-haiku-4-5@20251001"},
        {**row, "billed_by": "aws", "model": "anthropic.claude-haiku-4-5-20251001-v1:0"},  # Helicone, LiteLLM: aws
        {**row, "model": "claude-haiku-4-5-20251001"})
    assert (regional["price_id"], regional["cost_usd"]) == (
        "imported:aws/regional.anthropic.claude-haiku-4-5-20251001-v1:0@2020-01-01", d("1.65"))
    assert (global_["price_id"], global_["cost_usd"]) == (
        "imported:aws/global.anthropic.claude-haiku-4-5-20251001-v1:0@2020-01-01", d("1.5"))
    assert (geo["canonical_model"], geo["cost_usd"]) == ("regional.anthropic.claude-sonnet-4-6-v1:0", d("4.95"))
    assert older["cost_usd"] == d("4.5")
    assert (vertex["price_id"], vertex["cost_usd"]) == ("imported:google/claude-haiku-4-5@2020-01-01", d("1.5"))
    assert helicone["cost_usd"] == d("1.65")
    assert (first_party["price_id"], first_party["cost_usd"]) == ("anthropic/claude-haiku-4-5@2025-10-15", d("1.5"))


# --- aliases ---------------------------------------------------------------------------------------------------

# Bedrock (`[geo.]anthropic.claude-…`) and Vertex (`claude-…@YYYYMMDD`) ids are priced under their biller, aws or
# google (audit §2.4), by genai-prices' rows for those providers: Bedrock's names say the endpoint (regional or global)
ALIASES = [
    ("anthropic", "claude-opus-4-6", "claude-opus-4-6"),
    ("anthropic", "claude-opus-4-6-20260205", "claude-opus-4-6"),
    ("anthropic", "claude-opus-4-6[1m]", "claude-opus-4-6"),
    ("anthropic", "anthropic/claude-opus-4-6", "claude-opus-4-6"),
    ("anthropic", "anthropic/claude-opus-4.6", "claude-opus-4-6"),
    ("anthropic", "anthropic.claude-opus-4-6-v1", "regional.anthropic.claude-opus-4-6-v1:0"),
    ("anthropic", "us.anthropic.claude-opus-4-6-v1:0", "regional.anthropic.claude-opus-4-6-v1:0"),
    ("anthropic", "Claude Opus 4.6", "claude-opus-4-6"),
    ("anthropic", "anthropic.claude-sonnet-4-6", "regional.anthropic.claude-sonnet-4-6-v1:0"),
    ("anthropic", "Claude Sonnet 4.6", "claude-sonnet-4-6"),
    ("anthropic", "claude-haiku-4-5-20251001", "claude-haiku-4-5"),
    ("anthropic", "claude-haiku-4-5", "claude-haiku-4-5"),
    ("anthropic", "anthropic.claude-haiku-4-5-20251001-v1:0", "regional.anthropic.claude-haiku-4-5-20251001-v1:0"),
    ("anthropic", "global.anthropic.claude-haiku-4-5-20251001-v1:0", "global.anthropic.claude-haiku-4-5-20251001-v1:0"),
    ("anthropic", "claude-haiku-4-5@20251001", "claude-haiku-4-5"),
    ("anthropic", "Claude Haiku 4.5", "claude-haiku-4-5"),
    ("anthropic", "  claude haiku 4.5 ", "claude-haiku-4-5"),
    ("anthropic", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
    ("anthropic", "claude-sonnet-4-5-20250929[1m]", "claude-sonnet-4-5"),
    ("anthropic", "anthropic/claude-4.5-sonnet-20250929", "claude-sonnet-4-5"),
    ("anthropic", "anthropic/claude-sonnet-4.5", "claude-sonnet-4-5"),
    ("anthropic", "claude-sonnet-4-5@20250929", "claude-sonnet-4-5"),
    ("anthropic", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "regional.anthropic.claude-sonnet-4-5-20250929-v1:0"),
    ("anthropic", "Claude Sonnet 4.5", "claude-sonnet-4-5"),
    ("anthropic", "claude-opus-4-5-20251101", "claude-opus-4-5"),
    ("anthropic", "claude-opus-4-5@20251101", "claude-opus-4-5"),
    ("anthropic", "Claude Opus 4.5", "claude-opus-4-5"),
    ("anthropic", "claude-opus-4-1-20250805", "claude-opus-4-1"),
    ("anthropic", "claude-opus-4-1", "claude-opus-4-1"),
    ("anthropic", "Claude Opus 4.1", "claude-opus-4-1"),
    ("anthropic", "claude-opus-4-20250514", "claude-opus-4-0"),
    ("anthropic", "claude-opus-4-0", "claude-opus-4-0"),
    ("anthropic", "claude-4-opus-20250514", "claude-opus-4-0"),
    ("anthropic", "claude-opus-4@20250514", "claude-4-opus"),
    ("anthropic", "Claude Opus 4", "claude-opus-4-0"),
    ("anthropic", "claude-sonnet-4-20250514", "claude-sonnet-4-0"),
    ("anthropic", "claude-sonnet-4-0", "claude-sonnet-4-0"),
    ("anthropic", "anthropic.claude-sonnet-4-20250514-v1:0", "regional.anthropic.claude-sonnet-4-20250514-v1:0"),
    ("anthropic", "claude-sonnet-4@20250514", "claude-4-sonnet"),
    ("anthropic", "Claude Sonnet 4", "claude-sonnet-4-0"),
    ("anthropic", "claude-3-7-sonnet-20250219", "claude-3-7-sonnet"),
    ("anthropic", "claude-3-7-sonnet-latest", "claude-3-7-sonnet"),
    ("anthropic", "claude-3-7-sonnet@20250219", "claude-3-7-sonnet"),
    ("anthropic", "anthropic/claude-3.7-sonnet:thinking", "claude-3-7-sonnet"),
    ("anthropic", "Claude Sonnet 3.7", "claude-3-7-sonnet"),
    ("anthropic", "claude-3-5-sonnet-20241022", "claude-3-5-sonnet"),
    ("anthropic", "claude-3-5-sonnet-20240620", "claude-3-5-sonnet"),
    ("anthropic", "claude-3-5-sonnet-latest", "claude-3-5-sonnet"),
    ("anthropic", "claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet"),
    ("anthropic", "anthropic.claude-3-5-sonnet-20241022-v2:0", "regional.anthropic.claude-3-5-sonnet-20241022-v2:0"),
    ("anthropic", "Claude 3.5 Sonnet", "claude-3-5-sonnet"),
    ("anthropic", "claude-3-5-haiku-20241022", "claude-3-5-haiku"),
    ("anthropic", "claude-3-5-haiku-latest", "claude-3-5-haiku"),
    ("anthropic", "Claude Haiku 3.5", "claude-3-5-haiku"),
    ("anthropic", "claude-3-opus-20240229", "claude-3-opus"),
    ("anthropic", "claude-3-opus-latest", "claude-3-opus"),
    ("anthropic", "anthropic.claude-3-opus-20240229-v1:0", "regional.anthropic.claude-3-opus-20240229-v1:0"),
    ("anthropic", "Claude 3 Opus", "claude-3-opus"),
    ("anthropic", "claude-3-sonnet-20240229", "claude-3-sonnet"),
    ("anthropic", "claude-3-haiku-20240307", "claude-3-haiku"),
    ("anthropic", "claude-3-haiku@20240307", "claude-3-haiku"),
    ("anthropic", "Claude Haiku 3", "claude-3-haiku"),
    ("openai", "gpt-4o-2024-08-06", "gpt-4o"),
    ("openai", "gpt-4o-2024-11-20", "gpt-4o"),
    ("openai", "openai/gpt-4o", "gpt-4o"),
    ("openai", "gpt-4o-2024-05-13", "gpt-4o-2024-05-13"),
    ("openai", "gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
    ("openai", "gpt-4.5-preview-2025-02-27", "gpt-4.5-preview"),
    ("openai", "gpt-4-turbo-2024-04-09", "gpt-4-turbo"),
    ("openai", "gpt-4.1-2025-04-14", "gpt-4.1"),
    ("openai", "gpt-5-2025-08-07", "gpt-5"),
    ("openai", "gpt-5-mini-2025-08-07", "gpt-5-mini"),
    ("openai", "openai/gpt-5-mini-2025-08-07", "gpt-5-mini"),
    ("openai", "gpt-5.2", "gpt-5.2"),
    ("openai", "gpt-5.4-2026-03-05", "gpt-5.4"),
    ("openai", "gpt-5.4-mini", "gpt-5.4-mini"),
    ("openai", "gpt-5.4-nano-2026-03-17", "gpt-5.4-nano"),
    ("google", "gemini-2.5-pro", "gemini-2.5-pro"),
    ("google", "models/gemini-2.5-pro", "gemini-2.5-pro"),
    ("google", "gemini-2.5-pro-preview-06-05", "gemini-2.5-pro"),
    ("google", "google/gemini-2.5-flash", "gemini-2.5-flash"),
    ("google", "gemini-2.5-flash-lite", "gemini-2.5-flash-lite"),
    ("google", "gemini-1.5-flash-002", "gemini-1.5-flash"),
    ("google", "gemini-1.5-pro-latest", "gemini-1.5-pro"),
    ("google", "gemini-3-pro-preview", "gemini-3-pro-preview"),
    ("google", "gemini-3.1-pro-preview", "gemini-3.1-pro-preview"),
    ("google", "gemini-3-flash-preview", "gemini-3-flash-preview"),
    # models the curated catalogue lacks, priced by the imported layer (an imported alias, imported names)
    ("anthropic", "claude-2.1", "claude-2"),
    ("openai", "chatgpt-4o-latest", "chatgpt-4o-latest"),
    ("openai", "gpt-5.2-pro", "gpt-5.2-pro"),
    # not priced by any layer: a fast-mode suffix, a placeholder, another model, the wrong provider
    ("anthropic", "claude-opus-4-6-fast", None),
    ("anthropic", "<synthetic>", None),
    ("google", "gemini-1.5-flash-8b", None),
    ("openai", "claude-opus-4-6", None),
]


def test_logged_spellings_resolve_to_their_canonical_model():
    rows = price_rows(*[dict(provider=p, model=m, input_tokens=1) for p, m, _ in ALIASES])
    assert [(p, m, r["canonical_model"]) for (p, m, _), r in zip(ALIASES, rows)] == ALIASES


def test_no_two_curated_alias_patterns_match_the_same_string():
    c = con()
    names = [row[0] for row in c.execute("select distinct model from price_catalog where layer = 'bundled'").fetchall()]
    strings = sorted(set(names) | {m.strip().lower() for _, m, _ in ALIASES})
    clashes = c.execute(
        "select s, list(a.pattern) from unnest($strings) as t(s) "
        "join model_aliases a on a.layer = 'bundled' and regexp_full_match(s, a.pattern) group by s "
        "having count(*) > 1",
        {"strings": strings}).fetchall()
    assert clashes == []


def test_every_canonical_name_resolves_to_itself():
    c = con()
    names = c.execute("select distinct provider, model from price_catalog order by all").fetchall()
    rows = price_rows(*[dict(provider=p, model=m) for p, m in names])
    assert [(r["provider"], r["canonical_model"]) for r in rows] == names


# --- catalogue sanity -----------------------------------------------------------------------------------------

def test_catalogue_has_no_overlapping_ranges():
    overlaps = con().execute("""
        select a.price_id, b.price_id from price_catalog a join price_catalog b
          on a.provider = b.provider and a.model = b.model and a.price_id < b.price_id
         and a.effective_from < coalesce(b.effective_to, date '9999-12-31')
         and b.effective_from < coalesce(a.effective_to, date '9999-12-31')""").fetchall()
    assert overlaps == []


def test_catalogue_has_no_negative_rate_and_a_source_on_every_row():
    c = con()
    decimals = [row[0] for row in c.execute("describe price_catalog").fetchall() if row[1].startswith("DECIMAL")]
    negative = c.execute(f"select price_id from price_catalog where least({', '.join(decimals)}) < 0").fetchall()
    assert negative == []
    assert c.execute("select price_id from price_catalog where source is null or verified is null").fetchall() == []
    assert all(row[0] == "DECIMAL(18,6)" for row in c.execute(
        "select column_type from (describe price_catalog) where column_name in ('input', 'output', 'cache_read')").fetchall())


def test_catalogue_follows_published_prices_not_the_article():
    c = con()
    assert c.execute("select lc_output from price_catalog where price_id = 'anthropic/claude-opus-4-6@2026-02-05'"
                     ).fetchall()[0] == (d("37.5"),)
    assert c.execute("select input, output from price_catalog where model = 'gpt-4.5-preview'").fetchall()[0] == (
        d("75"), d("150"))
    assert c.execute("select count(*) from price_catalog where model like '%-4-6' and effective_from >= '2026-03-13' "
                     "and lc_threshold is not null").fetchall()[0] == (0,)


# --- properties -------------------------------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MODELS = st.sampled_from(["claude-haiku-4-5", "claude-sonnet-4-6", "claude-opus-4-6", "claude-sonnet-4-5-20250929"])
TOKENS = st.integers(min_value=0, max_value=150_000)
ROWS = st.fixed_dictionaries({
    "model": MODELS, "ts": st.sampled_from(["2026-02-18 00:00:00+00", "2026-03-20 00:00:00+00"]),
    "input_tokens": TOKENS, "cache_write_5m_tokens": TOKENS, "cache_write_1h_tokens": TOKENS,
    "cache_read_tokens": TOKENS, "output_tokens": TOKENS, "web_search_requests": st.integers(0, 20),
})


@PROPERTY_SETTINGS
@given(ROWS)
def test_batch_halves_token_charges_exactly(row):
    plain, batched = price_rows(row, {**row, "batch": True})
    tokens = lambda r: r["cost_usd"] - r["tool_cost_usd"]  # noqa: E731
    assert tokens(batched) * 2 == tokens(plain)
    assert batched["tool_cost_usd"] == plain["tool_cost_usd"]
    assert batched["cost_without_batch_usd"] == plain["cost_usd"]


@PROPERTY_SETTINGS
@given(ROWS, st.sampled_from(["input_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens", "cache_read_tokens",
                              "output_tokens", "web_search_requests"]), st.integers(1, 10_000))
def test_cost_is_monotonic_in_each_count_within_a_tier(row, column, extra):
    more = {**row, column: row[column] + extra}
    low, high = price_rows(row, more)
    if low["price_tier"] == high["price_tier"]:
        assert high["cost_usd"] >= low["cost_usd"]


@PROPERTY_SETTINGS
@given(ROWS, st.integers(1, 10_000))
def test_a_cache_read_costs_less_than_the_same_token_uncached(row, n):
    cached, uncached = price_rows({**row, "cache_read_tokens": row["cache_read_tokens"] + n},
                                  {**row, "input_tokens": row["input_tokens"] + n})
    assert cached["price_tier"] == uncached["price_tier"]
    assert cached["cost_usd"] < uncached["cost_usd"]


@PROPERTY_SETTINGS
@given(ROWS, st.sampled_from(["claude-haiku-4-5", "no-such-model", "<synthetic>"]), st.booleans(),
       st.sampled_from([None, "fast"]), st.sampled_from([None, "us", "global"]))
def test_non_billable_rows_cost_zero(row, model, batch, speed, geo):
    r = priced(**{**row, "model": model, "batch": batch, "speed": speed, "inference_geo": geo, "billable": False})
    assert [r[c] for c in COSTS] == [d("0")] * len(COSTS)
    assert r["price_flags"] == []


@PROPERTY_SETTINGS
@given(st.lists(ROWS, min_size=1, max_size=5), st.booleans())
def test_repricing_the_same_input_gives_identical_results(rows, batch):
    rows = [{**row, "batch": batch} for row in rows]
    assert price_rows(*rows) == price_rows(*rows)


# --- groups that price alike (pricing_groups, sql/prices/price_as.sql: the what-if and drivers sections) -------------

def test_a_bucket_window_in_tokens_decides_the_tier_at_any_threshold():
    base = dict(provider="openai", model="gpt-5.4", ts="2026-03-20 00:00:00+00", grain="bucket", request_count=2,
                input_tokens=1_000_000)
    below, above, across = price_rows({**base, "context_window": "0-272000"}, {**base, "context_window": "272000-"},
                                      {**base, "context_window": "200000-300000"})
    assert (below["price_tier"], below["price_flags"]) == ("standard", [])
    assert (above["price_tier"], above["price_flags"]) == ("long_context", [])
    assert (across["price_tier"], across["price_flags"]) == ("standard", ["tier_unknown"])
    # the same range is above Sonnet 4.5's 200K threshold: $6 a million input tokens there, against $3 below it
    sonnet = dict(base, provider="anthropic", model="claude-sonnet-4-5", context_window="200000-272000")
    assert (priced(**sonnet)["price_tier"], priced(**sonnet)["cost_usd"]) == ("long_context", d("6"))


MODEL_ROWS = st.sampled_from([("anthropic", "claude-haiku-4-5"), ("anthropic", "claude-sonnet-4-6"),
                              ("anthropic", "claude-opus-4-6"), ("anthropic", "claude-sonnet-4-5-20250929"),
                              ("openai", "gpt-5.4"), ("google", "gemini-2.5-pro"), ("anthropic", "no-such-model")])
PROMPT = st.sampled_from([0, 1_000, 100_000, 128_000, 199_999, 200_000, 200_001, 272_000, 272_001, 600_000])
GROUPED_ROWS = st.fixed_dictionaries({
    "model": MODEL_ROWS, "ts": st.sampled_from(["2026-03-12 23:59:59+00", "2026-03-13 00:00:00+00",
                                                "2026-03-13 17:30:00+00", "2026-02-18 08:00:00+00"]),
    "prompt": PROMPT, "other_prompt": PROMPT, "cached": st.integers(0, 2), "output_tokens": TOKENS, "web_search_requests": st.integers(0, 3),
    "batch": st.booleans(), "inference_geo": st.sampled_from([None, "us", "global"]),
    "speed": st.sampled_from([None, "fast"]), "billable": st.booleans(),
    "window": st.sampled_from([None, "0-200k", "200k-1M"]),
})


def as_usage_rows(g):
    """A GROUPED_ROWS draw as two usage rows alike but for their prompts (each split over input and cache), buckets
    where it has a window."""
    return [as_usage_row(g, g["prompt"]), as_usage_row(g, g["other_prompt"])]


def as_usage_row(g, prompt):
    provider, model = g["model"]
    cached = prompt // 3 if g["cached"] else 0
    row = dict(provider=provider, model=model, ts=g["ts"], input_tokens=prompt - cached,
               cache_read_tokens=cached if g["cached"] == 1 else 0,
               cache_write_5m_tokens=cached if g["cached"] == 2 else 0, output_tokens=g["output_tokens"],
               web_search_requests=g["web_search_requests"], batch=g["batch"], inference_geo=g["inference_geo"],
               speed=g["speed"], billable=g["billable"], request_count=1)
    if g["window"]:
        row.update(grain="bucket", context_window=g["window"])
    return row


def assert_groups_price_as_their_rows(rows):
    """By model, tier and flags: the cost and the rows priced or unpriced, of the rows one by one and in groups."""
    price_rows(*rows)
    c = con()
    c.execute("create or replace temp view requests_input as select * exclude (request_id) from pricing_input")
    c.execute("create or replace temp table grouped_input as select * from pricing_groups('requests_input')")
    totals = """select canonical_model, price_tier, price_flags, cost_usd is null as unpriced,
                       sum(request_count), sum(cost_usd), sum(cost_without_cache_usd), sum(cost_without_batch_usd)
                from pricing('{}') group by all order by all"""
    one_by_one, grouped = (c.execute(totals.format(name)).fetchall() for name in ("requests_input", "grouped_input"))
    assert [row[:5] for row in grouped] == [row[:5] for row in one_by_one]
    for group, rows in zip(grouped, one_by_one):
        # a multiplier other than 1 rounds each product to 12 places: per row there, per group here
        assert all(abs((a or 0) - (b or 0)) <= Decimal("1e-12") * len(rows) for a, b in zip(group[5:], rows[5:]))


@pytest.mark.parametrize("provider, model, threshold", [("anthropic", "claude-sonnet-4-5", 200_000),
                                                        ("openai", "gpt-5.4", 272_000),
                                                        ("google", "gemini-2.5-pro", 200_000)])
def test_groups_keep_each_side_of_a_threshold_apart(provider, model, threshold):
    # a prompt at the threshold is standard, one token more long context: each in a group with a small prompt of
    # its side, never summed across it
    row = dict(provider=provider, model=model, ts="2026-03-20 10:00:00+00", output_tokens=10, request_count=1)
    assert_groups_price_as_their_rows([{**row, "input_tokens": n} for n in (1_000, threshold, threshold + 1,
                                                                            threshold + 5_000)])


def test_a_row_with_nothing_to_count_stays_apart():
    # on a model the catalogue lacks a counted row is unpriced, an empty one costs 0: apart, they stay so
    row = dict(provider="anthropic", model="no-such-model", request_count=1)
    assert_groups_price_as_their_rows([{**row, "input_tokens": 10}, row, {**row, "model": "claude-haiku-4-5"},
                                       {**row, "model": "claude-haiku-4-5", "output_tokens": 3}])


@PROPERTY_SETTINGS
@given(st.lists(GROUPED_ROWS, min_size=1, max_size=25))
def test_groups_price_as_their_rows(draws):
    assert_groups_price_as_their_rows([row for draw in draws for row in as_usage_rows(draw)])
