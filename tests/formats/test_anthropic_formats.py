"""Anthropic family: Admin API usage and cost reports, Console usage and cost CSVs, Claude Code transcripts."""
import dataclasses
import datetime as dt
import json
import shutil
from decimal import Decimal

import pytest

from conftest import (FIXTURES, TOKENS, app_record, write_jsonl, assert_accounting, entry, fixture, ingest_twice, query,
                      rows)
from pipeline.formats import FORMATS, detect, first_record
from pipeline.ingest import ingest
from pipeline.lines import read_head

MINE = {
    "anthropic_usage_report_messages.json": "anthropic_usage_report",
    "anthropic_cost_report.json": "anthropic_cost_report",
    "claude_api_tokens_2026_03.csv": "console_usage_csv",
    "claude_api_cost_2026_03_12_to_2026_03_13.csv": "console_cost_csv",
    "claude_code_session.jsonl": "claude_code",
    "claude_code_legacy_costusd.jsonl": "claude_code",
}
UTC = dt.timezone.utc
DAY_START = dt.datetime(2026, 3, 12, tzinfo=UTC)
DAY_END = dt.datetime(2026, 3, 13, tzinfo=UTC)
SESSION = "3f0c2a9e-8b1d-4c6e-9a7f-2d5b8e1c4a60"
CWD = "/Users/alice/code/billing-service"
MAIN_MSG = "msg_01TGvJ4xQ9fN2kL8pR3sW7yB"


def at(settings, iso):
    return dataclasses.replace(settings, now_override=dt.datetime.fromisoformat(iso))


# --- detection -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(MINE))
def test_each_fixture_is_detected_as_its_format(name):
    assert detect(FIXTURES / name).name == MINE[name]


def test_no_other_fixture_is_taken_by_these_formats():
    files = [p for p in sorted(FIXTURES.iterdir()) if p.is_file()]
    for path in files:
        head = read_head(path)
        record = first_record(head)
        accepted = {name for name in set(MINE.values()) if FORMATS[name].sniff(record, head)}
        assert accepted == ({MINE[path.name]} if path.name in MINE else set()), path


def test_every_sample_fixture_of_these_formats_is_detected_as_exactly_that_format():
    for path in sorted(FIXTURES.iterdir()):
        if path.name in MINE:
            head = read_head(path)
            record = first_record(head)
            assert [n for n, m in FORMATS.items() if m.sniff(record, head)][:1] == [MINE[path.name]], path
            assert detect(path).name == MINE[path.name]


def test_pretty_and_compact_documents_and_a_cut_transcript_head_are_detected(tmp_path):
    doc = json.loads((FIXTURES / "anthropic_usage_report_messages.json").read_text())
    (tmp_path / "compact.json").write_text(json.dumps(doc))
    assert detect(tmp_path / "compact.json").name == "anthropic_usage_report"
    big = json.loads((FIXTURES / "claude_code_session.jsonl").read_text().splitlines()[0])
    big["message"]["content"] = "x" * 70_000  # the first line does not fit in the 64 KB head
    write_jsonl(tmp_path / "big.jsonl", [big])
    assert detect(tmp_path / "big.jsonl").name == "claude_code"
    # a transcript that starts with an API-error line is still a transcript, not an app log
    lines = (FIXTURES / "claude_code_session.jsonl").read_text().splitlines()
    (tmp_path / "err.jsonl").write_text(lines[6] + "\n" + lines[3] + "\n")
    assert detect(tmp_path / "err.jsonl").name == "claude_code"


# --- anthropic_usage_report ------------------------------------------------------------------------------------


def test_usage_report_fixture(tmp_path, settings):
    path = fixture(tmp_path, "anthropic_usage_report_messages.json")
    summary = ingest_twice(settings, path, "anthropic_usage_report")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (3, 3, 0)
    got = rows(settings, "source_line, ts, bucket_end, grain, request_count, context_window, provider, billed_by, "
                         "model, workspace, api_key, user_id, " + TOKENS + ", batch, service_tier, inference_geo, "
                         "billable, usage_missing, reported_cost_usd, http_status, error_type, app_raw")
    sonnet, key, ws = "claude-sonnet-4-5-20250929", "apikey_01Rj2N8SVvo6BePZj99NhmiT", "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"
    common = (DAY_START, DAY_END, "bucket", None)
    assert got == [
        (1, *common, "0-200k", "anthropic", "anthropic", sonnet, ws, key, None,
         1842331, 288410, 0, 14982004, 402118, None, 37, False, "standard", None, True, False, None, None, None, None),
        (2, *common, "200k-1M", "anthropic", "anthropic", sonnet, ws, key, None,
         40211, 0, 0, 2310442, 18820, None, 0, False, "standard", None, True, False, None, None, None, None),
        (3, *common, "0-200k", "anthropic", "anthropic", "claude-haiku-4-5-20251001", None, None, None,
         6170004, 0, 0, 0, 848210, None, 0, True, "batch", None, True, False, None, None, None, None),
    ]
    ids = [r[0] for r in rows(settings, "request_id")]
    assert all(i.startswith("bucket:") for i in ids) and len(set(ids)) == 3


def test_usage_report_bucket_price_reconciles_with_the_cost_report(tmp_path, settings):
    usage = fixture(tmp_path, "anthropic_usage_report_messages.json")
    cost = fixture(tmp_path, "anthropic_cost_report.json")
    ingest(settings, [str(usage), str(cost)])
    priced = query(settings, "select cost_usd from priced_usage where source_file = $f and source_line = 1",
                   {"f": str(usage)})
    reported = query(settings, "select sum(reported_cost_usd) from usage where source_file = $f", {"f": str(cost)})
    assert priced == reported == [(Decimal("17.504901700000"),)]


def test_a_revised_bucket_ingested_later_replaces_the_old_one(tmp_path, settings):
    first = fixture(tmp_path, "anthropic_usage_report_messages.json", "day1")
    ingest(at(settings, "2026-03-12T12:00:00+00:00"), [str(first)])
    doc = json.loads(first.read_text())
    doc["data"][0]["results"][0]["output_tokens"] = 400000  # the partial bucket, revised (even downwards)
    revised = tmp_path / "day2" / "usage.json"
    revised.parent.mkdir()
    revised.write_text(json.dumps(doc, indent=2))
    summary = ingest(at(settings, "2026-03-13T12:00:00+00:00"), [str(revised)]).as_dict()
    assert (summary["rows_loaded"], summary["rows_replaced"], summary["duplicates"]) == (0, 1, 2)
    assert query(settings, "select source_file, output_tokens from usage where context_window = '0-200k' "
                           "and not batch") == [(str(revised), 400000)]
    assert query(settings, "select count(*) from usage") == [(3,)]
    # the earlier revision is superseded: a duplicate of its file, not a reject
    assert query(settings, "select count(*) from rejects") == [(0,)]
    assert (entry(settings, first)["rows_loaded"], entry(settings, first)["duplicates"]) == (2, 1)
    assert_accounting(settings)


def test_two_revisions_of_a_bucket_in_one_run_keep_the_newer_file(tmp_path, settings):
    import os

    older = fixture(tmp_path, "anthropic_usage_report_messages.json", "fetches")
    doc = json.loads(older.read_text())
    doc["data"][0]["results"][0]["output_tokens"] = 400000  # revised downwards: fewer tokens, yet it wins
    newer = older.parent / "later.json"
    newer.write_text(json.dumps(doc, indent=2))
    os.utime(older, (1773316800, 1773316800))  # 2026-03-12 12:00 UTC
    os.utime(newer, (1773403200, 1773403200))  # a day later
    summary = ingest(settings, [str(older.parent)]).as_dict()
    assert (summary["rows_loaded"], summary["duplicates"], summary["rows_rejected"]) == (3, 3, 0)
    assert query(settings, "select source_file, output_tokens from usage where context_window = '0-200k' "
                           "and not batch") == [(str(newer), 400000)]
    # the older file keeps the two buckets both files state identically; its revised one is superseded
    assert (entry(settings, older)["rows_loaded"], entry(settings, older)["duplicates"]) == (2, 1)
    assert_accounting(settings)


def test_usage_report_bad_records_and_documents(tmp_path, settings):
    doc = json.loads((FIXTURES / "anthropic_usage_report_messages.json").read_text())
    doc["data"][0]["results"][1]["output_tokens"] = 1.5
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc, indent=2))
    summary = ingest(settings, [str(path)]).as_dict()
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (3, 2, 1)
    assert [r[0] for r in rows(settings, "source_line")] == [1, 3]
    assert_accounting(settings)
    (tmp_path / "empty.json").write_text('{"data": [{"starting_at": "2026-03-12T00:00:00Z", '
                                         '"ending_at": "2026-03-13T00:00:00Z", "results": []}], "has_more": false}')
    (tmp_path / "cut.json").write_text(json.dumps(doc)[:300])
    summary = ingest(settings, [str(tmp_path / "empty.json"), str(tmp_path / "cut.json")],
                     fmt="anthropic_usage_report").as_dict()
    assert sorted(e["error"].split(":")[0] for e in summary["file_errors"]) == ["too_many_rejects",
                                                                                 "unrecognised_format"]


def test_a_rejected_record_of_a_document_reaches_the_rejects_table(tmp_path, settings):
    doc = json.loads((FIXTURES / "anthropic_usage_report_messages.json").read_text())
    doc["data"][0]["results"][1]["output_tokens"] = 1.5
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc, indent=2))
    ingest(settings, [str(path)])
    assert query(settings, "select source_line, reason from rejects") == [(2, "bad_token_count")]


# --- anthropic_cost_report -------------------------------------------------------------------------------------


def test_cost_report_fixture(tmp_path, settings):
    path = fixture(tmp_path, "anthropic_cost_report.json")
    summary = ingest_twice(settings, path, "anthropic_cost_report")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (5, 5, 0)
    got = rows(settings, "source_line, ts, bucket_end, grain, request_count, context_window, provider, billed_by, "
                         "model, workspace, service_tier, batch, billable, reported_cost_usd, tags, " + TOKENS)
    sonnet, ws = "claude-sonnet-4-5-20250929", "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"
    zero = (0, 0, 0, 0, 0, None, 0)

    def tags(token_type, description):
        return {"cost_type": "tokens", "token_type": token_type, "description": description}

    common = (DAY_START, DAY_END, "bucket", None)
    assert got == [
        (1, *common, "0-200k", "anthropic", "anthropic", sonnet, ws, "standard", False, True, Decimal("5.526993"),
         tags("uncached_input_tokens", "Claude Sonnet 4.5 Usage - Input Tokens"), *zero),
        (2, *common, "0-200k", "anthropic", "anthropic", sonnet, ws, "standard", False, True, Decimal("1.0815375"),
         tags("cache_creation.ephemeral_5m_input_tokens", "Claude Sonnet 4.5 Usage - Input Tokens, Cache Write"),
         *zero),
        (3, *common, "0-200k", "anthropic", "anthropic", sonnet, ws, "standard", False, True, Decimal("4.4946012"),
         tags("cache_read_input_tokens", "Claude Sonnet 4.5 Usage - Input Tokens, Cache Hit"), *zero),
        (4, *common, "0-200k", "anthropic", "anthropic", sonnet, ws, "standard", False, True, Decimal("6.03177"),
         tags("output_tokens", "Claude Sonnet 4.5 Usage - Output Tokens"), *zero),
        (5, *common, None, "anthropic", "anthropic", None, ws, None, False, True, Decimal("0.37"),
         {"cost_type": "web_search", "description": "Web Search"}, *zero),
    ]
    # money only: the catalogue prices the token rows at $0; alone, the export's stated cost is the spend
    assert query(settings, "select distinct catalogue_cost_usd, cost_usd = reported_cost_usd, cost_basis "
                           "from priced_usage where model is not null") == [(Decimal(0), True, "stated")]


def test_cost_report_amounts_that_are_not_cents(tmp_path, settings):
    doc = json.loads((FIXTURES / "anthropic_cost_report.json").read_text())
    results = doc["data"][0]["results"]
    results[0]["amount"] = "12,5"
    del results[1]["amount"]
    results.extend(dict(results[3], token_type=f"t{i}") for i in range(4))
    path = tmp_path / "cost.json"
    path.write_text(json.dumps(doc))
    summary = ingest(settings, [str(path)], fmt="anthropic_cost_report").as_dict()
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (9, 7, 2)
    assert_accounting(settings)


# --- console_usage_csv -----------------------------------------------------------------------------------------


def test_console_usage_csv_fixture(tmp_path, settings):
    path = fixture(tmp_path, "claude_api_tokens_2026_03.csv")
    summary = ingest_twice(settings, path, "console_usage_csv")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (4, 4, 0)
    got = rows(settings, "source_line, ts, bucket_end, grain, request_count, context_window, provider, billed_by, "
                         "model, api_key, workspace, service_tier, batch, speed, inference_geo, billable, "
                         "reported_cost_usd, " + TOKENS)
    h14, h15, h16 = (dt.datetime(2026, 3, 12, h, tzinfo=UTC) for h in (14, 15, 16))
    a = ("anthropic", "anthropic")
    assert got == [
        (2, h14, h15, "bucket", None, "0-200k", *a, "claude-sonnet-4-5-20250929", "prod-backend", "Default",
         "standard", False, "standard", "not_available", True, None, 84211, 12040, 0, 690233, 18822, None, 2),
        (3, h14, h15, "bucket", None, "0-200k", *a, "claude-opus-4-6", "prod-backend", "Default",
         "priority", False, "standard", "us", True, None, 12, 0, 4096, 231554, 6210, None, 0),
        (4, h15, h16, "bucket", None, "0-200k", *a, "claude-haiku-4-5-20251001", "batch-jobs", "Default",
         "batch", True, "standard", "not_available", True, None, 257084, 0, 0, 0, 35342, None, 0),
        (5, h15, h16, "bucket", None, "0-200k", *a, "claude-opus-4-6", "claude_code_key_alice_abcd", "Claude Code",
         "standard", False, "fast", "global", True, None, 3891, 88120, 0, 4410233, 51220, None, 0),
    ]


def test_console_usage_csv_mid_2025_header_daily_and_minute_buckets(tmp_path, settings):
    old = tmp_path / "claude_api_tokens_2025_06.csv"
    old.write_text(
        "usage_date_utc,model_version,api_key,workspace,usage_type,usage_input_tokens_no_cache,"
        "usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,"
        "usage_output_tokens,web_search_count\n"
        "2025-06-12,claude-3-5-haiku-20241022,claude_code_key_user_abc,Claude Code,standard,8,0,0,0,1,0\n")
    minute = tmp_path / "claude_api_tokens_minutes.csv"
    header = (FIXTURES / "claude_api_tokens_2026_03.csv").read_text(encoding="utf-8").splitlines()[0]
    minute.write_text(header + "\n2026-03-12 14:00,claude-opus-4-6,k,Default,standard,≤ 200k,1,0,0,0,1,0,us,\n"
                      "2026-03-12 14:01,claude-opus-4-6,k,Default,standard,> 200k,2,0,0,0,2,0,us,\n", encoding="utf-8")
    assert detect(old).name == detect(minute).name == "console_usage_csv"
    ingest(settings, [str(old), str(minute)])
    assert rows(settings, "ts, bucket_end, context_window, speed, inference_geo, input_tokens, output_tokens") == [
        (dt.datetime(2025, 6, 12, tzinfo=UTC), dt.datetime(2025, 6, 13, tzinfo=UTC), None, None, None, 8, 1),
        (dt.datetime(2026, 3, 12, 14, 0, tzinfo=UTC), dt.datetime(2026, 3, 12, 14, 1, tzinfo=UTC),
         "0-200k", "standard", "us", 1, 1),
        (dt.datetime(2026, 3, 12, 14, 1, tzinfo=UTC), dt.datetime(2026, 3, 12, 14, 2, tzinfo=UTC),
         "200k-1M", "standard", "us", 2, 2),
    ]
    assert_accounting(settings)


def test_console_usage_csv_rejects_and_empty_rows(tmp_path, settings):
    header = (FIXTURES / "claude_api_tokens_2026_03.csv").read_text(encoding="utf-8").splitlines()[0]
    good = "2026-03-12 {h:02d}:00,claude-haiku-4-5-20251001,k,Default,standard,≤ 200k,10,0,0,0,5,0,not_available,"
    lines = [header] + [good.format(h=h) for h in range(6)] + [
        "2026-03-12 07:00,claude-haiku-4-5-20251001,k,Default,standard,≤ 200k,1.5,0,0,0,5,0,not_available,",  # 8
        "yesterday,claude-haiku-4-5-20251001,k,Default,standard,≤ 200k,1,0,0,0,5,0,not_available,",        # 9
        "2026-03-12 08:00,,k,Default,standard,≤ 200k,1,0,0,0,5,0,not_available,",                         # 10
        "2026-03-12 09:00,,,,,,,,,,,,,",                                                                   # 11
        ",,,,,,,,,,,,,",                                                                                   # 12
        "2026-03-12 10:00,claude-haiku-4-5-20251001,k,Default,standard,≤ 200k,1,0,0,0",                     # 13
    ]
    path = tmp_path / "tokens.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = ingest(settings, [str(path)]).as_dict()
    assert dict(query(settings, "select source_line, reason from rejects")) == {
        8: "bad_token_count", 9: "missing_timestamp", 10: "missing_model", 13: "unknown_record_shape"}
    assert entry(settings, path)["ignored"] == {"empty_row": 1, "blank_line": 1}
    assert (summary["records_read"], summary["rows_loaded"]) == (12, 6)
    assert_accounting(settings)


# --- console_cost_csv ------------------------------------------------------------------------------------------


def test_console_cost_csv_fixture(tmp_path, settings):
    path = fixture(tmp_path, "claude_api_cost_2026_03_12_to_2026_03_13.csv")
    summary = ingest_twice(settings, path, "console_cost_csv")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (3, 3, 0)
    got = rows(settings, "source_line, ts, bucket_end, grain, request_count, context_window, provider, billed_by, "
                         "model, api_key, workspace, service_tier, batch, speed, inference_geo, billable, "
                         "reported_cost_usd, tags['token_type'], tags['usage_type'], tags['api_key_id'], " + TOKENS)
    common = (DAY_START, DAY_END, "bucket", None, "0-200k", "anthropic", "anthropic", "Claude Sonnet 4.5",
              "prod-backend", "Default", None, False, "standard", "not_available", True)
    key, zero = "apikey_01Rj2N8SVvo6BePZj99NhmiT", (0, 0, 0, 0, 0, None, 0)
    assert got == [
        (2, *common, Decimal("0.25"), "input_no_cache", "message", key, *zero),
        (3, *common, Decimal("0.21"), "input_cache_read", "message", key, *zero),
        (4, *common, Decimal("0.28"), "output", "message", key, *zero),
    ]
    # the display name resolves to a catalogue model, which prices money-only rows at $0; alone, the export's stated
    # cost is the spend
    assert query(settings, "select distinct canonical_model, catalogue_cost_usd, cost_usd = reported_cost_usd, "
                           "cost_basis from priced_usage") == [("claude-sonnet-4-5", Decimal(0), True, "stated")]


def test_console_cost_csv_bad_money(tmp_path, settings):
    lines = (FIXTURES / "claude_api_cost_2026_03_12_to_2026_03_13.csv").read_text(encoding="utf-8").splitlines()
    lines += [lines[1].replace(",0.25,", f",0.0{i},").replace("input_no_cache", f"t{i}") for i in range(3)]
    lines.append(lines[1].replace(",0.25,", ",$0.25,"))
    path = tmp_path / "cost.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ingest(settings, [str(path)])
    assert query(settings, "select source_line, reason from rejects") == [(8, "bad_token_count")]
    assert_accounting(settings)


# --- claude_code -----------------------------------------------------------------------------------------------


def session_lines():
    return [json.loads(line) for line in (FIXTURES / "claude_code_session.jsonl").read_text().splitlines()]


def test_claude_code_session_fixture(tmp_path, settings):
    path = fixture(tmp_path, "claude_code_session.jsonl")
    summary = ingest_twice(settings, path, "claude_code")
    assert (summary["records_read"], summary["rows_loaded"], summary["rows_rejected"]) == (8, 3, 0)
    assert entry(settings, path)["ignored"] == {"user_line": 2, "streaming_snapshot": 2, "summary_line": 1}
    got = rows(settings, "source_line, request_id, response_id, ts, provider, billed_by, model, app_raw, project, "
                         "session_id, " + TOKENS + ", batch, service_tier, billable, http_status, error_type, grain, "
                         "request_count, bucket_end, context_window, reported_cost_usd")
    a = ("anthropic", "anthropic")
    assert got == [
        (4, "req_011CV4b2Xk7mN3pQ9rS5tU1v", MAIN_MSG, dt.datetime(2026, 3, 12, 14, 10, 3, 201000, tzinfo=UTC), *a,
         "claude-sonnet-4-5-20250929", "claude-code", CWD, SESSION, 4, 0, 11862, 15555, 412, None, 0,
         False, "standard", True, None, None, "request", None, None, None, None),
        (6, "req_011CV4b3Pz2kW8xJ4nR6yT9c", "msg_01WqE5rT6yU7iO8pA9sD0fG1",
         dt.datetime(2026, 3, 12, 14, 10, 9, 4000, tzinfo=UTC), *a, "claude-haiku-4-5-20251001", "claude-code",
         CWD, SESSION, 5120, 0, 0, 0, 188, None, 0, False, "standard", True, None, None, "request", None, None,
         None, None),
        (7, "5d1e3b7a-2c4f-4e8a-9b6d-1f0e2c3a4b5c", "5d1e3b7a-2c4f-4e8a-9b6d-1f0e2c3a4b5c",
         dt.datetime(2026, 3, 12, 14, 10, 20, tzinfo=UTC), *a, "<synthetic>", "claude-code", CWD, SESSION,
         0, 0, 0, 0, 0, None, 0, False, None, False, 429, "rate_limit", "request", None, None, None, None),
    ]
    assert query(settings, "select tags from usage where source_line = 6") == [
        ({"git_branch": "main", "agent_id": "a7c41d09"},)]
    assert query(settings, "select cost_usd from priced_usage where not billable") == [(Decimal(0),)]


def test_claude_code_legacy_cost_usd(tmp_path, settings):
    path = fixture(tmp_path, "claude_code_legacy_costusd.jsonl")
    ingest_twice(settings, path, "claude_code")
    assert rows(settings, "request_id, response_id, ts, model, " + TOKENS + ", latency_ms, reported_cost_usd, "
                          "billable, project, session_id") == [
        ("req_011CQ1aBcDeFgHiJkLmNoPqR", "msg_01Xk2LmN3oP4qR5sT6uV7wX8", dt.datetime(2025, 6, 16, 10, 30, tzinfo=UTC),
         "claude-sonnet-4-20250514", 1245, 512, 0, 256, 877, None, 0, 8211, Decimal("0.0188"), True,
         "/Users/alice/code/old", "0b9d6c1e-77aa-4f1c-9e2b-5a6c7d8e9f00")]
    # the flat cache_creation_input_tokens are 5-minute writes: the recomputed price matches the logged costUSD
    assert query(settings, "select round(cost_usd, 4) from priced_usage") == [(Decimal("0.0189"),)]


def test_three_snapshot_lines_are_one_row_with_the_final_output_and_the_first_time(tmp_path, settings):
    lines = session_lines()
    snapshots = [lines[3], lines[1], lines[2]]  # written out of order: the most tokens still win
    path = write_jsonl(tmp_path / "s.jsonl", snapshots)
    ingest(settings, [str(path)])
    assert rows(settings, "source_line, output_tokens, ts") == [
        (1, 412, dt.datetime(2026, 3, 12, 14, 10, 5, 390000, tzinfo=UTC))]
    assert entry(settings, path)["ignored"] == {"streaming_snapshot": 2}


def test_a_sidechain_replay_in_another_file_loses_to_the_main_thread_copy(tmp_path, settings):
    projects = tmp_path / "projects" / "-Users-alice-code-billing-service"
    main = projects / f"{SESSION}.jsonl"
    main.parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "claude_code_session.jsonl", main)
    replay = dict(session_lines()[3], isSidechain=True, agentId="b81f00aa", requestId="req_011CVreplayXXXXXXXXXXXX",
                  uuid="c1a0f6e2-1111-4a1b-8c2d-0000000000aa", timestamp="2026-03-12T14:11:00.000Z")
    agent = write_jsonl(projects / SESSION / "subagents" / "agent-b81f00aa.jsonl", [replay])
    summary = ingest(settings, [str(tmp_path / "projects")]).as_dict()
    # the replay is superseded: a counted duplicate of its file, not a reject (it is not bad data)
    assert (summary["rows_loaded"], summary["duplicates"], summary["rows_rejected"]) == (3, 1, 0)
    assert entry(settings, agent)["duplicates"] == 1
    assert rows(settings, "request_id, source_file", f"response_id = '{MAIN_MSG}'") == [
        ("req_011CV4b2Xk7mN3pQ9rS5tU1v", str(main))]
    assert query(settings, "select count(*) from rejects") == [(0,)]
    assert_accounting(settings)


def test_a_main_thread_copy_ingested_later_replaces_a_sidechain_replay(tmp_path, settings):
    replay = dict(session_lines()[3], isSidechain=True, agentId="b81f00aa", requestId="req_011CVreplayXXXXXXXXXXXX")
    agent = write_jsonl(tmp_path / "a" / "agent-b81f00aa.jsonl", [replay])
    ingest(settings, [str(agent)])
    main = fixture(tmp_path, "claude_code_session.jsonl", "b")
    summary = ingest(settings, [str(main)]).as_dict()
    assert (summary["rows_loaded"], summary["rows_replaced"]) == (2, 1)
    assert rows(settings, "request_id, source_file", f"response_id = '{MAIN_MSG}'") == [
        ("req_011CV4b2Xk7mN3pQ9rS5tU1v", str(main))]
    # the replay left the lake; its file now counts it as a duplicate, not a reject
    assert query(settings, "select count(*) from rejects") == [(0,)]
    assert (entry(settings, agent)["rows_loaded"], entry(settings, agent)["duplicates"]) == (0, 1)
    assert_accounting(settings)


def test_a_superseded_replay_is_counted_in_its_file_even_when_the_file_is_only_re_hashed(tmp_path, settings):
    import os

    replay = dict(session_lines()[3], isSidechain=True, agentId="b81f00aa", requestId="req_011CVreplayXXXXXXXXXXXX")
    agent = write_jsonl(tmp_path / "a" / "agent-b81f00aa.jsonl", [replay])
    ingest(settings, [str(agent)])
    os.utime(agent, None)  # same bytes, new mtime: hashed and skipped, its manifest entry rewritten
    main = fixture(tmp_path, "claude_code_session.jsonl", "b")
    summary = ingest(settings, [str(agent), str(main)]).as_dict()
    assert (summary["files_skipped"], summary["rows_replaced"]) == (1, 1)
    assert (entry(settings, agent)["rows_loaded"], entry(settings, agent)["duplicates"]) == (0, 1)
    assert_accounting(settings)


def test_a_resumed_session_repeating_earlier_responses_is_a_duplicate(tmp_path, settings):
    first = tmp_path / "projects" / "p" / f"{SESSION}.jsonl"
    first.parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "claude_code_session.jsonl", first)
    resumed_id = "9a9a9a9a-0000-4000-8000-000000000001"
    new = dict(session_lines()[3], sessionId=resumed_id, uuid="u-new", requestId="req_011CVnewnewnewnewnewnew",
               timestamp="2026-03-12T18:00:00.000Z", parentUuid="c1a0f6e2-1111-4a1b-8c2d-000000000007")
    new["message"] = dict(new["message"], id="msg_01NEWNEWNEWNEWNEWNEWNEWN")
    summary_line = {"type": "summary", "summary": "Fix invoice rounding test", "leafUuid": "x"}
    resumed = write_jsonl(first.parent / f"{resumed_id}.jsonl",
                          [summary_line] + first.read_text().splitlines() + [new])
    summary = ingest(settings, [str(first.parent)]).as_dict()
    assert (summary["rows_loaded"], summary["duplicates"], summary["rows_rejected"]) == (4, 3, 0)
    assert entry(settings, resumed)["duplicates"] == 3 and entry(settings, resumed)["rows_loaded"] == 1
    assert query(settings, "select count(*), count(distinct response_id) from usage") == [(4, 4)]
    assert_accounting(settings)
    # the same, when the earlier session is already in the lake
    other = load_fresh(settings, tmp_path / "home2")
    ingest(other, [str(first)])
    later = ingest(other, [str(resumed)]).as_dict()
    assert (later["rows_loaded"], later["duplicates"], later["rows_rejected"]) == (1, 3, 0)


def resumed_copy(lines, session_id):
    """The lines as `claude --resume` copies them into a new session: the same message ids, request ids and usage
    under the new sessionId, with new uuids and parentUuids."""
    return [dict(line, sessionId=session_id, uuid=f"{session_id}-{i}", parentUuid=f"{session_id}-{i - 1}")
            if "sessionId" in line else line for i, line in enumerate(lines)]


def test_a_resumed_copy_under_a_new_session_id_is_a_duplicate_and_only_other_usage_conflicts(tmp_path, settings):
    resumed_id = "9a9a9a9a-0000-4000-8000-000000000002"
    first = fixture(tmp_path, "claude_code_session.jsonl", "p")
    copy = write_jsonl(first.parent / f"{resumed_id}.jsonl", resumed_copy(session_lines(), resumed_id))
    summary = ingest(settings, [str(first.parent)]).as_dict()
    # the 3 rows once: the copy's 3 are duplicates, not duplicate_conflict rejects (which stopped the night with 65)
    assert (summary["rows_loaded"], summary["duplicates"], summary["rows_rejected"]) == (3, 3, 0)
    assert query(settings, "select count(*), count(distinct session_id) from usage") == [(3, 1)]
    assert_accounting(settings)
    # the copy already in the lake: it stays (no rewrite) and the original read later is the duplicate
    other = load_fresh(settings, tmp_path / "home2")
    ingest(other, [str(copy)])
    later = ingest(other, [str(first)]).as_dict()
    assert (later["rows_loaded"], later["rows_replaced"], later["duplicates"], later["rows_rejected"]) == (0, 0, 3, 0)
    assert query(other, "select distinct session_id from usage") == [(resumed_id,)]
    assert_accounting(other)
    # the same key billing something else is still a conflict: more output tokens win, the other is rejected
    third = load_fresh(settings, tmp_path / "home3")
    lines = resumed_copy(session_lines(), resumed_id)
    lines[3] = dict(lines[3], message=dict(lines[3]["message"], usage=dict(lines[3]["message"]["usage"],
                                                                           output_tokens=999)))
    changed = write_jsonl(tmp_path / "q" / f"{resumed_id}.jsonl", lines)
    result = ingest(third, [str(first), str(changed)]).as_dict()
    assert (result["rows_loaded"], result["duplicates"], result["rows_rejected"]) == (3, 2, 1)
    assert query(third, "select reason from rejects") == [("duplicate_conflict",)]
    assert query(third, f"select output_tokens from usage where response_id = '{MAIN_MSG}'") == [(999,)]


def load_fresh(settings, home):
    from pipeline.config import load_settings
    return load_settings(None, str(home))


def test_claude_code_rejects(tmp_path, settings):
    lines = session_lines()
    good = lines[3]

    def variant(i, **changes):
        record = json.loads(json.dumps(good))
        record["message"]["id"] = f"msg_{i:03d}"
        for key, value in changes.items():
            if key == "usage":
                record["message"]["usage"].update(value)
            elif value is None:
                record.pop(key, None)
            else:
                record[key] = value
        return record

    no_usage = variant(3)
    del no_usage["message"]["usage"]
    no_model = variant(4)
    del no_model["message"]["model"]
    records = [
        variant(1, usage={"output_tokens": "412"}),            # 1 bad_token_count
        variant(2, timestamp=None),                            # 2 missing_timestamp
        no_usage,                                              # 3 missing_usage
        no_model,                                              # 4 missing_model
        {"sessionId": SESSION, "uuid": "u"},                   # 5 unknown_record_shape
        variant(6, timestamp="2026-03-12T14:10:03"),           # 6 timestamp_no_zone
        {"type": "file-history-snapshot", "messageId": "m"},   # 7 ignored
        {"type": "system", "subtype": "turn_duration"},        # 8 ignored
    ] + [variant(100 + i) for i in range(8)]
    path = write_jsonl(tmp_path / "t.jsonl", records)
    summary = ingest(settings, [str(path)], fmt="claude_code").as_dict()
    assert dict(query(settings, "select source_line, reason from rejects")) == {
        1: "bad_token_count", 2: "missing_timestamp", 3: "missing_usage", 4: "missing_model",
        5: "unknown_record_shape", 6: "timestamp_no_zone"}
    assert entry(settings, path)["ignored"] == {"file_history_snapshot_line": 1, "system_line": 1}
    assert summary["rows_loaded"] == 8
    assert_accounting(settings)


def test_the_same_request_logged_two_ways_has_the_same_canonical_tokens(tmp_path, settings):
    transcript = session_lines()[3]
    usage = transcript["message"]["usage"]
    logged = app_record(transcript["requestId"], ts=transcript["timestamp"], model=transcript["message"]["model"],
                        input_tokens=usage["input_tokens"], output_tokens=usage["output_tokens"],
                        cache_creation_input_tokens=usage["cache_creation_input_tokens"],
                        cache_read_input_tokens=usage["cache_read_input_tokens"],
                        cache_creation=usage["cache_creation"], service_tier=usage["service_tier"])
    logged["response"]["id"] = transcript["message"]["id"]
    app_log = write_jsonl(tmp_path / "app.jsonl", [logged])
    cc = write_jsonl(tmp_path / "cc.jsonl", [transcript])
    ingest(settings, [str(app_log), str(cc)])
    columns = f"request_id, response_id, ts, provider, model, {TOKENS}, batch, service_tier, billable"
    by_format = query(settings, f"select source_format, {columns}, cost_usd from priced_usage order by 1")
    assert [r[0] for r in by_format] == ["app_log", "claude_code"]
    assert by_format[0][1:] == by_format[1][1:]
    assert by_format[0][6:13] == (4, 0, 11862, 15555, 412, None, 0)
