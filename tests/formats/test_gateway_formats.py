"""Gateways and observability tools: LiteLLM spend logs, OpenRouter, Helicone, Langfuse."""
import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import (FIXTURES, TOKENS, write_jsonl, assert_accounting, entry, fixture, ingest_twice, query,
                      rows)
from pipeline.config import load_settings
from pipeline.formats import FORMATS, detect, first_record
from pipeline.ingest import Pending, ingest, normalize_files, prepare
from pipeline.lake import connect
from pipeline.lines import read_head

MINE = {
    "litellm_spend_logs.csv": "litellm_spend_logs",
    "openrouter_generation.json": "openrouter_generation",
    "openrouter_activity_generations.csv": "openrouter_activity_csv",
    "openrouter_activity_daily.csv": "openrouter_activity_daily_csv",
    "helicone_export.jsonl": "helicone_jsonl",
    "helicone_export.csv": "helicone_csv",
    "langfuse_observations.json": "langfuse_observations",
}
UTC = dt.timezone.utc
LITELLM_HEADER = ("request_id,call_type,api_key,spend,total_tokens,prompt_tokens,completion_tokens,startTime,endTime,"
                  "request_duration_ms,completionStartTime,model,model_id,model_group,custom_llm_provider,api_base,user,"
                  "metadata,cache_hit,cache_key,request_tags,team_id,organization_id,end_user,requester_ip_address,"
                  "session_id,status").split(",")


def rejects(settings):
    return query(settings, "select source_line, reason from rejects order by source_line")


def judged(settings, path):
    """(line, status) of every record of a file as its normalizer judges it, good rows included."""
    con = connect(settings)
    try:
        prepare(con)
        module = detect(Path(path))
        item = Pending(Path(path), module, module.params(Path(path), {}), {"size": Path(path).stat().st_size})
        normalize_files(con, [item], settings, {}, "2026-11-01T00:00:00+00:00")
        return con.execute("select line, status from normalized order by line").fetchall()
    finally:
        con.close()


def ts(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def write_csv(path, header, records):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for record in records:
            writer.writerow([record.get(column, "") for column in header] if isinstance(record, dict) else record)
    return path


# --- detection ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(MINE))
def test_every_fixture_of_mine_is_detected_as_exactly_its_format(name):
    head = read_head(FIXTURES / name)
    accepted = [n for n, m in FORMATS.items() if m.sniff(first_record(head), head)]
    assert accepted == [MINE[name]], accepted
    assert detect(FIXTURES / name).name == MINE[name]


def test_my_sniffers_accept_no_other_fixture():
    mine = set(MINE.values())
    for path in sorted(FIXTURES.iterdir()):
        if path.name in MINE or path.name.endswith(".batch.json"):
            continue
        head = read_head(path)
        accepted = {n for n in mine if FORMATS[n].sniff(first_record(head), head)}
        assert accepted == set(), path


# --- LiteLLM --------------------------------------------------------------------------------------------------------

def test_litellm_spend_logs_fixture(tmp_path, settings):
    path = fixture(tmp_path, "litellm_spend_logs.csv")
    summary = ingest_twice(settings, path, "litellm_spend_logs")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (3, 3, 0)
    assert rows(settings, TOKENS) == [
        (2095, 1240, 0, 18311, 503, None, 1),  # prompt 21646 = uncached + cache writes + cache reads
        (0, 0, 0, 0, 0, None, 0),
        (86, 0, 0, 1920, 300, 0, 0),           # OpenAI: prompt 2006 includes the 1920 cached
    ]
    assert rows(settings, "request_id, ts, provider, billed_by, model, billable, batch, http_status, error_type, "
                          "reported_cost_usd, latency_ms, grain, source_line") == [
        ("chatcmpl-CJ9a1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii", ts("2026-03-12T14:50:01.101"), "anthropic", "anthropic",
         "claude-sonnet-4-5-20250929", True, False, None, None, Decimal("0.0239733"), 3330, "request", 2),
        ("chatcmpl-CJ9b9Zz8Yy7Xx6Ww5Vv4Uu3Tt2Ss", ts("2026-03-12T14:50:06.002"), "anthropic", "anthropic",
         "claude-sonnet-4-5-20250929", False, False, 429, "RateLimitError", Decimal("0"), 212, "request", 3),
        ("chatcmpl-CJ9c7Kk6Jj5Hh4Gg3Ff2Ee1Dd0Cc", ts("2026-03-12T14:51:00.010"), "openai", "openai",
         "gpt-4o-2024-08-06", True, False, None, None, Decimal("0.005615"), 1874, "request", 4),
    ]
    assert rows(settings, "api_key, user_id") == [
        ("support-bot-prod", "u-alice"), ("support-bot-prod", None), ("web-app", "customer-991")]
    tags = rows(settings, "tags")
    assert tags[0][0]["team"] == "support" and tags[0][0]["feature"] == "ticket-summarizer"
    assert tags[2][0]["team"] == "growth" and tags[2][0]["model_group"] == "gpt-4o"
    assert rejects(settings) == []


def test_litellm_cache_hits_older_releases_fallbacks_and_rejects(tmp_path, settings):
    def meta(**usage_object):
        return json.dumps({"user_api_key_alias": "k", "status": "success", "usage_object": usage_object})

    base = {"call_type": "acompletion", "api_key": "ab12", "startTime": "2026-03-12 10:00:00.000",
            "model": "claude-haiku-4-5-20251001", "custom_llm_provider": "anthropic", "cache_hit": "False",
            "request_tags": "[]", "status": "success"}
    records = [
        # 2: LiteLLM's own response cache served it: free
        {**base, "request_id": "r-hit", "spend": "0", "prompt_tokens": "100", "completion_tokens": "20",
         "cache_hit": "True", "metadata": meta(prompt_tokens=100, completion_tokens=20)},
        # 3: an older release: prompt = uncached + cache reads only (subtracting the writes too would be negative)
        {**base, "request_id": "r-old", "spend": "0.01", "prompt_tokens": "1100", "completion_tokens": "50",
         "metadata": meta(prompt_tokens=1100, completion_tokens=50, cache_creation_input_tokens=3000,
                          cache_read_input_tokens=1000)},
        # 4: no usage object: the top-level columns, no cache split known
        {**base, "request_id": "r-plain", "spend": "0.001", "prompt_tokens": "700", "completion_tokens": "70",
         "metadata": json.dumps({"status": "success"})},
        # 5: a 1-hour cache write in the details
        {**base, "request_id": "r-1h", "spend": "0.02", "prompt_tokens": "5010", "completion_tokens": "9",
         "metadata": meta(prompt_tokens=5010, completion_tokens=9, cache_creation_input_tokens=4000,
                          cache_read_input_tokens=1000, prompt_tokens_details={"cached_tokens": 1000,
                          "cache_creation_token_details": {"ephemeral_5m_input_tokens": 0,
                                                           "ephemeral_1h_input_tokens": 4000}})},
        # 6: Claude on Bedrock: the model's family ran it, the cloud bills
        {**base, "request_id": "r-bedrock", "spend": "0.01", "prompt_tokens": "10", "completion_tokens": "5",
         "model": "anthropic.claude-haiku-4-5-20251001-v1:0", "custom_llm_provider": "bedrock", "metadata": ""},
        {**base, "request_id": "r-bad", "prompt_tokens": "1.5", "completion_tokens": "1"},       # 7 bad_token_count
        {**base, "request_id": "r-nots", "startTime": "", "prompt_tokens": "1", "completion_tokens": "1"},  # 8
        {**base, "request_id": "r-meta", "prompt_tokens": "1", "completion_tokens": "1", "metadata": "{oops"},  # 9
    ] + [{**base, "request_id": f"r-fill-{i}", "prompt_tokens": "10", "completion_tokens": "1"} for i in range(4)]
    path = write_csv(tmp_path / "in" / "spend.csv", LITELLM_HEADER, records)
    ingest_twice(settings, path, "litellm_spend_logs")
    got = {r[0]: r[1:] for r in query(settings, f"select request_id, {TOKENS}, billable, billed_by, provider from usage")}
    assert got["r-hit"] == (100, 0, 0, 0, 20, None, 0, False, "anthropic", "anthropic")
    assert got["r-old"] == (100, 3000, 0, 1000, 50, None, 0, True, "anthropic", "anthropic")
    assert got["r-plain"] == (700, 0, 0, 0, 70, None, 0, True, "anthropic", "anthropic")
    assert got["r-1h"] == (10, 0, 4000, 1000, 9, None, 0, True, "anthropic", "anthropic")
    assert got["r-bedrock"] == (10, 0, 0, 0, 5, None, 0, True, "aws", "anthropic")
    assert rejects(settings) == [(7, "bad_token_count"), (8, "missing_timestamp"), (9, "invalid_json")]


def test_same_request_via_the_app_log_and_litellm_has_the_same_tokens_and_counts_once_as_a_mirror(tmp_path, home):
    app_line = (FIXTURES / "anthropic_messages_logged.jsonl").read_text(encoding="utf-8").splitlines()[0]
    app = write_jsonl(tmp_path / "apps" / "support.jsonl", [app_line])
    gateway = fixture(tmp_path, "litellm_spend_logs.csv", folder="gateway")
    config = tmp_path / "spendlog.toml"
    config.write_text('[[sources]]\npath = "gateway/*.csv"\nrole = "mirror"\n\n'
                      '[[sources]]\npath = "apps/*.jsonl"\napp = "support"\n')
    settings = load_settings(str(config), str(home))
    ingest(settings, [str(app), str(gateway)])
    assert_accounting(settings)
    direct = rows(settings, TOKENS, f"source_file = '{app}'")
    via_gateway = rows(settings, TOKENS, f"source_file = '{gateway}' and source_line = 2")
    assert direct == via_gateway == [(2095, 1240, 0, 18311, 503, None, 1)]
    priced = query(settings, "select source_format, cost_usd, in_totals from priced_usage "
                             "where model = 'claude-sonnet-4-5-20250929' and billable order by source_format")
    # both priced alike (tokens + one web search); only the app log counts
    assert priced == [("app_log", Decimal("0.0339733"), True), ("litellm_spend_logs", Decimal("0.0339733"), False)]
    assert query(settings, "select count(*), sum(cost_usd) from spend") == [(1, Decimal("0.0339733"))]


# --- OpenRouter -----------------------------------------------------------------------------------------------------

def test_openrouter_generation_fixture(tmp_path, settings):
    path = fixture(tmp_path, "openrouter_generation.json")
    summary = ingest_twice(settings, path, "openrouter_generation")
    assert (summary["records_read"], summary["rows_loaded"]) == (1, 1)
    assert rows(settings, TOKENS) == [(10389 - 8192, 0, 0, 8192, 137, 0, 0)]
    assert rows(settings, "request_id, response_id, ts, provider, billed_by, model, billable, batch, service_tier, "
                          "reported_cost_usd, latency_ms, grain, source_line") == [
        ("gen-1773326001-Qx7LmN3pR8sT2uV5wY9z", "gen-1773326001-Qx7LmN3pR8sT2uV5wY9z",
         dt.datetime(2026, 3, 12, 14, 33, 21, 713441, tzinfo=UTC), "anthropic", "openrouter",
         "anthropic/claude-4.5-sonnet-20250929", True, False, "standard", Decimal("0.0111036"), 2140, "request", 1)]
    assert rows(settings, "tags['upstream_id']") == [("msg_01Hq8Z3mT5cWJ8rXbKc4vN2P",)]
    # the alias table reads the slug: priced as Sonnet 4.5, which is what OpenRouter charged
    assert query(settings, "select cost_usd from priced_usage") == [(Decimal("0.0111036"),)]


def test_openrouter_generation_list_native_counts_and_cancelled(tmp_path, settings):
    generation = json.loads((FIXTURES / "openrouter_generation.json").read_text())["data"]
    normalized = {**generation, "id": "gen-2", "native_tokens_prompt": None, "native_tokens_completion": None,
                  "native_tokens_cached": None, "native_tokens_reasoning": None, "tokens_prompt": 900,
                  "tokens_completion": 40}
    cancelled = {**generation, "id": "gen-3", "model": "google/gemini-2.5-flash", "cancelled": True,
                 "total_cost": 0, "usage": 0, "native_tokens_cached": 0, "native_tokens_completion": 0}
    no_time = {**generation, "id": "gen-4", "created_at": None}
    path = tmp_path / "in" / "generations.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"data": [generation, normalized, cancelled, no_time]}, indent=2))
    ingest_twice(settings, path, "openrouter_generation")
    assert rows(settings, f"request_id, {TOKENS}, provider, billable, error_type") == [
        ("gen-1773326001-Qx7LmN3pR8sT2uV5wY9z", 2197, 0, 0, 8192, 137, 0, 0, "anthropic", True, None),
        ("gen-2", 900, 0, 0, 0, 40, None, 0, "anthropic", True, None),
        ("gen-3", 10389, 0, 0, 0, 0, 0, 0, "google", False, "cancelled"),
    ]
    # keep_file.sql cannot yet write rejects of records 2.. of a document to the rejects table: judge them here
    assert entry(settings, path)["rows_rejected"] == 1
    assert judged(settings, path) == [(1, None), (2, None), (3, None), (4, "missing_timestamp")]


def test_openrouter_activity_csv_fixture(tmp_path, settings):
    path = fixture(tmp_path, "openrouter_activity_generations.csv")
    summary = ingest_twice(settings, path, "openrouter_activity_csv")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (3, 3, 0)
    assert rows(settings, TOKENS) == [
        (10389 - 8192, 0, 0, 8192, 137, 0, 0),
        (3712, 0, 0, 0, 2408, 1984, 0),
        (5120, 0, 0, 0, 0, 0, 0),
    ]
    assert rows(settings, "request_id, ts, provider, billed_by, model, app_raw, api_key, user_id, billable, batch, "
                          "error_type, reported_cost_usd, latency_ms, grain") == [
        ("gen-1773326001-Qx7LmN3pR8sT2uV5wY9z", ts("2026-03-12T14:33:21.713"), "anthropic", "openrouter",
         "anthropic/claude-4.5-sonnet-20250929", "billing-service", "prod-backend", None, True, False, None,
         Decimal("0.0111036"), 2140, "request"),
        ("gen-1773326044-Ab1Cd2Ef3Gh4Ij5Kl6Mn", ts("2026-03-12T14:34:04.105"), "openai", "openrouter",
         "openai/gpt-5-mini-2025-08-07", "billing-service", "prod-backend", "customer-991", True, False, None,
         Decimal("0.005744"), 9210, "request"),
        ("gen-1773326101-Op7Qr8St9Uv0Wx1Yz2Ab", ts("2026-03-12T14:35:01.002"), "google", "openrouter",
         "google/gemini-2.5-flash", None, "dev-key", None, False, False, "cancelled", Decimal("0"), 410, "request"),
    ]
    assert rows(settings, "tags['variant']") == [("standard",), ("standard",), ("free",)]
    assert query(settings, "select cost_usd from priced_usage order by source_line")[2] == (Decimal("0"),)


def test_openrouter_activity_daily_csv_fixture_and_a_revision_replaces_the_bucket(tmp_path, settings):
    path = fixture(tmp_path, "openrouter_activity_daily.csv")
    summary = ingest_twice(settings, path, "openrouter_activity_daily_csv")
    assert (summary["records_read"], summary["rows_loaded"]) == (2, 2)
    assert rows(settings, TOKENS) == [
        (70965665, 0, 0, 0, 3009973, 0, 0),
        (7460112, 0, 0, 0, 4811202, 3966900, 0),
    ]
    start, end = dt.datetime(2026, 3, 12, tzinfo=UTC), dt.datetime(2026, 3, 13, tzinfo=UTC)
    assert rows(settings, "ts, bucket_end, grain, request_count, context_window, provider, billed_by, model, billable, "
                          "batch, reported_cost_usd") == [
        (start, end, "bucket", 4115, None, "anthropic", "openrouter", "anthropic/claude-4.5-sonnet-20250929", True,
         False, Decimal("430.07")),
        (start, end, "bucket", 2011, None, "openai", "openrouter", "openai/gpt-5-mini-2025-08-07", True, False,
         Decimal("12.40")),
    ]
    revised = tmp_path / "later" / "openrouter_activity_daily.csv"
    revised.parent.mkdir()
    revised.write_text(path.read_text().replace('"4115"', '"4200"').replace('"430.07"', '"439.10"'))
    again = ingest(settings, [str(revised)]).as_dict()
    assert (again["rows_loaded"], again["rows_replaced"], again["duplicates"]) == (0, 1, 1)
    assert query(settings, "select request_count, reported_cost_usd, source_file from usage order by model") == [
        (4200, Decimal("439.10"), str(revised)), (2011, Decimal("12.40"), str(path))]
    assert_accounting(settings)


# --- Helicone -------------------------------------------------------------------------------------------------------

def test_helicone_jsonl_fixture(tmp_path, settings):
    path = fixture(tmp_path, "helicone_export.jsonl")
    summary = ingest_twice(settings, path, "helicone_jsonl")
    assert (summary["records_read"], summary["rows_loaded"]) == (2, 2)
    # prompt_tokens excludes the cache columns (total 22149 = 2095 + 503 + 1240 + 18311)
    assert rows(settings, TOKENS) == [(2095, 1240, 0, 18311, 503, None, 0), (0, 0, 0, 0, 0, None, 0)]
    assert rows(settings, "request_id, response_id, ts, provider, billed_by, model, user_id, billable, batch, "
                          "http_status, error_type, reported_cost_usd, latency_ms, tags") == [
        ("2f7c1d3e-9a4b-4c8d-b1e2-3f4a5b6c7d8e", "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", ts("2026-03-12T14:55:01.101"),
         "anthropic", "anthropic", "claude-sonnet-4-5-20250929", "customer-991", True, False, 200, None,
         Decimal("0.0239733"), 3330, {"Feature": "ticket-summarizer", "environment": "production"}),
        ("6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d", None, ts("2026-03-12T14:55:06.002"), "anthropic", "anthropic",
         "claude-sonnet-4-5-20250929", "customer-991", False, False, 429, "http_429", Decimal("0"), 212,
         {"environment": "production"}),
    ]


def test_helicone_jsonl_cache_inside_prompt_app_property_and_rejects(tmp_path, settings):
    def record(request_id, **fields):
        return {"request_id": request_id, "request_created_at": "2026-03-12T10:00:00Z", "response_id": "x-" + request_id,
                "response_status": 200, "provider": "OPENAI", "response_model": "gpt-4o-2024-08-06",
                "request_properties": {"Helicone-Property-App": "web-app"}, "prompt_tokens": 1000,
                "completion_tokens": 10, "prompt_cache_write_tokens": 0, "prompt_cache_read_tokens": 0,
                "total_tokens": 1010, "cost": 0.001, **fields}

    path = write_jsonl(tmp_path / "in" / "helicone.jsonl", [
        record("inside", prompt_cache_read_tokens=800),                               # 1 total = prompt + completion
        record("apart", prompt_cache_read_tokens=800, total_tokens=1810),            # 2 total adds the cache
        record("naive", request_created_at="2026-03-12T10:00:00"),                   # 3 timestamp_no_zone
        record("bad", prompt_tokens="1000"),                                          # 4 bad_token_count
        record("ok1"), record("ok2"), record("ok3"),
    ])
    ingest_twice(settings, path, "helicone_jsonl")
    assert rows(settings, "request_id, input_tokens, cache_read_tokens, app_raw, provider", "request_id in ('inside', 'apart')") == [
        ("inside", 200, 800, "web-app", "openai"), ("apart", 1000, 800, "web-app", "openai")]
    assert rejects(settings) == [(3, "timestamp_no_zone"), (4, "bad_token_count")]


def test_helicone_csv_fixture(tmp_path, settings):
    path = fixture(tmp_path, "helicone_export.csv")
    summary = ingest_twice(settings, path, "helicone_csv")
    assert (summary["records_read"], summary["rows_loaded"]) == (1, 1)
    # no cache columns in the CSV: the prompt tokens are all the input it knows of
    assert rows(settings, TOKENS) == [(2095, 0, 0, 0, 503, None, 0)]
    assert rows(settings, "request_id, response_id, ts, provider, billed_by, model, user_id, billable, batch, "
                          "http_status, reported_cost_usd, latency_ms, tags, grain, source_line") == [
        ("9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", ts("2026-03-12T14:55:01.101"),
         "anthropic", "anthropic", "claude-sonnet-4-5-20250929", "customer-991", True, False, 200,
         Decimal("0.0239733"), 3330, {"environment": "production"}, "request", 2)]


# --- Langfuse -------------------------------------------------------------------------------------------------------

def test_langfuse_observations_fixture(tmp_path, settings):
    path = fixture(tmp_path, "langfuse_observations.json")
    summary = ingest_twice(settings, path, "langfuse_observations")
    assert (summary["records_read"], summary["rows_loaded"]) == (1, 1)
    assert rows(settings, TOKENS) == [(2095, 1240, 0, 18311, 503, None, 0)]
    assert rows(settings, "request_id, ts, provider, billed_by, model, billable, batch, error_type, reported_cost_usd, "
                          "latency_ms, grain, source_line") == [
        ("3c1b2a09-8f7e-4d6c-9b5a-4e3d2c1b0a99", ts("2026-03-12T14:58:01.101"), "anthropic", "anthropic",
         "claude-sonnet-4-5-20250929", True, False, None, Decimal("0.0239733"), 3330, "request", 1)]
    tags = rows(settings, "tags")[0][0]
    assert tags["trace_id"] == "d2c1b0a9-8f7e-4d6c-5b4a-3e2d1c0b9a88" and tags["feature"] == "ticket-summarizer"


def test_langfuse_bare_array_spans_errors_and_openai_keys(tmp_path, settings):
    generation = json.loads((FIXTURES / "langfuse_observations.json").read_text())["data"][0]
    span = {"id": "span-1", "traceId": "t", "type": "SPAN", "startTime": "2026-03-12T14:58:00Z"}
    openai = {**generation, "id": "gen-openai", "model": "gpt-4o-mini", "userId": "u-7", "sessionId": "s-9",
              "usageDetails": {"input": 2006, "input_cached_tokens": 1920, "output": 300, "output_reasoning_tokens": 0,
                               "total": 2306}, "costDetails": {"total": 0.0004}}
    failed = {**generation, "id": "gen-error", "level": "ERROR", "statusMessage": "429 rate_limit_error",
              "usageDetails": {}, "costDetails": {}, "usage": None, "calculatedTotalCost": None}
    no_model = {**generation, "id": "gen-nomodel", "model": None}
    path = tmp_path / "in" / "observations.json"
    path.parent.mkdir()
    path.write_text(json.dumps([span, generation, openai, failed, no_model], indent=2))
    summary = ingest_twice(settings, path, "langfuse_observations")
    assert entry(settings, path)["ignored"] == {"not_a_generation": 1}
    assert summary["records_read"] == 5
    assert rows(settings, f"request_id, {TOKENS}, provider, billable, error_type, user_id, session_id") == [
        ("3c1b2a09-8f7e-4d6c-9b5a-4e3d2c1b0a99", 2095, 1240, 0, 18311, 503, None, 0, "anthropic", True, None, None, None),
        # total 2306 = input + output: the cached tokens are inside `input`
        ("gen-openai", 86, 0, 0, 1920, 300, 0, 0, "openai", True, None, "u-7", "s-9"),
        ("gen-error", 0, 0, 0, 0, 0, None, 0, "anthropic", False, "error", None, None),
    ]
    assert entry(settings, path)["rows_rejected"] == 1
    assert judged(settings, path) == [(1, "ignored:not_a_generation"), (2, None), (3, None), (4, None),
                                      (5, "missing_model")]


@pytest.mark.parametrize("name", ["langfuse_observations.json", "openrouter_generation.json"])
def test_a_cut_document_is_refused_and_the_others_are_read(tmp_path, settings, name):
    text = (FIXTURES / name).read_text()
    (tmp_path / "good.json").write_text(text)
    (tmp_path / "cut.json").write_text(text[: len(text) // 2])
    summary = ingest(settings, [str(tmp_path / "good.json"), str(tmp_path / "cut.json")]).as_dict()
    assert summary["files"] == 1 and summary["rows_loaded"] >= 1  # one bad file never aborts the run
    assert [e["path"] for e in summary["file_errors"]] == [str(tmp_path / "cut.json")]
