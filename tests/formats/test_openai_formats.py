"""OpenAI and Google formats outside the app-log envelope: bare responses, Batch API files, the organization
Usage/Costs APIs, dashboard CSV exports and bare Gemini responses. Expected values are worked out by hand from
reference/formats.md §3.7–3.12."""
import json
import shutil
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import FIXTURES, assert_accounting, entry, query, write_jsonl
from pipeline.formats import FORMATS, detect, first_record
from pipeline.ingest import ingest
from pipeline.lines import read_head

MINE = {
    "openai_responses_bare.jsonl": "openai_response_bare",
    "openai_batch_output.jsonl": "openai_batch",
    "openai_batch_errors.jsonl": "openai_batch",
    "openai_usage_completions.json": "openai_usage_api",
    "openai_costs.json": "openai_costs_api",
    "openai_dashboard_usage_export.csv": "openai_dashboard_usage_csv",
    "openai_dashboard_cost_export.csv": "openai_dashboard_cost_csv",
    "gemini_generate_content_bare.jsonl": "gemini_bare",
}
COLUMNS = ("request_id", "response_id", "ts", "provider", "billed_by", "model", "user_id", "project", "api_key",
           "tags", "input_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens", "cache_read_tokens",
           "output_tokens", "reasoning_tokens", "web_search_requests", "batch", "service_tier", "http_status",
           "error_type", "billable", "usage_missing", "latency_ms", "grain", "request_count", "bucket_end",
           "context_window", "reported_cost_usd", "source_line")
REQUEST = {"user_id": None, "project": None, "api_key": None, "tags": None, "cache_write_5m_tokens": 0,
           "cache_write_1h_tokens": 0, "web_search_requests": 0, "http_status": None, "error_type": None,
           "billable": True, "usage_missing": False, "latency_ms": None, "grain": "request", "request_count": None,
           "bucket_end": None, "context_window": None, "reported_cost_usd": None}
OPENAI = {**REQUEST, "provider": "openai", "billed_by": "openai", "batch": False}
GOOGLE = {**REQUEST, "provider": "google", "billed_by": "google", "batch": False}
BUCKET = {"request_id": None, "response_id": None, "provider": "openai", "billed_by": "openai", "tags": None,
          "cache_write_1h_tokens": 0, "web_search_requests": 0, "reasoning_tokens": None, "http_status": None,
          "error_type": None, "billable": True, "usage_missing": False, "latency_ms": None, "grain": "bucket",
          "context_window": None}
PROJECT = "proj_4BhNtYH0z7dWbBtzhibxa65W"


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def rows(settings, where="true"):
    """Usage rows as dicts of COLUMNS, in file and line order."""
    found = query(settings, f"select {', '.join(COLUMNS)} from usage where {where} order by source_file, source_line")
    return [dict(zip(COLUMNS, row)) for row in found]


def copy(tmp_path, name, sidecar=False):
    target = tmp_path / "src" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / name, target)
    if sidecar:
        shutil.copy(FIXTURES / (name + ".batch.json"), target.with_name(name + ".batch.json"))
    return target


def write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def loads_nothing_again(settings, *paths):
    again = ingest(settings, [str(p) for p in paths]).as_dict()
    assert (again["files"], again["files_skipped"], again["rows_loaded"]) == (0, len(paths), 0)


# --- openai_response_bare ---------------------------------------------------------------------------------------


def test_bare_openai_responses_fixture(tmp_path, settings):
    path = copy(tmp_path, "openai_responses_bare.jsonl")
    summary = ingest(settings, [str(path)]).as_dict()
    assert summary["rows_loaded"] == 3 and summary["rows_rejected"] == 0
    assert rows(settings) == [
        {**OPENAI, "request_id": "chatcmpl-CJ9a1Bc2De3Fg4Hi5Jk6Lm7No8Pq",
         "response_id": "chatcmpl-CJ9a1Bc2De3Fg4Hi5Jk6Lm7No8Pq", "ts": utc(2026, 3, 12, 15, 0, 0),
         "model": "gpt-4o-2024-08-06", "input_tokens": 86, "cache_read_tokens": 1920, "output_tokens": 300,
         "reasoning_tokens": 0, "service_tier": "default", "source_line": 1},
        {**OPENAI, "request_id": "chatcmpl-CJ9a9Rs0Tu1Vw2Xy3Za4Bc5De6Fg",
         "response_id": "chatcmpl-CJ9a9Rs0Tu1Vw2Xy3Za4Bc5De6Fg", "ts": utc(2026, 3, 12, 15, 0, 8),
         "model": "gpt-5-mini-2025-08-07", "input_tokens": 3712, "cache_read_tokens": 0, "output_tokens": 2408,
         "reasoning_tokens": 1984, "service_tier": "flex", "source_line": 2},
        {**OPENAI, "request_id": "resp_68b2d19f0c4e8190b7a6c5d4e3f21009",
         "response_id": "resp_68b2d19f0c4e8190b7a6c5d4e3f21009", "ts": utc(2026, 3, 12, 15, 5, 12),
         "model": "gpt-5-2025-08-07", "user_id": "user-7f3a", "tags": {"feature": "deep-research"},
         "input_tokens": 7270, "cache_read_tokens": 40960, "output_tokens": 3188, "reasoning_tokens": 2560,
         "service_tier": "priority", "latency_ms": 22000, "source_line": 3},
    ]
    e = entry(settings, path)
    assert e["format"] == "openai_response_bare" and (e["records_read"], e["rows_loaded"]) == (3, 3)
    assert_accounting(settings)
    loads_nothing_again(settings, path)


def test_bare_openai_streams_errors_and_rejects(tmp_path, settings):
    def chat(i, **changes):
        record = {"id": f"chatcmpl-{i}", "object": "chat.completion", "created": 1773327600 + i, "model": "gpt-4o-mini",
                  "usage": {"prompt_tokens": 100, "completion_tokens": 10,
                            "prompt_tokens_details": {"cached_tokens": 0}}}
        record.update(changes)
        return {k: v for k, v in record.items() if v is not None}

    chunk = {"id": "chatcmpl-S", "object": "chat.completion.chunk", "created": 1773327700, "model": "gpt-4o-mini",
             "choices": [{"index": 0, "delta": {"content": "Hi"}}]}
    lines = [
        chat(1),                                                                        # 1 loads
        chunk,                                                                          # 2 ignored chunk
        {**chunk, "choices": [], "usage": {"prompt_tokens": 50, "completion_tokens": 7}},  # 3 the stream's usage
        {"id": "resp_F", "object": "response", "created_at": 1773327800, "status": "failed", "model": "gpt-5",
         "error": {"code": "server_error", "message": "The server had an error"}, "usage": None},  # 4 error row
        {"id": "resp_P", "object": "response", "created_at": 1773327900, "status": "in_progress",
         "model": "gpt-5", "usage": None},                                              # 5 ignored in progress
        chat(6, created=None),                                                          # 6 missing_timestamp
        chat(7, usage={"prompt_tokens": 1.5, "completion_tokens": 10}),                 # 7 bad_token_count
        chat(8, usage={"prompt_tokens": 10, "completion_tokens": 1,
                       "prompt_tokens_details": {"cached_tokens": 20}}),                # 8 negative_uncached_input
        chat(9, usage=None),                                                            # 9 missing_usage
        chat(10, model=None),                                                           # 10 missing_model
        {"object": "list", "data": []},                                                 # 11 unknown_record_shape
        chat(12, created=1500000000),                                                   # 12 timestamp_out_of_range
        {"id": "resp_K", "object": "response", "created_at": 1773328000, "status": "completed",
         "model": "gpt-5", "user": "sk-proj-abcdefghijklmnopqrstuvwxyz0123",
         "usage": {"input_tokens": 10, "output_tokens": 2}},                            # 13 loads, user redacted
    ] + [chat(100 + i) for i in range(5)]                                               # 14-18 load
    path = write_jsonl(tmp_path / "bare.jsonl", lines)
    summary = ingest(settings, [str(path)]).as_dict()
    assert (summary["rows_loaded"], summary["rows_rejected"], summary["ignored"]) == (9, 7, 2)
    assert dict(query(settings, "select source_line, reason from rejects")) == {
        6: "missing_timestamp", 7: "bad_token_count", 8: "negative_uncached_input", 9: "missing_usage",
        10: "missing_model", 11: "unknown_record_shape", 12: "timestamp_out_of_range"}
    assert entry(settings, path)["ignored"] == {"streaming_chunk": 1, "in_progress": 1}
    got = {r["source_line"]: r for r in rows(settings, "source_line in (3, 4, 13)")}
    assert (got[3]["request_id"], got[3]["input_tokens"], got[3]["output_tokens"]) == ("chatcmpl-S", 50, 7)
    assert (got[4]["billable"], got[4]["error_type"], got[4]["input_tokens"], got[4]["output_tokens"]) == (
        False, "server_error", 0, 0)
    assert got[13]["user_id"] == "sk-[REDACTED]"
    assert_accounting(settings)


# --- openai_batch -----------------------------------------------------------------------------------------------

BATCH_ID = "batch_68e1c2b8f1a08190a9d3b7c6e5f4a321"
BATCH_OK = {**OPENAI, "request_id": "batch_req_68e1c2b9a2d481909f5b3c0b1f2e4d6a",
            "response_id": "chatcmpl-CNx0aB1cD2eF3gH4iJ5kL6mN7oP8", "ts": utc(2026, 3, 12, 15, 40),
            "model": "gpt-4o-mini-2024-07-18", "input_tokens": 263, "cache_read_tokens": 1280, "output_tokens": 2,
            "reasoning_tokens": 0, "batch": True, "service_tier": "default", "http_status": 200, "source_line": 1}
BATCH_400 = {**OPENAI, "request_id": "batch_req_68e1c2b9b7c08190a4d1e6f2c3b5a798", "response_id": None,
             "model": "gpt-4o-mini-2024-07-18", "input_tokens": 0, "cache_read_tokens": 0, "output_tokens": 0,
             "reasoning_tokens": None, "batch": True, "service_tier": None, "http_status": 400,
             "error_type": "string_above_max_length", "billable": False, "source_line": 1}
BATCH_EXPIRED = {**BATCH_400, "request_id": "batch_req_68e1c2b9c3d48190b2e7f1a0c4d6e8f0", "http_status": None,
                 "error_type": "batch_expired", "source_line": 2}


def test_openai_batch_output_and_errors_with_side_cars(tmp_path, settings):
    output = copy(tmp_path, "openai_batch_output.jsonl", sidecar=True)
    errors = copy(tmp_path, "openai_batch_errors.jsonl", sidecar=True)
    summary = ingest(settings, [str(tmp_path / "src")]).as_dict()
    assert summary["files"] == 2 and summary["rows_loaded"] == 3 and summary["rows_rejected"] == 0
    expired_at = utc(2026, 3, 13, 14, 58, 2)  # the side-car's expired_at, for the lines without a body time
    tags = {"batch_id": BATCH_ID, "job": "doc-sentiment-backfill"}
    assert rows(settings) == [
        {**BATCH_400, "ts": expired_at, "tags": {**tags, "custom_id": "doc-0002"}},
        {**BATCH_EXPIRED, "ts": expired_at, "tags": {**tags, "custom_id": "doc-0003"}},
        {**BATCH_OK, "tags": {**tags, "custom_id": "doc-0001"}},
    ]
    assert entry(settings, output)["format"] == entry(settings, errors)["format"] == "openai_batch"
    assert_accounting(settings)
    loads_nothing_again(settings, output, errors)


def test_openai_batch_errors_timed_by_the_batch_ended_at_option(tmp_path, settings):
    errors = copy(tmp_path, "openai_batch_errors.jsonl")
    summary = ingest(settings, [str(errors)], options={"batch_ended_at": "2026-03-13T16:00:00+01:00"}).as_dict()
    assert summary["rows_loaded"] == 2
    when = utc(2026, 3, 13, 15, 0)
    assert rows(settings) == [
        {**BATCH_400, "ts": when, "model": None, "tags": {"custom_id": "doc-0002"}},
        {**BATCH_EXPIRED, "ts": when, "model": None, "tags": {"custom_id": "doc-0003"}},
    ]


def test_openai_batch_lines_without_any_time_are_rejected_alone(tmp_path, settings):
    lines = (FIXTURES / "openai_batch_output.jsonl").read_text().splitlines()
    lines += (FIXTURES / "openai_batch_errors.jsonl").read_text().splitlines()[1:]
    mixed = write_jsonl(tmp_path / "mixed.jsonl", lines)
    summary = ingest(settings, [str(mixed)]).as_dict()
    assert (summary["rows_loaded"], summary["rows_rejected"]) == (1, 1)
    assert query(settings, "select source_line, reason from rejects") == [(2, "missing_timestamp")]
    assert rows(settings) == [{**BATCH_OK, "tags": {"custom_id": "doc-0001"}}]
    assert_accounting(settings)
    # an error file with no time at all: every line is rejected, so the file is refused whole, saying what to add
    errors = copy(tmp_path, "openai_batch_errors.jsonl")
    summary = ingest(settings, [str(errors)]).as_dict()
    assert summary["file_errors"][0]["error"].startswith("batch_timestamp_missing: 2 of 2 records have no time")


def test_openai_batch_bad_end_time_or_side_car_is_a_file_error(tmp_path, settings):
    errors = copy(tmp_path, "openai_batch_errors.jsonl")
    summary = ingest(settings, [str(errors)], options={"batch_ended_at": "2026-03-13 15:00"}).as_dict()
    assert summary["file_errors"][0]["error"].startswith("batch_timestamp_missing")
    errors.with_name(errors.name + ".batch.json").write_text("not json")
    summary = ingest(settings, [str(errors)]).as_dict()
    assert summary["file_errors"][0]["error"].startswith("batch_timestamp_missing")


# --- openai_usage_api -------------------------------------------------------------------------------------------

USAGE_0506 = {**BUCKET, "ts": utc(2025, 10, 6), "bucket_end": utc(2025, 10, 7), "model": "gpt-5-2025-08-07",
              "user_id": "user-dAU7Ud7OljwJvKfi4wQzWHyV", "project": PROJECT, "api_key": "key_OYRZfEkH5R9CNgtY",
              "input_tokens": 38072, "cache_write_5m_tokens": 0, "cache_read_tokens": 8192, "output_tokens": 60000,
              "batch": False, "service_tier": "default", "request_count": 8, "reported_cost_usd": None}


def test_openai_usage_api_fixture(tmp_path, settings):
    path = copy(tmp_path, "openai_usage_completions.json")
    summary = ingest(settings, [str(path)]).as_dict()
    assert summary["rows_loaded"] == 1
    assert rows(settings) == [{**USAGE_0506, "source_line": 1}]
    assert entry(settings, path)["format"] == "openai_usage_api"
    assert_accounting(settings)
    loads_nothing_again(settings, path)


def usage_result(**fields):
    return {"object": "organization.usage.completions.result", "num_model_requests": 1, **fields}


CRAFTED_USAGE = [
    {"object": "page", "has_more": True, "data": [{"object": "bucket", "start_time": 1759622400,
                                                   "end_time": 1759626000, "results": [
        usage_result(input_tokens=1000, input_cached_tokens=200, output_tokens=50, num_model_requests=3,
                     model="gpt-4o-mini-2024-07-18", batch=True, service_tier="batch"),   # 1 input derived: 800
        usage_result(input_tokens=100, output_tokens=5, model=None),                    # 2 missing_model
    ]}]},
    {"object": "page", "has_more": False, "data": [
        {"object": "bucket", "start_time": 1759626000, "end_time": 1759629600, "results": []},
        {"object": "bucket", "start_time": 1759629600, "end_time": 1759633200, "results": [
            usage_result(input_tokens=100, input_cached_tokens=300, output_tokens=5, model="gpt-4o"),  # 3 negative
            usage_result(input_tokens=100, input_uncached_tokens=90, input_cached_tokens=10, output_tokens=5.5,
                         model="gpt-4o"),                                               # 4 bad_token_count
            usage_result(input_tokens=7000, input_uncached_tokens=5000, input_cached_tokens=1024,
                         input_cache_write_tokens=976, output_tokens=500, num_model_requests=4, model="gpt-5.4",
                         user_id="user-1", api_key_id="key_1"),                          # 5 cache writes
            usage_result(input_tokens=10, output_tokens=1, model="gpt-4o"),               # 6 loads
            usage_result(input_tokens=10, output_tokens=1, model="gpt-4o-mini"),          # 7 loads
            7,                                                                           # 8 not_an_object
        ]}]},
]


def test_openai_usage_api_pages_derived_input_and_rejects(tmp_path, settings):
    path = write_text(tmp_path / "usage.json", json.dumps(CRAFTED_USAGE, indent=2))
    summary = ingest(settings, [str(path)], fmt="openai_usage_api").as_dict()
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (8, 4, 4)
    got = {r["source_line"]: r for r in rows(settings)}
    assert sorted(got) == [1, 5, 6, 7]
    assert (got[1]["input_tokens"], got[1]["cache_read_tokens"], got[1]["batch"], got[1]["request_count"],
            got[1]["ts"], got[1]["bucket_end"]) == (800, 200, True, 3, utc(2025, 10, 5), utc(2025, 10, 5, 1))
    assert (got[5]["input_tokens"], got[5]["cache_write_5m_tokens"], got[5]["cache_read_tokens"],
            got[5]["user_id"], got[5]["api_key"]) == (5000, 976, 1024, "user-1", "key_1")
    assert_accounting(settings)


def test_openai_usage_api_rejects_are_written(tmp_path, settings):
    path = write_text(tmp_path / "usage.json", json.dumps(CRAFTED_USAGE, indent=2))
    ingest(settings, [str(path)], fmt="openai_usage_api")
    assert dict(query(settings, "select source_line, reason from rejects")) == {
        2: "missing_model", 3: "negative_uncached_input", 4: "bad_token_count", 8: "not_an_object"}


def test_openai_usage_api_a_later_ingest_replaces_a_bucket(tmp_path, settings):
    path = copy(tmp_path, "openai_usage_completions.json")
    ingest(settings, [str(path)])
    revised = json.loads(path.read_text())
    revised["data"][0]["results"][0].update(output_tokens=50000, num_model_requests=7)
    revised_path = write_text(tmp_path / "src" / "usage_refetched.json", json.dumps(revised))
    summary = ingest(settings, [str(revised_path)]).as_dict()
    assert (summary["rows_loaded"], summary["rows_replaced"]) == (0, 1)  # fewer tokens, but the later revision
    assert [(r["output_tokens"], r["request_count"]) for r in rows(settings)] == [(50000, 7)]
    assert_accounting(settings)


# --- openai_costs_api -------------------------------------------------------------------------------------------

COST_0506 = {**BUCKET, "ts": utc(2025, 10, 6), "bucket_end": utc(2025, 10, 7), "model": "gpt-5-2025-08-07",
             "user_id": None, "project": PROJECT, "api_key": None, "input_tokens": 0, "cache_write_5m_tokens": 0,
             "cache_read_tokens": 0, "output_tokens": 0, "batch": False, "service_tier": None,
             "request_count": None}


def test_openai_costs_api_fixture(tmp_path, settings):
    path = copy(tmp_path, "openai_costs.json")
    summary = ingest(settings, [str(path)]).as_dict()
    assert summary["rows_loaded"] == 3
    assert rows(settings) == [
        {**COST_0506, "tags": {"line_item": "gpt-5-2025-08-07, input"}, "reported_cost_usd": Decimal("0.04759"),
         "source_line": 1},
        {**COST_0506, "tags": {"line_item": "gpt-5-2025-08-07, cached input"},
         "reported_cost_usd": Decimal("0.001024"), "source_line": 2},
        {**COST_0506, "tags": {"line_item": "gpt-5-2025-08-07, output"}, "reported_cost_usd": Decimal("0.6"),
         "source_line": 3},
    ]
    assert entry(settings, path)["format"] == "openai_costs_api"
    assert_accounting(settings)
    loads_nothing_again(settings, path)


def test_openai_costs_reconcile_with_the_usage_api_and_price_at_zero(tmp_path, settings):
    ingest(settings, [str(copy(tmp_path, "openai_costs.json")), str(copy(tmp_path, "openai_usage_completions.json"))])
    assert query(settings, """
        select source_format, sum(cost_usd), sum(reported_cost_usd) from priced_usage group by 1 order by 1""") == [
        ("openai_costs_api", Decimal(0), Decimal("0.648614")),
        ("openai_usage_api", Decimal("0.648614"), None),
    ]


def test_openai_costs_api_line_items_and_bad_amounts(tmp_path, settings):
    def result(value, line_item, currency="usd"):
        return {"object": "organization.costs.result", "amount": {"value": value, "currency": currency},
                "line_item": line_item, "project_id": None}

    page = {"object": "page", "data": [{"object": "bucket", "start_time": 1759708800, "end_time": 1759795200,
                                        "results": [
        result(0.25, "web search tool calls"),        # 1 no model
        result(0.5, "gpt-4o-2024-08-06, input"),      # 2
        result("abc", "gpt-4o-2024-08-06, output"),   # 3 not an amount
        result(1.0, "gpt-4o-2024-08-06, output", "eur"),  # 4 not usd
        result(0, None),                              # 5 an ungrouped zero
    ]}]}
    path = write_text(tmp_path / "costs.json", json.dumps(page))
    summary = ingest(settings, [str(path)]).as_dict()
    assert (summary["rows_loaded"], summary["rows_rejected"]) == (3, 2)
    assert [(r["source_line"], r["model"], r["reported_cost_usd"]) for r in rows(settings)] == [
        (1, None, Decimal("0.25")), (2, "gpt-4o-2024-08-06", Decimal("0.5")), (5, None, Decimal(0))]


# --- openai_dashboard_usage_csv ---------------------------------------------------------------------------------


def test_openai_dashboard_usage_csv_fixture(tmp_path, settings):
    path = copy(tmp_path, "openai_dashboard_usage_export.csv")
    summary = ingest(settings, [str(path)]).as_dict()
    assert (summary["records_read"], summary["rows_loaded"], summary["ignored"]) == (3, 2, 1)
    assert rows(settings) == [
        {**USAGE_0506, "ts": utc(2025, 10, 5), "bucket_end": utc(2025, 10, 6), "model": "gpt-4o-2024-08-06",
         "input_tokens": 53440, "cache_read_tokens": 5760, "output_tokens": 10646, "request_count": 10,
         "source_line": 2},
        {**USAGE_0506, "source_line": 3},
    ]
    e = entry(settings, path)
    assert e["format"] == "openai_dashboard_usage_csv" and e["ignored"] == {"empty_row": 1}
    assert_accounting(settings)
    loads_nothing_again(settings, path)


def test_openai_dashboard_usage_csv_quirks(tmp_path, settings):
    header = ("start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,api_key_id,"
              "model,batch,service_tier,input_tokens,output_tokens,input_cached_tokens,input_uncached_tokens\n")
    day = "1759622400,1759708800,2025-10-05T00:00:00,2025-10-06T00:00:00"
    path = write_text(tmp_path / "usage.csv", header + "\n".join([
        f"{day},proj_1,2.0,,,gpt-4o-mini,TRUE,batch,1000.0,50.0,200.0,",       # 2 naive ISO is UTC; derived input
        f"{day},proj_1,2.0,,,gpt-4o,FALSE,default,46264.5,50.0,0.0,46264.5",   # 3 bad_token_count
        f"{day},proj_1,2.0,,,,FALSE,default,100.0,5.0,0.0,100.0",              # 4 missing_model
        ",,,,,,,,,,,,,,",                                                      # 5 blank row
        f"{day},,,,,,,,0.0,0.0,,",                                             # 6 empty day
        f"{day},proj_1,1.0,,,gpt-4o,FALSE",                                    # 7 wrong field count
        f"{day},proj_2,1.0,,,gpt-4o,FALSE,default,10.0,1.0,0.0,10.0",         # 8 loads
        f"{day},proj_3,1.0,,,gpt-4o,FALSE,default,10.0,1.0,0.0,10.0",         # 9 loads
    ]) + "\n")
    summary = ingest(settings, [str(path)]).as_dict()
    assert (summary["rows_loaded"], summary["rows_rejected"], summary["ignored"]) == (3, 3, 2)
    assert dict(query(settings, "select source_line, reason from rejects")) == {
        3: "bad_token_count", 4: "missing_model", 7: "unknown_record_shape"}
    assert entry(settings, path)["ignored"] == {"blank_line": 1, "empty_row": 1}
    first = rows(settings)[0]
    assert (first["ts"], first["input_tokens"], first["cache_read_tokens"], first["batch"], first["request_count"],
            first["user_id"]) == (utc(2025, 10, 5), 800, 200, True, 2, None)
    assert_accounting(settings)


def test_the_same_usage_bucket_from_the_api_and_the_dashboard_is_one_row(tmp_path, settings):
    ingest(settings, [str(copy(tmp_path, "openai_usage_completions.json"))])
    summary = ingest(settings, [str(copy(tmp_path, "openai_dashboard_usage_export.csv"))]).as_dict()
    assert (summary["rows_loaded"], summary["duplicates"], summary["ignored"]) == (1, 1, 1)
    assert query(settings, "select count(*), sum(output_tokens) from usage") == [(2, 70646)]
    assert_accounting(settings)


# --- openai_dashboard_cost_csv ----------------------------------------------------------------------------------


def test_openai_dashboard_cost_csv_fixture(tmp_path, settings):
    path = copy(tmp_path, "openai_dashboard_cost_export.csv")
    summary = ingest(settings, [str(path)]).as_dict()
    assert (summary["records_read"], summary["rows_loaded"], summary["ignored"]) == (7, 6, 1)
    gpt_4o = {**COST_0506, "ts": utc(2025, 10, 5), "bucket_end": utc(2025, 10, 6), "model": "gpt-4o-2024-08-06"}
    assert rows(settings) == [
        {**gpt_4o, "tags": {"line_item": "gpt-4o-2024-08-06, input"}, "reported_cost_usd": Decimal("0.1336"),
         "source_line": 2},
        {**gpt_4o, "tags": {"line_item": "gpt-4o-2024-08-06, cached input"}, "reported_cost_usd": Decimal("0.0072"),
         "source_line": 3},
        {**gpt_4o, "tags": {"line_item": "gpt-4o-2024-08-06, output"}, "reported_cost_usd": Decimal("0.10646"),
         "source_line": 4},
        {**COST_0506, "tags": {"line_item": "gpt-5-2025-08-07, input"}, "reported_cost_usd": Decimal("0.04759"),
         "source_line": 5},
        {**COST_0506, "tags": {"line_item": "gpt-5-2025-08-07, cached input"},
         "reported_cost_usd": Decimal("0.001024"), "source_line": 6},
        {**COST_0506, "tags": {"line_item": "gpt-5-2025-08-07, output"}, "reported_cost_usd": Decimal("0.6"),
         "source_line": 7},
    ]
    e = entry(settings, path)
    assert e["format"] == "openai_dashboard_cost_csv" and e["ignored"] == {"empty_row": 1}
    assert_accounting(settings)
    loads_nothing_again(settings, path)
    # the gpt-4o day recomputes at list price: 53,440 × $2.50 + 5,760 × $1.25 + 10,646 × $10 per 1M
    assert query(settings, "select sum(reported_cost_usd) from usage where ts < '2025-10-06'") == [
        (Decimal("0.24726"),)]


def test_the_same_cost_bucket_from_the_api_and_the_dashboard_is_one_row(tmp_path, settings):
    ingest(settings, [str(copy(tmp_path, "openai_costs.json"))])
    summary = ingest(settings, [str(copy(tmp_path, "openai_dashboard_cost_export.csv"))]).as_dict()
    assert (summary["rows_loaded"], summary["duplicates"], summary["ignored"]) == (3, 3, 1)
    assert query(settings, "select count(*), sum(reported_cost_usd) from usage") == [(6, Decimal("0.895874"))]


# --- gemini_bare ------------------------------------------------------------------------------------------------


def test_bare_gemini_fixture(tmp_path, settings):
    path = copy(tmp_path, "gemini_generate_content_bare.jsonl")
    summary = ingest(settings, [str(path)]).as_dict()
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"], summary["ignored"]) == (
        4, 3, 0, 1)
    assert rows(settings) == [
        {**GOOGLE, "request_id": "kR7SaPq3Ld2w1dkPz4WQsAg", "response_id": "kR7SaPq3Ld2w1dkPz4WQsAg",
         "ts": utc(2026, 3, 12, 15, 20, 1, 204117), "model": "gemini-2.5-pro", "input_tokens": 4000,
         "cache_read_tokens": 8000, "output_tokens": 1800, "reasoning_tokens": 1380, "service_tier": "ON_DEMAND",
         "source_line": 1},
        # the stream's last chunk: 5,210 prompt + 940 tool-use prompt, 611 candidates
        {**GOOGLE, "request_id": "nB8SaK_cM4yt1dkP9o6UqAc", "response_id": "nB8SaK_cM4yt1dkP9o6UqAc",
         "ts": utc(2026, 3, 12, 15, 20, 30, 551203), "model": "gemini-2.5-flash", "input_tokens": 6150,
         "cache_read_tokens": 0, "output_tokens": 611, "reasoning_tokens": None, "service_tier": "ON_DEMAND",
         "source_line": 3},
        {**GOOGLE, "request_id": "Qx1TaLm8Fe2l1dkPr5CRwQ8", "response_id": "Qx1TaLm8Fe2l1dkPr5CRwQ8",
         "ts": utc(2026, 3, 12, 15, 21, 12, 730551), "model": "gemini-2.5-flash-lite", "input_tokens": 830,
         "cache_read_tokens": 0, "output_tokens": 95, "reasoning_tokens": None, "service_tier": "ON_DEMAND",
         "source_line": 4},
    ]
    e = entry(settings, path)
    assert e["format"] == "gemini_bare" and e["ignored"] == {"streaming_chunk": 1}
    assert_accounting(settings)
    loads_nothing_again(settings, path)


def test_bare_gemini_chunks_duplicates_and_errors(tmp_path, settings):
    def response(rid, candidates, **usage):
        return {"candidates": [{"content": {"parts": [{"text": "x"}], "role": "model"}}],
                "usageMetadata": {"promptTokenCount": 100, "candidatesTokenCount": candidates, **usage},
                "modelVersion": "gemini-2.5-flash", "createTime": "2026-03-12T10:00:00Z", "responseId": rid}

    no_usage = response("stream", 0)
    del no_usage["usageMetadata"]
    lines = [
        response("stream", 10),                                   # 1 chunk
        no_usage,                                                 # 2 chunk without usage
        response("stream", 90, thoughtsTokenCount=40),            # 3 the stream: output 130
        response("stream", 20),                                   # 4 a late smaller chunk
        response("twice", 5),                                     # 5 loads
        response("twice", 5),                                     # 6 identical line: duplicate
        {"error": {"code": 429, "message": "Resource exhausted", "status": "RESOURCE_EXHAUSTED"},
         "createTime": "2026-03-12T10:00:01Z"},                   # 7 error row
        response("bad", 5, thoughtsTokenCount="7"),               # 8 bad_token_count
        response("neg", 5, cachedContentTokenCount=101),          # 9 negative_uncached_input
        {k: v for k, v in response("ai", 5).items() if k != "createTime"},  # 10 missing_timestamp
    ]
    path = write_jsonl(tmp_path / "gemini.jsonl", lines)
    summary = ingest(settings, [str(path)]).as_dict()
    assert (summary["rows_loaded"], summary["duplicates"], summary["rows_rejected"], summary["ignored"]) == (
        3, 1, 3, 3)
    assert entry(settings, path)["ignored"] == {"streaming_chunk": 3}
    got = {r["source_line"]: r for r in rows(settings)}
    assert sorted(got) == [3, 5, 7]
    assert (got[3]["output_tokens"], got[3]["reasoning_tokens"], got[3]["input_tokens"]) == (130, 40, 100)
    assert (got[7]["billable"], got[7]["http_status"], got[7]["error_type"], got[7]["input_tokens"]) == (
        False, 429, "RESOURCE_EXHAUSTED", 0)
    assert dict(query(settings, "select source_line, reason from rejects")) == {
        8: "bad_token_count", 9: "negative_uncached_input", 10: "missing_timestamp"}
    assert_accounting(settings)


# --- detection --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(MINE))
def test_each_fixture_is_detected_as_its_format(name):
    assert detect(FIXTURES / name).name == MINE[name]


def test_these_formats_accept_no_other_fixture():
    others = [p for p in sorted(FIXTURES.iterdir()) if p.name not in MINE and not p.name.endswith(".batch.json")]
    assert others
    for path in others:
        head = read_head(path)
        record = first_record(head)
        accepted = [name for name in set(MINE.values()) if FORMATS[name].sniff(record, head)]
        assert accepted == [], path.name


def test_every_fixture_of_these_formats_in_tests_data_is_detected_as_exactly_its_format():
    ours = set(MINE.values())
    for path in sorted(FIXTURES.iterdir()):
        if path.name.endswith(".batch.json"):
            continue
        head = read_head(path)
        record = first_record(head)
        accepted = {name for name, module in FORMATS.items() if module.sniff(record, head)}
        if accepted & ours:
            assert accepted == {MINE[path.name]}, path.name
    for name, fmt in MINE.items():
        assert (FIXTURES / name).is_file(), name
