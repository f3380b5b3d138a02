"""Fees and sub-inferences the logs carry reach the price (issue 13, item 4): Anthropic usage.iterations, OpenAI
web search and data residency, Gemini grounding, embeddings. Every figure is worked by hand from
the project's reference pricing.md and the catalogue (pipeline/catalog/*.csv); the arithmetic is in the comments."""
from decimal import Decimal

from conftest import app_record, assert_accounting, entry, query, write_jsonl
from pipeline.ingest import ingest

ADVISED = app_record(
    "req_adv", ts="2026-05-04T09:00:00Z", model="claude-sonnet-4-6", input_tokens=412, output_tokens=531,
    server_tool_use={"web_search_requests": 1},
    iterations=[
        {"type": "message", "input_tokens": 412, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0,
         "output_tokens": 89},
        {"type": "advisor_message", "model": "claude-opus-4-7", "input_tokens": 823, "cache_read_input_tokens": 0,
         "cache_creation_input_tokens": 0, "output_tokens": 1612},
        {"type": "message", "input_tokens": 1348, "cache_read_input_tokens": 412, "cache_creation_input_tokens": 0,
         "output_tokens": 442},
    ])
COMPACTED = app_record(
    "req_cmp", ts="2026-05-04T10:00:00Z", model="claude-haiku-4-5", input_tokens=23_000, output_tokens=1_000,
    iterations=[{"type": "compaction", "input_tokens": 180_000, "output_tokens": 3_500},
                {"type": "message", "input_tokens": 23_000, "output_tokens": 1_000}])


def test_sub_inferences_are_rows_on_their_own_model_priced_at_its_rates(tmp_path, settings):
    path = write_jsonl(tmp_path / "app.jsonl", [ADVISED, COMPACTED])
    summary = ingest(settings, [str(path)]).as_dict()
    # two records: the sub-inferences ride with them, so the line accounting counts 2 read, 2 loaded
    assert (summary["records_read"], summary["rows_loaded"]) == (2, 2)
    assert_accounting(settings)
    got = query(settings, """select request_id, model, input_tokens, cache_read_tokens, output_tokens,
                                    web_search_requests, request_count, cost_usd, app
                             from priced_usage order by request_id, request_count nulls first""")
    assert got == [
        # executor: the sums of its two `message` iterations (the top-level usage has the first one's input only):
        # 412 + 1,348 = 1,760 in, 412 read, 89 + 442 = 531 out; Sonnet 4.6 $3 / read $0.30 / $15, web search $10/1k:
        # 1,760 × 3 + 412 × 0.3 + 531 × 15 = 5,280 + 123.6 + 7,965 = 13,368.6 → $0.0133686,
        # + 1 × $10 / 1,000 = $0.01 → $0.0233686
        ("req_adv", "claude-sonnet-4-6", 1_760, 412, 531, 1, None, Decimal("0.0233686"), "test-app"),
        # advisor, Opus 4.7 $5/$25: 823 × 5 + 1,612 × 25 = 4,115 + 40,300 = 44,415 → $0.044415
        ("req_adv", "claude-opus-4-7", 823, 0, 1612, 0, 0, Decimal("0.044415"), "test-app"),
        # Haiku 4.5 $1/$5: 23,000 × 1 + 1,000 × 5 = 28,000 → $0.028
        ("req_cmp", "claude-haiku-4-5", 23_000, 0, 1_000, 0, None, Decimal("0.028"), "test-app"),
        # the compaction pass names no model, so it is the response's: 180,000 × 1 + 3,500 × 5 = 197,500 → $0.1975
        ("req_cmp", "claude-haiku-4-5", 180_000, 0, 3_500, 0, 0, Decimal("0.1975"), "test-app"),
    ]
    # the advised request costs $0.0233686 + $0.044415 = $0.0677836, not the $0.019201 its top-level usage gives
    # (412 × 3 + 531 × 15 = 9,201 → $0.009201, + $0.01); it is still one request
    assert query(settings, "select sum(cost_usd), sum(requests) from daily_spend where provider = 'anthropic'") == [
        (Decimal("0.0677836") + Decimal("0.2255"), 2)]


def test_a_record_read_again_loads_no_sub_inference_twice(tmp_path, settings):
    path = write_jsonl(tmp_path / "app.jsonl", [ADVISED])
    ingest(settings, [str(path)])
    copy = write_jsonl(tmp_path / "copy.jsonl", [ADVISED])
    summary = ingest(settings, [str(copy)]).as_dict()
    assert (summary["records_read"], summary["rows_loaded"], summary["duplicates"]) == (1, 0, 1)
    assert_accounting(settings)
    assert entry(settings, copy)["duplicates"] == 1
    assert query(settings, "select count(*), sum(cost_usd) from priced_usage") == [(2, Decimal("0.0677836"))]


def test_a_bad_iteration_count_rejects_the_record(tmp_path, settings):
    bad = app_record("req_bad", ts="2026-05-04T09:00:00Z", model="claude-sonnet-4-6",
                     iterations=[{"type": "advisor_message", "model": "claude-opus-4-7", "input_tokens": 1.5,
                                  "output_tokens": 3}])
    path = write_jsonl(tmp_path / "app.jsonl", [COMPACTED, bad])
    summary = ingest(settings, [str(path)]).as_dict()
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (2, 1, 1)
    assert query(settings, "select reason from rejects") == [("bad_token_count",)]
    assert_accounting(settings)


def envelope(request_id, response, ts="2026-05-04T09:00:00Z", **extra):
    return {"ts": ts, "app": "fees", "request_id": request_id, "http_status": 200, "response": response, **extra}


def gemini(model, queries, response_id):
    return {"candidates": [{"content": {"parts": [{"text": "…"}], "role": "model"}, "finishReason": "STOP",
                            "groundingMetadata": {"webSearchQueries": queries,
                                                  "searchEntryPoint": {"renderedContent": "<div/>"}}}],
            "usageMetadata": {"promptTokenCount": 2_000, "candidatesTokenCount": 300, "totalTokenCount": 2_300},
            "modelVersion": model, "responseId": response_id}


RESPONSES = {"id": "resp_1", "object": "response", "created_at": 1777885200, "status": "completed",
             "model": "gpt-5-2025-08-07",
             "output": [{"type": "web_search_call", "id": "ws_1", "status": "completed",
                         "action": {"type": "search", "query": "spendlog"}},
                        {"type": "web_search_call", "id": "ws_2", "status": "completed",
                         "action": {"type": "search", "query": "duckdb decimal"}},
                        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "…"}]}],
             "usage": {"input_tokens": 1_000, "input_tokens_details": {"cached_tokens": 0},
                       "output_tokens": 200, "output_tokens_details": {"reasoning_tokens": 0}}}


def priced(settings):
    return query(settings, """select request_id, model, web_search_requests, inference_geo, cost_usd, price_flags
                              from priced_usage order by request_id""")


def test_openai_web_search_calls_and_gemini_grounding_are_billed(tmp_path, settings):
    path = write_jsonl(tmp_path / "app.jsonl", [
        envelope("o1", RESPONSES),
        envelope("g25", gemini("gemini-2.5-flash", ["a", "b", "c"], "r25")),
        envelope("g3", gemini("gemini-3-flash-preview", ["a", "b", "c"], "r3")),
        envelope("g3-early", gemini("gemini-3-flash-preview", ["a", "b", "c"], "r3e"), ts="2025-12-20T09:00:00Z"),
    ])
    ingest(settings, [str(path)])
    assert_accounting(settings)
    assert priced(settings) == [
        # Gemini 2.5 Flash $0.30/$2.50, grounding $35 per 1,000 grounded prompts: one prompt, whatever its queries:
        # 2,000 × 0.30 + 300 × 2.50 = 600 + 750 → $0.00135, + 1 × $35 / 1,000 = $0.035 → $0.03635
        ("g25", "gemini-2.5-flash", 1, None, Decimal("0.03635"), []),
        # Gemini 3 Flash $0.50/$3, grounding $14 per 1,000 search queries: 2,000 × 0.5 + 300 × 3 = 1,900 → $0.0019,
        # + 3 × $14 / 1,000 = $0.042 → $0.0439
        ("g3", "gemini-3-flash-preview", 3, None, Decimal("0.0439"), []),
        # before 2026-01-05 grounding on Gemini 3 was not billed: $0.0019
        ("g3-early", "gemini-3-flash-preview", 3, None, Decimal("0.0019"), []),
        # gpt-5 $1.25/$10, web search $10 per 1,000 calls: 1,000 × 1.25 + 200 × 10 = 3,250 → $0.00325,
        # + 2 × $10 / 1,000 = $0.02 → $0.02325
        ("o1", "gpt-5-2025-08-07", 2, None, Decimal("0.02325"), []),
    ]


def chat_completion(model, response_id):
    return {"id": response_id, "object": "chat.completion", "created": 1777885200, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "…", "annotations": []},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1_000, "completion_tokens": 200, "total_tokens": 1_200,
                      "prompt_tokens_details": {"cached_tokens": 0}}}


def test_chat_completions_search_models_bill_one_search_per_response(tmp_path, settings):
    # a Chat Completions response has no search count, but its search models search before every answer: one call
    path = write_jsonl(tmp_path / "app.jsonl", [
        envelope("mini", chat_completion("gpt-4o-mini-search-preview-2025-03-11", "chatcmpl-1")),
        envelope("full", chat_completion("gpt-4o-search-preview", "chatcmpl-2")),
        envelope("plain", chat_completion("gpt-4o-mini", "chatcmpl-3")),
    ])
    bare = write_jsonl(tmp_path / "bare.jsonl", [chat_completion("gpt-4o-mini-search-preview", "chatcmpl-4")])
    ingest(settings, [str(path)])
    ingest(settings, [str(bare)], fmt="openai_response_bare")
    assert_accounting(settings)
    assert priced(settings) == [
        # genai-prices prices gpt-4o-mini-search-preview as gpt-4o-mini, a curated model: that match is not taken
        # (its $10 per 1,000 is the Responses tool's rate, and the search models' is in doubt: audit D11)
        ("chatcmpl-4", "gpt-4o-mini-search-preview", 1, None, None, ["no_price"]),
        # gpt-4o-search-preview has token rates but no search rate in any layer: unpriced, not billed without its fee
        ("full", "gpt-4o-search-preview", 1, None, None, ["no_rate:web_search"]),
        ("mini", "gpt-4o-mini-search-preview-2025-03-11", 1, None, None, ["no_price"]),
        # no search model, no call: $0.00027
        ("plain", "gpt-4o-mini", 0, None, Decimal("0.00027"), []),
    ]


def test_openai_data_residency_bills_the_uplift_where_the_model_has_it(tmp_path, settings):
    def chat(model, response_id):
        return {"id": response_id, "object": "chat.completion", "created": 1777885200, "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "…"}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 10_000, "completion_tokens": 1_000, "total_tokens": 11_000,
                          "prompt_tokens_details": {"cached_tokens": 2_000}}}
    path = write_jsonl(tmp_path / "app.jsonl", [
        envelope("eu-54", chat("gpt-5.4", "chatcmpl-1"), base_url="https://eu.api.openai.com/v1"),
        envelope("eu-4o", chat("gpt-4o-2024-08-06", "chatcmpl-2"), base_url="https://eu.api.openai.com/v1"),
        envelope("us-54", chat("gpt-5.4", "chatcmpl-3"), data_residency="us"),
        envelope("global-54", chat("gpt-5.4", "chatcmpl-4"), base_url="https://api.openai.com/v1"),
    ])
    ingest(settings, [str(path)])
    assert priced(settings) == [
        # gpt-4o (released before 2026-03-05: no uplift) $2.50 / cached $1.25 / $10:
        # 8,000 × 2.5 + 2,000 × 1.25 + 1,000 × 10 = 20,000 + 2,500 + 10,000 → $0.0325, at list price, no flag
        ("eu-4o", "gpt-4o-2024-08-06", 0, "eu", Decimal("0.0325"), []),
        # gpt-5.4 $2.50 / cached $0.25 / $15: 8,000 × 2.5 + 2,000 × 0.25 + 1,000 × 15 = 20,000 + 500 + 15,000
        # → $0.0355, × 1.1 on a data-residency endpoint = $0.03905
        ("eu-54", "gpt-5.4", 0, "eu", Decimal("0.03905"), []),
        ("global-54", "gpt-5.4", 0, None, Decimal("0.0355"), []),
        ("us-54", "gpt-5.4", 0, "us", Decimal("0.03905"), []),
    ]


def test_embedding_requests_are_priced(tmp_path, settings):
    openai = {"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": [0.1, -0.2]}],
              "model": "text-embedding-3-small", "usage": {"prompt_tokens": 8_000, "total_tokens": 8_000}}
    google = {"embedding": {"values": [0.1, -0.2]},
              "usageMetadata": {"promptTokenCount": 4_000, "totalTokenCount": 4_000}}
    bare = {"embedding": {"values": [0.1, -0.2]}}
    path = write_jsonl(tmp_path / "app.jsonl", [
        envelope("e1", openai),
        envelope("e2", google, model_requested="gemini-embedding-001"),
        envelope("e3", openai | {"model": "text-embedding-3-large"}),
        envelope("e4", bare, model_requested="gemini-embedding-001"),
    ])
    summary = ingest(settings, [str(path)]).as_dict()
    assert (summary["rows_loaded"], summary["rows_rejected"]) == (3, 1)
    assert_accounting(settings)
    assert query(settings, "select request_id, provider, model, input_tokens, output_tokens, cost_usd "
                           "from priced_usage order by request_id") == [
        # text-embedding-3-small $0.02 per 1M input tokens: 8,000 × 0.02 = 160 → $0.00016
        ("e1", "openai", "text-embedding-3-small", 8_000, 0, Decimal("0.00016")),
        # gemini-embedding-001 $0.15 per 1M: 4,000 × 0.15 = 600 → $0.0006
        ("e2", "google", "gemini-embedding-001", 4_000, 0, Decimal("0.0006")),
        # text-embedding-3-large $0.13 per 1M: 8,000 × 0.13 = 1,040 → $0.00104
        ("e3", "openai", "text-embedding-3-large", 8_000, 0, Decimal("0.00104")),
    ]
    # a Gemini embedContent response without usageMetadata says nothing billable: rejected, with the reason
    assert query(settings, "select reason from rejects") == [("missing_usage",)]


# The same rules in the other formats that carry these responses (one definition: sql/normalize/_macros.sql).

def rows(settings):
    return query(settings, """select request_id, model, input_tokens, cache_read_tokens, output_tokens,
                                     web_search_requests, request_count, cost_usd
                              from priced_usage order by request_id, request_count nulls first""")


def test_anthropic_batch_results_bill_their_iterations_at_batch_rates(tmp_path, settings):
    path = write_jsonl(tmp_path / "batch.jsonl", [
        {"custom_id": "adv", "result": {"type": "succeeded", "message": ADVISED["response"]}}])
    summary = ingest(settings, [str(path)], fmt="anthropic_batch", options={
        "batch_id": "msgbatch_1", "batch_ended_at": "2026-05-04T09:00:00Z"}).as_dict()
    assert (summary["records_read"], summary["rows_loaded"]) == (1, 1)
    assert_accounting(settings)
    assert rows(settings) == [
        # executor, Sonnet 4.6 at batch rates (half): $1.50 / read $0.15 / $7.50, web search $10/1k not halved:
        # 1,760 × 1.5 + 412 × 0.15 + 531 × 7.5 = 2,640 + 61.8 + 3,982.5 = 6,684.3 → $0.0066843, + $0.01 → $0.0166843
        ("msg_req_adv", "claude-sonnet-4-6", 1_760, 412, 531, 1, None, Decimal("0.0166843")),
        # advisor, Opus 4.7 at batch rates $2.50/$12.50: 823 × 2.5 + 1,612 × 12.5 = 2,057.5 + 20,150 = 22,207.5
        # → $0.0222075
        ("msg_req_adv", "claude-opus-4-7", 823, 0, 1_612, 0, 0, Decimal("0.0222075")),
    ]


def test_bare_openai_responses_and_batch_bodies_bill_their_web_search_calls(tmp_path, settings):
    bare = write_jsonl(tmp_path / "responses.jsonl", [RESPONSES])
    batch = write_jsonl(tmp_path / "batch_output.jsonl", [
        {"id": "batch_req_1", "custom_id": "q1", "error": None,
         "response": {"status_code": 200, "request_id": "req_b1", "body": RESPONSES | {"id": "resp_b1"}}}])
    ingest(settings, [str(bare)], fmt="openai_response_bare")
    ingest(settings, [str(batch)], fmt="openai_batch", options={"batch_id": "batch_1"})
    assert_accounting(settings)
    assert priced(settings) == [
        # in a batch, gpt-5 at half: $0.625/$5, the calls at $10 per 1,000 still: 1,000 × 0.625 + 200 × 5 = 1,625
        # → $0.001625, + 2 × $10 / 1,000 = $0.02 → $0.021625
        ("batch_req_1", "gpt-5-2025-08-07", 2, None, Decimal("0.021625"), []),
        # gpt-5 $1.25/$10: 1,000 × 1.25 + 200 × 10 = 3,250 → $0.00325, + $0.02 → $0.02325 (as in the app log)
        ("resp_1", "gpt-5-2025-08-07", 2, None, Decimal("0.02325"), []),
    ]


def test_bare_gemini_responses_bill_grounding(tmp_path, settings):
    path = write_jsonl(tmp_path / "gemini.jsonl", [
        gemini("gemini-2.5-flash", ["a", "b", "c"], "r25") | {"createTime": "2026-05-04T09:00:00Z"},
        gemini("gemini-3-flash-preview", ["a", "b", "c"], "r3") | {"createTime": "2026-05-04T09:00:00Z"},
    ])
    ingest(settings, [str(path)], fmt="gemini_bare")
    assert_accounting(settings)
    assert priced(settings) == [
        # as in the app log: Gemini 2.5 Flash, one grounded prompt: $0.00135 + $0.035 = $0.03635
        ("r25", "gemini-2.5-flash", 1, None, Decimal("0.03635"), []),
        # Gemini 3 Flash, three search queries: $0.0019 + 3 × $14 / 1,000 = $0.0019 + $0.042 = $0.0439
        ("r3", "gemini-3-flash-preview", 3, None, Decimal("0.0439"), []),
    ]


def test_claude_code_assistant_lines_bill_their_iterations(tmp_path, settings):
    def assistant(usage, ts, **extra):
        message = ADVISED["response"] | {"role": "assistant", "usage": usage}
        return {"type": "assistant", "timestamp": ts, "sessionId": "s1", "cwd": "/w", "uuid": "u-" + ts,
                "requestId": "req_cc", "message": message, **extra}
    full = ADVISED["response"]["usage"]
    # a streaming snapshot (no iterations yet), then the final line: one row per message, timed by the first
    path = write_jsonl(tmp_path / "session.jsonl", [
        assistant({"input_tokens": 412, "output_tokens": 1}, "2026-05-04T09:00:00Z"),
        assistant(full, "2026-05-04T09:00:05Z")])
    summary = ingest(settings, [str(path)], fmt="claude_code").as_dict()
    assert (summary["records_read"], summary["rows_loaded"]) == (2, 1)
    assert_accounting(settings)
    expected = [
        # as in the app log: the executor's sums 1,760 in, 412 read, 531 out on Sonnet 4.6 + one search → $0.0233686
        ("req_cc", "claude-sonnet-4-6", 1_760, 412, 531, 1, None, Decimal("0.0233686")),
        # the advisor on Opus 4.7: 823 × 5 + 1,612 × 25 = 44,415 → $0.044415
        ("req_cc", "claude-opus-4-7", 823, 0, 1_612, 0, 0, Decimal("0.044415")),
    ]
    assert rows(settings) == expected
    # a sidechain replay of the response in another file is a duplicate, its sub-inference too
    replay = write_jsonl(tmp_path / "agent-1.jsonl", [assistant(full, "2026-05-04T09:00:05Z", isSidechain=True)])
    summary = ingest(settings, [str(replay)], fmt="claude_code").as_dict()
    assert (summary["records_read"], summary["rows_loaded"], summary["duplicates"]) == (1, 0, 1)
    assert_accounting(settings)
    assert rows(settings) == expected


def test_a_user_rate_prices_a_chat_search_model_with_its_fee(tmp_path, run):
    # a user row for gpt-4o-search-preview at $2.50/$10 with $25 per 1,000 calls: 1,000 × 2.5 + 200 × 10 = 4,500
    # → $0.0045, + 1 × $25 / 1,000 = $0.025 → $0.0295
    config = tmp_path / "spendlog.toml"
    config.write_text('[prices]\nuser_file = "my_prices.csv"\n')
    (tmp_path / "my_prices.csv").write_text("provider,model,effective_from,input,output,web_search_per_1k,source\n"
                                            "openai,gpt-4o-search-preview,2025-03-11,2.5,10,25,my invoice\n")
    path = write_jsonl(tmp_path / "app.jsonl", [envelope("full", chat_completion("gpt-4o-search-preview", "c1"))])
    assert run("ingest", path, config=config).exit_code == 0
    result = run("sql", "select web_search_requests, cost_usd, price_flags from priced_usage", config=config)
    assert result.output.splitlines()[2].split() == ["1", "0.029500000000", "[]"]
