"""Fees and sub-inferences the logs carry reach the price (issue 13, item 4): Anthropic usage.iterations, OpenAI
web search and data residency, Gemini grounding, embeddings. Every figure is worked by hand from
/work/shared/reference/pricing.md and the catalogue (pipeline/catalog/*.csv); the arithmetic is in the comments."""
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
        # executor, top-level usage (Sonnet 4.6 $3/$15, web search $10/1k): 412 × 3 + 531 × 15 = 9,201 → $0.009201,
        # + 1 × $10 / 1,000 = $0.01 → $0.019201
        ("req_adv", "claude-sonnet-4-6", 412, 0, 531, 1, None, Decimal("0.019201"), "test-app"),
        # advisor, Opus 4.7 $5/$25: 823 × 5 + 1,612 × 25 = 4,115 + 40,300 = 44,415 → $0.044415
        ("req_adv", "claude-opus-4-7", 823, 0, 1612, 0, 0, Decimal("0.044415"), "test-app"),
        # Haiku 4.5 $1/$5: 23,000 × 1 + 1,000 × 5 = 28,000 → $0.028
        ("req_cmp", "claude-haiku-4-5", 23_000, 0, 1_000, 0, None, Decimal("0.028"), "test-app"),
        # the compaction pass names no model, so it is the response's: 180,000 × 1 + 3,500 × 5 = 197,500 → $0.1975
        ("req_cmp", "claude-haiku-4-5", 180_000, 0, 3_500, 0, 0, Decimal("0.1975"), "test-app"),
    ]
    # the advised request costs $0.019201 + $0.044415 = $0.063616, not the $0.019201 of its top-level usage;
    # it is still one request
    assert query(settings, "select sum(cost_usd), sum(requests) from daily_spend where provider = 'anthropic'") == [
        (Decimal("0.063616") + Decimal("0.2255"), 2)]


def test_a_record_read_again_loads_no_sub_inference_twice(tmp_path, settings):
    path = write_jsonl(tmp_path / "app.jsonl", [ADVISED])
    ingest(settings, [str(path)])
    copy = write_jsonl(tmp_path / "copy.jsonl", [ADVISED])
    summary = ingest(settings, [str(copy)]).as_dict()
    assert (summary["records_read"], summary["rows_loaded"], summary["duplicates"]) == (1, 0, 1)
    assert_accounting(settings)
    assert entry(settings, copy)["duplicates"] == 1
    assert query(settings, "select count(*), sum(cost_usd) from priced_usage") == [(2, Decimal("0.063616"))]


def test_a_bad_iteration_count_rejects_the_record(tmp_path, settings):
    bad = app_record("req_bad", ts="2026-05-04T09:00:00Z", model="claude-sonnet-4-6",
                     iterations=[{"type": "advisor_message", "model": "claude-opus-4-7", "input_tokens": 1.5,
                                  "output_tokens": 3}])
    path = write_jsonl(tmp_path / "app.jsonl", [COMPACTED, bad])
    summary = ingest(settings, [str(path)]).as_dict()
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (2, 1, 1)
    assert query(settings, "select reason from rejects") == [("bad_token_count",)]
    assert_accounting(settings)
