"""Real exports: files as the tools write them (tests/data/real/, provenance in its README.md), and the shapes
issue 15 found the formats could not read."""
import datetime as dt
import json
import os
import shutil
from decimal import Decimal

from conftest import ROOT, TOKENS, assert_accounting, entry, query, rows, write_jsonl
from pipeline.formats import detect
from pipeline.ingest import ingest

REAL = ROOT / "tests" / "data" / "real"
UTC = dt.timezone.utc
COLUMNS = "source_format, source_line, ts, provider, model, request_id, " + TOKENS + ", billable, error_type"


def real(tmp_path, name):
    target = tmp_path / "in" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(REAL / name, target)
    return target


def ingested(settings, path, fmt):
    summary = ingest(settings, [str(path)]).as_dict()
    assert entry(settings, path)["format"] == fmt
    assert_accounting(settings)
    return summary


def test_vertex_stream_generate_content_array_is_one_row_of_its_biggest_chunk(tmp_path, settings):
    path = real(tmp_path, "gemini/vertex_stream_generate_content.json")
    summary = ingested(settings, path, "gemini_bare")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (4, 1, 0)
    assert entry(settings, path)["ignored"] == {"streaming_chunk": 3}
    # the last chunk carries the usage: prompt 1, candidates 9; no cache, no thoughts
    assert rows(settings, COLUMNS + ", service_tier") == [
        ("gemini_bare", 4, dt.datetime(2026, 3, 10, 14, 54, 45, 66123, tzinfo=UTC), "google",
         "gemini-3.1-flash-lite-preview", "tTCwacuEBMvnitYP06qsgQY", 1, 0, 0, 0, 9, None, 0, True, None, "ON_DEMAND")]


def test_a_pretty_printed_vertex_response_is_one_record(tmp_path, settings):
    path = real(tmp_path, "gemini/vertex_generate_content_pretty.json")
    assert detect(path).name == "gemini_bare"
    summary = ingested(settings, path, "gemini_bare")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (1, 1, 0)
    assert rows(settings, COLUMNS + ", service_tier") == [
        ("gemini_bare", 1, dt.datetime(2025, 6, 18, 14, 45, 9, 8876, tzinfo=UTC), "google", "gemini-2.0-flash-001",
         "9dBSaKxFwKTr3g_RjJXICg", 13, 0, 0, 0, 40, None, 0, True, None, "ON_DEMAND")]


def test_a_pretty_printed_anthropic_message_is_recognised_and_says_to_log_it_in_an_envelope(tmp_path, settings):
    path = real(tmp_path, "anthropic/messages_create_response.json")
    assert detect(path).name == "anthropic_message_bare"
    summary = ingest(settings, [str(path)]).as_dict()
    [error] = [e["error"] for e in summary["file_errors"]]
    assert "too_many_rejects: 1 of 1 records rejected (over half): missing_timestamp ×1 (line 1: " in error
    assert "msg_013Zva2CMHLNnXjNJJKqJ2EF) has no time: log responses in spendlog's app log envelope" in error


def test_the_same_anthropic_body_in_an_envelope_lands_every_usage_field(tmp_path, settings):
    body = json.loads((REAL / "anthropic/messages_create_response.json").read_text())
    path = write_jsonl(tmp_path / "in" / "app.jsonl", [
        {"ts": "2026-03-12T10:00:00Z", "request_id": "req_1", "http_status": 200, "response": body}])
    ingested(settings, path, "app_log")
    # cache_creation says 0 and 0 although the flat field says 2051: the breakdown wins, as the API defines it
    assert rows(settings, COLUMNS + ", service_tier, inference_geo") == [
        ("app_log", 1, dt.datetime(2026, 3, 12, 10, tzinfo=UTC), "anthropic", "claude-opus-5", "req_1",
         2095, 0, 0, 2051, 503, 0, 0, True, None, "standard", "global")]



def test_claude_code_lines_of_older_versions_without_type(tmp_path, settings):
    path = real(tmp_path, "claude_code/ccusage_session_alpha.jsonl")
    assert detect(path).name == "claude_code"
    summary = ingested(settings, path, "claude_code")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (3, 3, 0)
    got = rows(settings, "source_line, ts, model, request_id, response_id, session_id, app_raw, " + TOKENS
               + ", speed, reported_cost_usd")
    assert [r[:6] for r in got] == [
        (1, dt.datetime(2026, 1, 9, 10, tzinfo=UTC), "claude-sonnet-4-20250514", "req-alpha-1", "msg-alpha-1",
         "session-alpha"),
        (2, dt.datetime(2026, 1, 9, 12, 30, tzinfo=UTC), "claude-opus-4-20250514", "req-alpha-2", "msg-alpha-2",
         "session-alpha"),
        (3, dt.datetime(2026, 1, 10, 9, 15, tzinfo=UTC), "claude-sonnet-4-20250514", "req-alpha-3", "msg-alpha-3",
         "session-alpha"),
    ]
    # flat cache_creation_input_tokens without a breakdown count as 5-minute writes; costUSD is the reported cost
    assert [r[6:] for r in got] == [
        ("claude-code", 100, 25, 0, 10, 50, None, 0, None, Decimal("0.12")),
        ("claude-code", 200, 50, 0, 20, 75, None, 0, "fast", Decimal("0.34")),
        ("claude-code", 300, 0, 0, 40, 125, None, 0, None, Decimal("0.56")),
    ]


def test_claude_code_api_error_lines_without_a_session_are_claude_code_not_app_log(tmp_path, settings):
    limit = real(tmp_path, "claude_code/clikae_session_limit.jsonl")
    legacy = real(tmp_path, "claude_code/ccusage_usage_limit.jsonl")
    assert detect(limit).name == detect(legacy).name == "claude_code"
    ingest(settings, [str(limit), str(legacy)])
    assert_accounting(settings)
    assert rows(settings, "source_file, source_line, ts, model, app_raw, session_id, http_status, error_type, "
                          "billable, input_tokens, output_tokens") == [
        (str(legacy), 1, dt.datetime(2025, 1, 10, 10, tzinfo=UTC), None, "claude-code", None, None, "api_error",
         False, 0, 0),
        (str(limit), 1, dt.datetime(2026, 6, 2, 9, 44, 49, 962000, tzinfo=UTC), "<synthetic>", "claude-code", None,
         429, "rate_limit", False, 0, 0),
    ]


def gemini_line(request_id, response, **envelope):
    return {"ts": "2026-03-10T14:54:45Z", "app": "x", "request_id": request_id, "http_status": 200,
            "response": response, **envelope}


BLOCKED = {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 638, "totalTokenCount": 638}}


def test_a_gemini_prompt_blocked_by_a_safety_filter_is_a_row_billed_for_its_input(tmp_path, settings):
    bare = write_jsonl(tmp_path / "in" / "bare.jsonl", [
        {**BLOCKED, "modelVersion": "gemini-2.5-flash", "createTime": "2026-03-10T14:54:45Z", "responseId": "b1"}])
    logged = write_jsonl(tmp_path / "in" / "app.jsonl", [
        gemini_line("r1", {**BLOCKED, "modelVersion": "gemini-2.5-flash"}),
        gemini_line("r2", BLOCKED, model_requested="gemini-2.5-flash")])
    summary = ingest(settings, [str(bare), str(logged)]).as_dict()
    assert (summary["file_errors"], summary["rows_loaded"], summary["rows_rejected"]) == ([], 3, 0)
    assert rows(settings, "source_format, request_id, model, " + TOKENS + ", billable, error_type") == [
        ("app_log", "r1", "gemini-2.5-flash", 638, 0, 0, 0, 0, None, 0, True, "blocked:SAFETY"),
        ("app_log", "r2", "gemini-2.5-flash", 638, 0, 0, 0, 0, None, 0, True, "blocked:SAFETY"),
        ("gemini_bare", "b1", "gemini-2.5-flash", 638, 0, 0, 0, 0, None, 0, True, "blocked:SAFETY"),
    ]


def test_every_reject_has_a_detail(tmp_path, settings):
    path = write_jsonl(tmp_path / "in" / "app.jsonl", [
        gemini_line("r1", BLOCKED),  # no model anywhere
        gemini_line("r2", {"modelVersion": "gemini-2.5-flash", "usageMetadata": {"promptTokenCount": "12"}}),
        {"app": "x", "response": {"id": "msg_1", "type": "message", "model": "claude-haiku-4-5",
                                  "usage": {"input_tokens": 1, "output_tokens": 1}}, "logged_at": None},
        "{not json", *[gemini_line(f"ok{i}", {"modelVersion": "gemini-2.5-flash",
                                              "usageMetadata": {"promptTokenCount": 5}}) for i in range(4)]])
    ingest(settings, [str(path)])
    assert query(settings, "select source_line, reason, detail from rejects order by source_line") == [
        (1, "missing_model", "the response names no model: log `model_requested` in the envelope"),
        (2, "bad_token_count", "a token count is not an integer from 0 to 2^53 - 1"),
        (3, "missing_timestamp", "no `ts`, `logged_at` or `timestamp` in the envelope"),
        (4, "invalid_json", "the record is not valid JSON"),
    ]


def test_langfuse_observations_that_name_the_model_as_provided_model_name(tmp_path, settings):
    path = tmp_path / "in" / "observations.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"data": [
        {"id": "gen-1", "traceId": "t-1", "type": "GENERATION", "startTime": "2026-08-12T08:00:00Z",
         "endTime": "2026-08-12T08:00:01Z", "providedModelName": "gpt-4o-mini",
         "usageDetails": {"input": 10, "output": 5, "total": 15}, "costDetails": {"total": 0.01}}],
        "meta": {"page": 1}}, indent=2))
    ingested(settings, path, "langfuse_observations")
    assert rows(settings, "request_id, provider, model, input_tokens, output_tokens, latency_ms, reported_cost_usd") == [
        ("gen-1", "openai", "gpt-4o-mini", 10, 5, 1000, Decimal("0.01"))]


def test_vendor_prefixes_on_model_names_resolve_to_the_catalogue_model(tmp_path, settings):
    usage = {"promptTokenCount": 1000, "candidatesTokenCount": 100}
    path = write_jsonl(tmp_path / "in" / "app.jsonl", [
        gemini_line(f"r{i}", {"modelVersion": model, "usageMetadata": usage})
        for i, model in enumerate(["gemini-2.5-flash", "models/gemini-2.5-flash", "google/gemini-2.5-flash"])])
    ingest(settings, [str(path)])
    got = query(settings, "select model, canonical_model, cost_usd from priced_usage order by source_line")
    assert [(m, c) for m, c, _ in got] == [("gemini-2.5-flash", "gemini-2.5-flash"),
                                          ("models/gemini-2.5-flash", "gemini-2.5-flash"),
                                          ("google/gemini-2.5-flash", "gemini-2.5-flash")]
    assert len({cost for _, _, cost in got}) == 1 and got[0][2] is not None


def test_openai_chat_completions_recorded_from_the_live_api_are_a_row_each(tmp_path, settings):
    path = real(tmp_path, "openai/chat_completions_live.jsonl")
    assert detect(path).name == "openai_response_bare"
    summary = ingested(settings, path, "openai_response_bare")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (2, 2, 0)
    # `created` 1727346142 and 1727346143; no prompt_tokens_details, so nothing cached; reasoning 0 as reported
    assert rows(settings, COLUMNS + ", service_tier, batch, latency_ms") == [
        ("openai_response_bare", 1, dt.datetime(2024, 9, 26, 10, 22, 22, tzinfo=UTC), "openai", "gpt-4o-2024-08-06",
         "chatcmpl-ABfvaueLEMLNYbT8YzpJxsmiQ6HSY", 14, 0, 0, 0, 37, 0, 0, True, None, None, False, None),
        ("openai_response_bare", 2, dt.datetime(2024, 9, 26, 10, 22, 23, tzinfo=UTC), "openai", "gpt-4o-2024-08-06",
         "chatcmpl-ABfvbtVnTu5DeC4EFnRYj8mtfOM99", 79, 0, 0, 0, 14, 0, 0, True, None, None, False, None),
    ]


def test_an_openai_response_recorded_from_the_live_api_is_one_row(tmp_path, settings):
    path = real(tmp_path, "openai/responses_live.jsonl")
    assert detect(path).name == "openai_response_bare"
    summary = ingested(settings, path, "openai_response_bare")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (1, 1, 0)
    # `created_at` 1754925861 and no `completed_at`, so no latency
    assert rows(settings, COLUMNS + ", response_id, service_tier, batch, latency_ms") == [
        ("openai_response_bare", 1, dt.datetime(2025, 8, 11, 15, 24, 21, tzinfo=UTC), "openai", "gpt-4o-mini-2024-07-18",
         "resp_689a0b2545288193953c892439b42e2800b2e36c65a1fd4b", 14, 0, 0, 0, 50, 0, 0, True, None,
         "resp_689a0b2545288193953c892439b42e2800b2e36c65a1fd4b", "default", False, None)]


def test_the_openapi_reasoning_response_keeps_its_reasoning_inside_the_output(tmp_path, settings):
    path = real(tmp_path, "openai/responses_create_reasoning.json")
    assert detect(path).name == "openai_response_bare"
    summary = ingested(settings, path, "openai_response_bare")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (1, 1, 0)
    # output 1035 includes the 832 reasoning tokens; completed_at - created_at = 1 s
    assert rows(settings, COLUMNS + ", service_tier, latency_ms") == [
        ("openai_response_bare", 1, dt.datetime(2025, 3, 8, 23, 51, 8, tzinfo=UTC), "openai", "o1-2024-12-17",
         "resp_67ccd7eca01881908ff0b5146584e408072912b2993db808", 81, 0, 0, 0, 1035, 832, 0, True, None, None, 1000)]


def test_the_openapi_default_chat_completion_is_one_row(tmp_path, settings):
    path = real(tmp_path, "openai/chat_completion_create_default.json")
    assert detect(path).name == "openai_response_bare"
    summary = ingested(settings, path, "openai_response_bare")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (1, 1, 0)
    # cached_tokens 0 of prompt_tokens 19
    assert rows(settings, COLUMNS + ", service_tier, batch") == [
        ("openai_response_bare", 1, dt.datetime(2025, 3, 10, 1, 25, 52, tzinfo=UTC), "openai", "gpt-5.4",
         "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", 19, 0, 0, 0, 10, 0, 0, True, None, "default", False)]


BATCH_COLUMNS = COLUMNS + ", response_id, batch, service_tier, http_status, tags"


def test_the_openapi_batch_request_output_line_is_a_batch_row_timed_by_its_body(tmp_path, settings):
    path = real(tmp_path, "openai/batch_request_output_spec.jsonl")
    assert detect(path).name == "openai_batch"
    summary = ingested(settings, path, "openai_batch")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (1, 1, 0)
    # body.created 1711475054; no side-car, so no batch id; usage without details: reasoning unknown
    assert rows(settings, BATCH_COLUMNS) == [
        ("openai_batch", 1, dt.datetime(2024, 3, 26, 17, 44, 14, tzinfo=UTC), "openai", "gpt-4o-mini", "batch_req_wnaDys",
         24, 0, 0, 0, 15, None, 0, True, None, "chatcmpl-9758Iw", True, None, 200, {"custom_id": "request-2"})]


def test_a_live_openai_batch_output_line_pretty_printed_with_sorted_keys(tmp_path, settings):
    path = real(tmp_path, "openai/batch_output_live_pretty.json")
    assert detect(path).name == "openai_batch"
    summary = ingested(settings, path, "openai_batch")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (1, 1, 0)
    assert rows(settings, BATCH_COLUMNS) == [
        ("openai_batch", 1, dt.datetime(2024, 8, 28, 15, 14, 49, tzinfo=UTC), "openai", "gpt-4o-mini-2024-07-18",
         "batch_req_403hYy7nMxrxXFWXiwvoLG1q", 24, 0, 0, 0, 8, None, 0, True, None,
         "chatcmpl-A1Efhv97EZNQeHKSLPnTmZex20gf2", True, None, 200, {"custom_id": "request-1"})]


def test_the_openapi_costs_page_is_one_money_only_day_bucket(tmp_path, settings):
    path = real(tmp_path, "openai/costs_page.json")
    assert detect(path).name == "openai_costs_api"
    summary = ingested(settings, path, "openai_costs_api")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (1, 1, 0)
    # line_item null: no model, no tags; amount.value is dollars
    assert rows(settings, COLUMNS + ", grain, bucket_end, reported_cost_usd, project, api_key, tags") == [
        ("openai_costs_api", 1, dt.datetime(2024, 11, 1, tzinfo=UTC), "openai", None, None, 0, 0, 0, 0, 0, None, 0,
         True, None, "bucket", dt.datetime(2024, 11, 2, tzinfo=UTC), Decimal("0.06"), None, None, None)]


def test_the_anthropic_batch_guide_results_take_the_side_car_batch_time_and_id(tmp_path, settings):
    path = real(tmp_path, "anthropic/batch_results.jsonl")
    real(tmp_path, "anthropic/batch_results.jsonl.batch.json")
    assert detect(path).name == "anthropic_batch"
    summary = ingested(settings, path, "anthropic_batch")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (2, 2, 0)
    # the lines carry no time: the side-car's ended_at; usage without cache fields counts no cache
    ended = dt.datetime(2024, 8, 20, 18, 37, 24, 100435, tzinfo=UTC)
    batch = "msgbatch_013Zva2CMHLNnXjNJJKqJ2EF"
    assert rows(settings, COLUMNS + ", batch, service_tier, tags") == [
        ("anthropic_batch", 1, ended, "anthropic", "claude-sonnet-4-5-20250929", "msg_014VwiXbi91y3JMjcpyGBHX5",
         11, 0, 0, 0, 36, None, 0, True, None, True, "batch", {"batch_id": batch, "custom_id": "my-second-request"}),
        ("anthropic_batch", 2, ended, "anthropic", "claude-sonnet-4-5-20250929", "msg_01FqfsLoHwgeFbguDgpz48m7",
         10, 0, 0, 0, 34, None, 0, True, None, True, "batch", {"batch_id": batch, "custom_id": "my-first-request"}),
    ]


def test_the_anthropic_usage_report_example_is_one_day_bucket_with_both_cache_ttls(tmp_path, settings):
    path = real(tmp_path, "anthropic/usage_report_messages.json")
    assert detect(path).name == "anthropic_usage_report"
    summary = ingested(settings, path, "anthropic_usage_report")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (1, 1, 0)
    # cache_creation: 1h 1000, 5m 500; no request count in this API
    got = rows(settings, COLUMNS + ", grain, bucket_end, request_count, api_key, workspace, service_tier, batch, "
                                   "context_window")
    assert [r[:5] + r[6:] for r in got] == [
        ("anthropic_usage_report", 1, dt.datetime(2025, 8, 1, tzinfo=UTC), "anthropic", "claude-sonnet-4-20250514",
         1500, 500, 1000, 200, 500, None, 10, True, None, "bucket", dt.datetime(2025, 8, 2, tzinfo=UTC), None,
         "apikey_01Rj2N8SVvo6BePZj99NhmiT", "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ", "standard", False, "0-200k")]
    assert got[0][5].startswith("bucket:")  # a bucket's key, not a request id


def test_the_anthropic_cost_report_example_is_cents_turned_into_dollars(tmp_path, settings):
    path = real(tmp_path, "anthropic/cost_report.json")
    assert detect(path).name == "anthropic_cost_report"
    summary = ingested(settings, path, "anthropic_cost_report")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (1, 1, 0)
    # amount "123.78912" is cents: $1.2378912; money only, no tokens
    got = rows(settings, COLUMNS + ", grain, bucket_end, reported_cost_usd, workspace, service_tier, context_window, "
                                   "tags")
    assert [r[:5] + r[6:] for r in got] == [
        ("anthropic_cost_report", 1, dt.datetime(2025, 8, 1, tzinfo=UTC), "anthropic", "claude-sonnet-4-20250514",
         0, 0, 0, 0, 0, None, 0, True, None, "bucket", dt.datetime(2025, 8, 2, tzinfo=UTC), Decimal("1.2378912"),
         "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ", "standard", "0-200k",
         {"cost_type": "tokens", "token_type": "uncached_input_tokens",
          "description": "Claude Sonnet 4 Usage - Input Tokens"})]
    assert got[0][5].startswith("bucket:")  # a bucket's key, not a request id


def test_a_recorded_openrouter_generation_of_a_free_model_is_a_non_billable_row(tmp_path, settings):
    path = real(tmp_path, "openrouter/generation_gemini_free.json")
    assert detect(path).name == "openrouter_generation"
    summary = ingested(settings, path, "openrouter_generation")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (1, 1, 0)
    # native counts (4 prompt, 521 completion) over the normalized 10/30; a `:free` variant that cost 0 is not billed;
    # latency is generation_time (1), not `latency` (3134)
    assert rows(settings, COLUMNS + ", billed_by, reported_cost_usd, latency_ms, tags") == [
        ("openrouter_generation", 1, dt.datetime(2025, 1, 25, 21, 58, 42, 249238, tzinfo=UTC), "google",
         "google/gemini-2.0-flash-thinking-exp-01-21:free", "gen-1737842317-9ifH6Yzo5icEdfD0I8SI", 4, 0, 0, 0, 521,
         None, 0, False, None, "openrouter", Decimal("0"), 1,
         {"provider_name": "Google AI Studio", "app_id": "167635", "origin": "https://openrouter.ai/",
          "finish_reason": "STOP"})]


def test_a_litellm_spend_log_row_as_json_is_read_like_its_csv_row(tmp_path, settings):
    path = real(tmp_path, "litellm/spend_logs_payload.json")
    assert detect(path).name == "litellm_spend_logs"
    summary = ingested(settings, path, "litellm_spend_logs")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (1, 1, 0)
    # usage_object: prompt 10, completion 20; spend 0.000225 (= 10 × $2.50/M + 20 × $10/M, gpt-4o's list price);
    # startTime naive UTC; latency endTime − startTime = 4.583 ms
    assert rows(settings, COLUMNS + ", billed_by, reported_cost_usd, latency_ms, session_id, tags") == [
        ("litellm_spend_logs", 1, dt.datetime(2025, 1, 24, 9, 20, 46, 847371, tzinfo=UTC), "openai", "gpt-4o",
         "chatcmpl-2283081b-dc89-41f6-93e6-d4f914774027", 10, 0, 0, 0, 20, None, 0, True, None, "openai",
         Decimal("0.000225"), 5, "1234567890", {"custom_llm_provider": "openai"})]
    assert query(settings, "select cost_usd from priced_usage") == [(Decimal("0.000225"),)]


def test_litellm_spend_log_rows_as_json_lines_with_metadata_as_an_object(tmp_path, settings):
    row = json.loads((REAL / "litellm" / "spend_logs_payload.json").read_text())
    row["metadata"] = json.loads(row["metadata"])  # the /spend/logs API gives it as an object
    second = {**row, "request_id": "chatcmpl-second", "startTime": "2025-01-24 09:21:00.000000",
              "metadata": {**row["metadata"], "usage_object": {"prompt_tokens": 100, "completion_tokens": 7}}}
    path = write_jsonl(tmp_path / "in" / "spend_logs.jsonl", [row, second])
    summary = ingested(settings, path, "litellm_spend_logs")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (2, 2, 0)
    assert rows(settings, "source_line, request_id, input_tokens, output_tokens") == [
        (1, "chatcmpl-2283081b-dc89-41f6-93e6-d4f914774027", 10, 20), (2, "chatcmpl-second", 100, 7)]


def test_an_openai_usage_page_fetched_without_group_by_model_is_refused_saying_so(tmp_path, settings):
    # the spec's example page: buckets without `model` (it is filled only with group_by=model), so nothing to price
    path = real(tmp_path, "openai/usage_completions_page.json")
    assert detect(path).name == "openai_usage_api"
    summary = ingest(settings, [str(path)]).as_dict()
    [error] = [e["error"] for e in summary["file_errors"]]
    assert error.startswith("too_many_rejects: 1 of 1 records rejected (over half): missing_model ×1 (line 1: ")
    assert "fetch the usage grouped by model" in error


def test_a_recorded_vertex_thinking_response_counts_its_thoughts_as_output(tmp_path, settings):
    path = real(tmp_path, "gemini/vertex_generate_content_thinking.json")
    assert detect(path).name == "gemini_bare"
    summary = ingested(settings, path, "gemini_bare")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (1, 1, 0)
    # candidates 155 + thoughts 42 = output 197 (Gemini's candidates exclude the thoughts); prompt 6, nothing cached
    assert rows(settings, COLUMNS + ", service_tier") == [
        ("gemini_bare", 1, dt.datetime(2025, 10, 24, 7, 45, 16, 255887, tzinfo=UTC), "google", "gemini-2.5-flash",
         "jC77aI_PD-v8698Pl73V0QY", 6, 0, 0, 0, 197, 42, 0, True, None, "ON_DEMAND")]


def test_recorded_gemini_api_responses_have_no_time_and_are_refused_bare(tmp_path, settings):
    path = real(tmp_path, "gemini/ai_studio_generate_content_live.jsonl")
    assert detect(path).name == "gemini_bare"
    summary = ingest(settings, [str(path)]).as_dict()
    [error] = [e["error"] for e in summary["file_errors"]]
    assert error.startswith("too_many_rejects: 2 of 2 records rejected (over half): missing_timestamp ×2 (line 1: ")


def test_recorded_gemini_api_responses_in_an_envelope_land_cache_tool_use_and_thoughts(tmp_path, settings):
    bodies = [json.loads(line) for line in (REAL / "gemini/ai_studio_generate_content_live.jsonl").read_text().splitlines()]
    path = write_jsonl(tmp_path / "in" / "app.jsonl", [
        gemini_line(body["responseId"], body) for body in bodies])
    summary = ingested(settings, path, "app_log")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (2, 2, 0)
    # line 1: prompt 5 of which 3 cached; candidates 238 + thoughts 41
    # line 2: prompt 22 + toolUsePrompt 247 (the MCP tool's result fed back) uncached; candidates 90 + thoughts 225
    ts = dt.datetime(2026, 3, 10, 14, 54, 45, tzinfo=UTC)
    assert rows(settings, COLUMNS + ", response_id") == [
        ("app_log", 1, ts, "google", "gemini-2.5-flash", "hS77aOmpFb66vr0P9ruBiQM", 2, 0, 0, 3, 279, 41, 0, True, None,
         "hS77aOmpFb66vr0P9ruBiQM"),
        ("app_log", 2, ts, "google", "gemini-2.5-flash", "x1OSaYDzA8ehjrEPp677kA4", 269, 0, 0, 0, 315, 225, 0, True,
         None, "x1OSaYDzA8ehjrEPp677kA4"),
    ]


CONSOLE_COLUMNS = (COLUMNS + ", grain, bucket_end, api_key, workspace, service_tier, batch, context_window, inference_geo, "
                             "speed")


def test_a_real_hourly_console_usage_export_is_a_bucket_per_hour(tmp_path, settings):
    path = real(tmp_path, "anthropic/console_tokens_hourly_2026_03_31.csv")
    assert detect(path).name == "console_usage_csv"
    summary = ingested(settings, path, "console_usage_csv")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (2, 2, 0)
    # `YYYY-MM-DD HH:MM` on the hour: 1-hour buckets; "≤ 200k" is 0-200k; the empty speed is standard
    got = rows(settings, CONSOLE_COLUMNS)
    assert [r[:5] + r[6:] for r in got] == [
        ("console_usage_csv", 2, dt.datetime(2026, 3, 31, 2, tzinfo=UTC), "anthropic", "claude-haiku-4-5-20251001",
         1124832, 0, 0, 0, 254558, None, 0, True, None, "bucket", dt.datetime(2026, 3, 31, 3, tzinfo=UTC), "super",
         "Default", "standard", False, "0-200k", "not_available", "standard"),
        ("console_usage_csv", 3, dt.datetime(2026, 3, 31, 3, tzinfo=UTC), "anthropic", "claude-haiku-4-5-20251001",
         506280, 0, 0, 0, 117816, None, 0, True, None, "bucket", dt.datetime(2026, 3, 31, 4, tzinfo=UTC), "super",
         "Default", "standard", False, "0-200k", "not_available", "standard"),
    ]
    assert all(r[5].startswith("bucket:") for r in got)


def test_a_real_console_usage_day_exported_twice_keeps_the_later_export(tmp_path, settings):
    first = real(tmp_path, "anthropic/console_tokens_daily_2026_03.csv")
    again = real(tmp_path, "anthropic/console_tokens_daily_2026_03_reexport.csv")
    assert detect(first).name == detect(again).name == "console_usage_csv"
    os.utime(first, (1774927486, 1774927486))  # 2026-03-31 03:24:46 UTC, when the log shows the first export
    os.utime(again, (1774927919, 1774927919))  # 03:31:59 UTC, the export of seven minutes later: the day has grown
    ingest(settings, [str(first), str(again)])
    assert_accounting(settings)
    # the same bucket (day, model, key, workspace, …): one row, the later file's counts
    got = rows(settings, "source_file, " + CONSOLE_COLUMNS)
    assert [r[:6] + r[7:] for r in got] == [
        (str(again), "console_usage_csv", 2, dt.datetime(2026, 3, 31, tzinfo=UTC), "anthropic",
         "claude-haiku-4-5-20251001", 1947945, 0, 0, 0, 452067, None, 0, True, None, "bucket",
         dt.datetime(2026, 4, 1, tzinfo=UTC), "super", "Default", "standard", False, "0-200k", "not_available",
         "standard")]


def test_a_real_console_cost_export_keeps_two_rows_alike_in_every_dimension(tmp_path, settings):
    # lines 9 and 10: 2026-02-12, Sonnet 4.5, chat-key, input_cache_write_5m, $0.75 and $1.16 — two keys of one name
    # (this older export has no api_key_id); the owner's own tally counts both ($5.16 = 0.75 + 1.16 + 3.03 + 0.22)
    path = real(tmp_path, "anthropic/console_cost_2026_02_08_to_2026_02_15.csv")
    assert detect(path).name == "console_cost_csv"
    summary = ingested(settings, path, "console_cost_csv")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (24, 24, 0)
    assert query(settings, "select sum(reported_cost_usd) from usage") == [(Decimal("19.97"),)]
    alike = query(settings, "select reported_cost_usd, request_id from usage where source_line in (9, 10) "
                            "order by source_line")
    assert [cost for cost, _ in alike] == [Decimal("0.75"), Decimal("1.16")] and alike[0][1] != alike[1][1]
    # line 2, a web-search cost, fills what it does not have with `--`: read as empty
    assert query(settings, "select model, inference_geo, context_window, tags, reported_cost_usd from usage "
                           "where source_line = 2") == [(None, None, None, {"cost_type": "web_search"},
                                                         Decimal("0.07"))]
    # the same export again, later: each row is a duplicate of its own, the second of the two alike included
    again = tmp_path / "again" / path.name
    again.parent.mkdir()
    again.write_bytes(path.read_bytes())
    os.utime(again, (path.stat().st_mtime + 60,) * 2)
    summary = ingest(settings, [str(again)]).as_dict()
    assert (summary["rows_loaded"], summary["duplicates"], summary["rows_rejected"]) == (0, 24, 0)
    assert query(settings, "select sum(reported_cost_usd), count(*) from usage") == [(Decimal("19.97"), 24)]
    assert_accounting(settings)
