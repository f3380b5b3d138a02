import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import duckdb

from conftest import FIXTURES, app_record, assert_accounting, query, write_jsonl
from pipeline.config import load_settings
from pipeline.ingest import ingest
from pipeline.lake import Lake


def reject_reasons(settings):
    return dict(query(settings, "select source_line, reason from rejects order by source_line"))


def test_every_reject_reason_on_a_crafted_line(tmp_path, home):
    (tmp_path / "spendlog.toml").write_text("[ingest]\nmax_line_bytes = 2000\n")
    from pipeline.config import load_settings
    settings = load_settings(str(tmp_path / "spendlog.toml"), str(home))
    good = app_record
    no_usage = good("req_nu")
    del no_usage["response"]["usage"]
    no_model = good("req_nm")
    del no_model["response"]["model"]
    lines = [
        good("req_ok"),                                              # 1 loads
        b'{"ts": "2026-02-10T10:00:00Z", "app": "\xff\xfe"}',        # 2 invalid_utf8
        '{"ts": "2026-02-10T10:00:00Z", "response": ',               # 3 invalid_json
        json.dumps(good("req_long", app="x" * 3000)),                # 4 line_too_long
        '{"ts": "2026-02-10T10:00:00Z", "deep": ' + "[" * 70 + "]" * 70 + "}",  # 5 too_deep
        "[1, 2, 3]",                                                  # 6 not_an_object
        {k: v for k, v in good("req_nots").items() if k != "ts"},   # 7 missing_timestamp
        good("req_nozone", ts="2026-02-10T10:00:00"),                # 8 timestamp_no_zone
        good("req_old", ts="2019-12-31T23:59:59Z"),                  # 9 timestamp_out_of_range
        no_usage,                                                     # 10 missing_usage
        good("req_bad", input_tokens=1.5),                           # 11 bad_token_count
        no_model,                                                     # 12 missing_model
        {"ts": "2026-02-10T10:00:00Z", "hello": "world"},            # 13 unknown_record_shape
        good("req_ok", output_tokens=10),                            # 14 duplicate_conflict (fewer tokens)
        good("req_str", input_tokens="123"),                         # 15 bad_token_count (a string)
        good("req_neg", input_tokens=-5),                            # 16 bad_token_count (negative)
        {"ts": "2026-02-10T10:00:00Z", "request_id": "r-oa", "response": {  # 17 negative_uncached_input
            "id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o",
            "usage": {"prompt_tokens": 10, "completion_tokens": 1, "prompt_tokens_details": {"cached_tokens": 20}}}},
    ]
    for i in range(30):  # keep rejects under half the records so the file is not refused
        lines.append(good(f"req_fill_{i}"))
    write_jsonl(tmp_path / "logs" / "crafted.jsonl", lines)
    summary = ingest(settings, [str(tmp_path / "logs")]).as_dict()
    assert reject_reasons(settings) == {
        2: "invalid_utf8", 3: "invalid_json", 4: "line_too_long", 5: "too_deep", 6: "not_an_object",
        7: "missing_timestamp", 8: "timestamp_no_zone", 9: "timestamp_out_of_range", 10: "missing_usage",
        11: "bad_token_count", 12: "missing_model", 13: "unknown_record_shape", 14: "duplicate_conflict",
        15: "bad_token_count", 16: "bad_token_count", 17: "negative_uncached_input",
    }
    assert summary["rows_loaded"] == 31 and summary["rows_rejected"] == 16 and summary["records_read"] == 47
    assert_accounting(settings)


def test_exact_line_numbers_with_bom_crlf_blank_control_invalid_utf8_and_a_3mb_line(tmp_path, settings):
    big = app_record("req_big")
    big["response"]["content"] = [{"type": "text", "text": "y" * 3_000_000}]
    path = tmp_path / "messy.jsonl"
    with open(path, "wb") as handle:
        handle.write(b"\xef\xbb\xbf" + json.dumps(app_record("req_1")).encode() + b"\r\n")  # 1 BOM + CRLF
        handle.write(b"\r\n")                                                                  # 2 blank (CR only)
        handle.write(b"\n")                                                                    # 3 blank
        handle.write(b'{"ts": "2026-02-10T10:00:00Z", "app": "a\x01b"}\n')                     # 4 control char
        handle.write(b'{"app": "\xc3\x28"}\n')                                                  # 5 invalid UTF-8
        handle.write(json.dumps(big).encode() + b"\n")                                          # 6 3 MB line
        handle.write(json.dumps(app_record("req_7")).encode() + b"\r\n")                        # 7 CRLF
    old = time.time() - 3600
    os.utime(path, (old, old))
    summary = ingest(settings, [str(path)]).as_dict()
    assert query(settings, "select request_id, source_line from usage order by source_line") == [
        ("req_1", 1), ("req_big", 6), ("req_7", 7)]
    assert reject_reasons(settings) == {4: "invalid_json", 5: "invalid_utf8"}
    entry = Lake(settings.home).read_manifest()["sources"][str(path)]
    assert entry["ignored"] == {"blank_line": 2}
    assert summary["records_read"] == 7
    assert_accounting(settings)


def test_duplicates_within_and_across_files(tmp_path, settings):
    a = write_jsonl(tmp_path / "a.jsonl", [
        app_record("req_1"), app_record("req_1"),                     # identical within a file
        app_record("req_2", output_tokens=5), app_record("req_2", output_tokens=50),  # conflict: more tokens wins
    ])
    b = write_jsonl(tmp_path / "b.jsonl", [
        app_record("req_1"),                                         # identical across files
        app_record("req_3", output_tokens=7),
    ])
    c = write_jsonl(tmp_path / "c.jsonl", [app_record("req_3", output_tokens=70)])  # conflict across files
    summary = ingest(settings, [str(a), str(b), str(c)]).as_dict()
    rows = query(settings, "select request_id, output_tokens, source_file, source_line from usage order by 1")
    assert [(r[0], r[1]) for r in rows] == [("req_1", 20), ("req_2", 50), ("req_3", 70)]
    assert rows[0][2:] == (str(a), 1)
    assert summary["duplicates"] == 2 and summary["rows_rejected"] == 2 and summary["rows_loaded"] == 3
    assert sorted(query(settings, "select source_file, source_line, reason from rejects")) == [
        (str(a), 3, "duplicate_conflict"), (str(b), 2, "duplicate_conflict")]
    assert_accounting(settings)


def test_a_later_file_with_more_tokens_replaces_a_lake_row(tmp_path, settings):
    a = write_jsonl(tmp_path / "a.jsonl", [app_record("req_1", output_tokens=5), app_record("req_2")])
    ingest(settings, [str(a)])
    b = write_jsonl(tmp_path / "b.jsonl", [app_record("req_1", output_tokens=500), app_record("req_2")])
    summary = ingest(settings, [str(b)]).as_dict()
    assert summary["rows_replaced"] == 1 and summary["duplicates"] == 1 and summary["rows_loaded"] == 0
    assert query(settings, "select request_id, output_tokens, source_file from usage order by 1") == [
        ("req_1", 500, str(b)), ("req_2", 20, str(a))]
    assert query(settings, "select source_file, reason from rejects") == [(str(a), "duplicate_conflict")]
    assert_accounting(settings)


def test_second_ingest_of_the_same_files_loads_nothing(tmp_path, home):
    shutil.copytree(FIXTURES, tmp_path / "fx")
    settings = load_settings(str(tmp_path / "fx" / "spendlog.toml"), str(home))  # reads finance_sheet.csv
    first = ingest(settings, [str(tmp_path / "fx")]).as_dict()
    assert (first["files"], first["rows_loaded"], first["duplicates"], first["ignored"]) == (27, 68, 5, 9)
    assert first["file_errors"] == [] and first["rows_rejected"] == 0
    again = ingest(settings, [str(tmp_path / "fx")]).as_dict()
    assert again["files"] == 0 and again["files_skipped"] == 27 and again["rows_loaded"] == 0
    touched = tmp_path / "fx" / "anthropic_messages_logged.jsonl"
    os.utime(touched, None)  # same bytes, new mtime: hashed, still skipped
    third = ingest(settings, [str(tmp_path / "fx")]).as_dict()
    assert third["files_skipped"] == 27
    with open(touched, "ab") as handle:  # appended: re-read, old lines are duplicates
        handle.write(json.dumps(app_record("req_new", ts="2026-03-12T15:00:00Z")).encode() + b"\n")
    fourth = ingest(settings, [str(tmp_path / "fx")]).as_dict()
    assert (fourth["files"], fourth["rows_loaded"], fourth["duplicates"]) == (1, 1, 4)
    assert query(settings, "select count(*) from usage") == [(69,)]
    assert_accounting(settings)


def test_gzip_is_read_and_a_truncated_gzip_is_a_file_error(tmp_path, settings):
    data = gzip.compress((json.dumps(app_record("req_gz")) + "\n").encode())
    (tmp_path / "ok.jsonl.gz").write_bytes(data)
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    summary = ingest(settings, [str(tmp_path / "ok.jsonl.gz"), str(tmp_path / "cut.jsonl.gz")]).as_dict()
    assert summary["rows_loaded"] == 1
    assert [e["error"].split(":")[0] for e in summary["file_errors"]] == ["truncated_gzip"]
    entry = Lake(settings.home).read_manifest()["sources"][str(tmp_path / "ok.jsonl.gz")]
    assert entry["sha256"] == __import__("hashlib").sha256(data).hexdigest()


def test_a_file_with_mostly_bad_lines_is_refused_whole_and_keeps_its_reasons(tmp_path, settings):
    path = write_jsonl(tmp_path / "bad.jsonl", [app_record("req_1"), "nope", "nope"])
    summary = ingest(settings, [str(path)]).as_dict()
    assert summary["file_errors"] == [{"path": str(path), "error": (
        "too_many_rejects: 2 of 3 records rejected (over half): invalid_json ×2 (line 2: "
        + query(settings, "select detail from rejects where source_line = 2")[0][0] + ") — fix those records (or "
        "the format named for the file); the file is read again on every run")}]
    assert query(settings, "select count(*) from usage") == [(0,)]
    # the reasons stay, with their lines, and the file has an entry saying it was refused
    assert query(settings, "select source_line, reason from rejects order by 1") == [(2, "invalid_json"),
                                                                                      (3, "invalid_json")]
    assert query(settings, "select status, records_read, rows_loaded, rows_rejected, error like 'too_many_rejects: %' "
                           "from ingested_files") == [("refused", 3, 0, 2, True)]
    assert_accounting(settings)
    # read again (unchanged: a refused file is never skipped), its rejects are not repeated
    again = ingest(settings, [str(path)]).as_dict()
    assert (again["files_skipped"], len(again["file_errors"])) == (0, 1)
    assert query(settings, "select count(*) from rejects") == [(2,)]
    # fixed, it loads; the rejects its new read no longer has leave the lake
    write_jsonl(path, [app_record("req_1"), app_record("req_2"), "nope"])
    fixed = ingest(settings, [str(path)]).as_dict()
    assert (fixed["file_errors"], fixed["rows_loaded"], fixed["rows_rejected"]) == ([], 2, 1)
    assert query(settings, "select source_line, reason from rejects") == [(3, "invalid_json")]
    assert query(settings, "select status, error from ingested_files") == [("loaded", None)]
    assert_accounting(settings)


def test_a_loaded_file_refused_later_keeps_its_rows_and_says_so(tmp_path, settings):
    path = write_jsonl(tmp_path / "a.jsonl", [app_record("req_1"), app_record("req_2")])
    ingest(settings, [str(path)])
    write_jsonl(path, [app_record("req_1"), app_record("req_2"), "nope", "nope", "nope"])
    summary = ingest(settings, [str(path)]).as_dict()
    assert summary["file_errors"][0]["error"].startswith("too_many_rejects: 3 of 5 records rejected")
    assert query(settings, "select count(*) from usage") == [(2,)]
    assert query(settings, "select status, rows_loaded from ingested_files") == [("refused", 2)]
    assert query(settings, "select count(*) from rejects") == [(3,)]
    assert_accounting(settings)


def test_a_batch_error_file_without_its_side_car_says_what_to_add(tmp_path, settings):
    path = tmp_path / "openai_batch_errors.jsonl"
    path.write_bytes((FIXTURES / "openai_batch_errors.jsonl").read_bytes())
    summary = ingest(settings, [str(path)]).as_dict()
    assert summary["file_errors"] == [{"path": str(path), "error": (
        "batch_timestamp_missing: 2 of 2 records have no time of their own and the batch's end time is unknown: "
        "put the batch object beside the file as openai_batch_errors.jsonl.batch.json, or pass --batch-ended-at")}]
    assert query(settings, "select source_line, reason from rejects order by 1") == [
        (1, "missing_timestamp"), (2, "missing_timestamp")]
    (tmp_path / "openai_batch_errors.jsonl.batch.json").write_bytes(
        (FIXTURES / "openai_batch_errors.jsonl.batch.json").read_bytes())
    fixed = ingest(settings, [str(path)]).as_dict()
    assert (fixed["file_errors"], fixed["rows_loaded"]) == ([], 2)
    assert query(settings, "select count(*) from rejects") == [(0,)]


def test_a_recent_last_line_without_newline_is_pending(tmp_path, settings):
    path = tmp_path / "live.jsonl"
    path.write_bytes((json.dumps(app_record("req_1")) + "\n" + json.dumps(app_record("req_2"))).encode())
    summary = ingest(settings, [str(path)]).as_dict()
    assert summary["records_read"] == 1 and summary["rows_rejected"] == 0
    assert summary["pending"] == [{"path": str(path), "line": 2}]
    with open(path, "ab") as handle:
        handle.write(b"\n")
    summary = ingest(settings, [str(path)]).as_dict()
    assert (summary["rows_loaded"], summary["duplicates"]) == (1, 1)


def test_a_pending_last_line_is_read_once_it_is_old_even_if_the_file_never_changes(tmp_path, settings):
    from dataclasses import replace

    path = tmp_path / "crashed.jsonl"
    path.write_bytes((json.dumps(app_record("req_1")) + "\n" + json.dumps(app_record("req_2"))).encode())
    assert ingest(settings, [str(path)]).as_dict()["rows_loaded"] == 1  # the writer may still finish the line
    later = replace(settings, pending_grace_minutes=0)                  # ... it never did: the file is old now
    summary = ingest(later, [str(path)]).as_dict()
    assert (summary["files"], summary["rows_loaded"], summary["duplicates"]) == (1, 1, 1)
    assert query(later, "select request_id from usage order by 1") == [("req_1",), ("req_2",)]
    assert ingest(later, [str(path)]).as_dict()["files_skipped"] == 1  # nothing pending any more: skipped


def test_secrets_never_reach_the_lake_or_rejects(tmp_path, settings):
    key = "sk-ant-api03-" + "A" * 40
    record = app_record("req_s")
    record["api_key_name"] = key
    record["tags"] = {"auth": "Bearer abc.def.ghi", "team": "core"}
    bad = '{"ts": "2026-02-10T10:00:00Z", "headers": {"x-api-key": "%s"}, "x": ' % key
    google = '{"ts": "2026-02-10T10:00:00Z", "key": "AIzaSyA1234567890abcdefghijklmnop", "k2": "sk-proj-abcdefghijklmnopqrstuvwxyz"}'
    fillers = [app_record(f"req_{i}") for i in range(5)]
    ingest(settings, [str(write_jsonl(tmp_path / "s.jsonl", [record, bad, google] + fillers))])
    blobs = b"".join(p.read_bytes() for p in (settings.home / "lake").rglob("*.parquet"))
    dumped = json.dumps(query(settings, "select * from usage"), default=str) + json.dumps(
        query(settings, "select * from rejects"), default=str)
    for secret in (key, "abc.def.ghi", "AIzaSyA1234567890abcdefghijklmnop", "sk-proj-abcdefghijklmnopqrstuvwxyz"):
        assert secret not in dumped
        assert secret.encode() not in blobs
    assert query(settings, "select api_key, tags['team'] from usage where request_id = 'req_s'") == [
        ("sk-ant-[REDACTED]", "core")]
    # nor in the internal columns the views leave out: a secret logged as a request id
    leaked = app_record("sk-proj-" + "B" * 30)
    ingest(settings, [str(write_jsonl(tmp_path / "t.jsonl", [leaked] + fillers))])
    files = [str(p) for p in (settings.home / "lake" / "usage").rglob("*.parquet")]
    keys = duckdb.sql(f"select string_agg(dedupe_key || request_id, ' ') from read_parquet({files})").fetchall()[0][0]
    assert "B" * 30 not in keys and "sk-[REDACTED]" in keys


def test_batch_results_need_a_time(tmp_path, settings):
    shutil.copy(FIXTURES / "anthropic_batch_results.jsonl", tmp_path / "batch.jsonl")
    summary = ingest(settings, [str(tmp_path / "batch.jsonl")]).as_dict()
    assert summary["file_errors"][0]["error"].startswith("batch_timestamp_missing")
    summary = ingest(settings, [str(tmp_path / "batch.jsonl")], options={
        "batch_id": "msgbatch_1", "batch_ended_at": "2026-03-12T09:00:00Z"}).as_dict()
    assert summary["rows_loaded"] == 4
    assert query(settings, "select request_id, billable, batch, error_type from usage order by 1") == [
        ("msg_01FqfsLoHwgeFbguDgpz48m7", True, True, None),
        ("msgbatch_1:ticket-00018", False, True, "invalid_request_error"),
        ("msgbatch_1:ticket-00019", False, True, "expired"),
        ("msgbatch_1:ticket-00020", False, True, "canceled"),
    ]


def canonical_rows(settings):
    return query(settings, "select * exclude (ingested_at) from usage order by source_file, source_line")


KILL_SCRIPT = """
import sys
from pipeline.config import load_settings
from pipeline.ingest import ingest
ingest(load_settings(None, sys.argv[1]), [sys.argv[2]])
"""


def test_sigkill_during_ingest_then_rerun_gives_the_same_rows(tmp_path):
    from pipeline.config import load_settings
    from pipeline.samples.article import generate

    logs = tmp_path / "logs"
    generate(logs, 1, 7)
    shutil.rmtree(logs / "batch")
    clean = load_settings(None, str(tmp_path / "clean"))
    ingest(clean, [str(logs)])
    expected = canonical_rows(clean)
    start = time.monotonic()
    subprocess.run([sys.executable, "-c", KILL_SCRIPT, str(tmp_path / "timing"), str(logs)], check=True)
    duration = time.monotonic() - start
    for i, fraction in enumerate((0.3, 0.6, 0.8, 0.9, 0.97)):
        home = tmp_path / f"killed{i}"
        proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(home), str(logs)])
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        settings = load_settings(None, str(home))
        ingest(settings, [str(logs)])
        assert canonical_rows(settings) == expected
        assert_accounting(settings)
        live = {str(settings.home / p) for t in ("usage", "rejects", "priced")
                for p in Lake(settings.home).read_manifest()["tables"][t]}
        on_disk = {str(p) for p in (settings.home / "lake").rglob("*.parquet")}
        assert live <= on_disk and not any("/.staging/" in p for p in live)


def test_files_of_one_format_are_normalized_together_and_a_refused_one_leaves_the_rest(tmp_path, settings,
                                                                                      monkeypatch):
    from pipeline import ingest as ingest_module

    monkeypatch.setattr(ingest_module, "BATCH_FILES", 3)  # 6 app logs: two statements of three files
    for i in range(4):
        write_jsonl(tmp_path / "logs" / f"{i}.jsonl", [app_record(f"req_{i}_{j}") for j in range(3)])
    write_jsonl(tmp_path / "logs" / "4-bad.jsonl", [app_record("req_4_0"), "nope", "nope"])   # too many rejects
    data = gzip.compress(b"\n".join(json.dumps(app_record(f"req_5_{j}")).encode() for j in range(3)) + b"\n")
    (tmp_path / "logs" / "5-cut.jsonl.gz").write_bytes(data[: len(data) // 2])               # truncated
    summary = ingest(settings, [str(tmp_path / "logs")]).as_dict()
    assert (summary["files"], summary["rows_loaded"], summary["rows_rejected"]) == (4, 12, 0)
    assert sorted((e["path"].rsplit("/", 1)[1], e["error"].split(":")[0]) for e in summary["file_errors"]) == [
        ("4-bad.jsonl", "too_many_rejects"), ("5-cut.jsonl.gz", "truncated_gzip")]
    assert query(settings, "select source_file, count(*), min(source_line), max(source_line) from usage "
                           "group by all order by 1") == [
        (str(tmp_path / "logs" / f"{i}.jsonl"), 3, 1, 3) for i in range(4)]
    # only the refused file's own rejects, which say why it was refused
    assert query(settings, "select regexp_extract(source_file, '[^/]*$'), source_line, reason from rejects "
                           "order by 2") == [("4-bad.jsonl", 2, "invalid_json"), ("4-bad.jsonl", 3, "invalid_json")]
    assert_accounting(settings)


def test_a_file_read_again_is_judged_by_its_new_read_not_against_itself(tmp_path, settings):
    from dataclasses import replace

    later = replace(settings, pending_grace_minutes=0)
    # the same record read twice, first with --app: the re-read is a duplicate, not a conflict with itself
    path = tmp_path / "app.jsonl"
    rec = app_record("req_1")
    del rec["app"]
    path.write_bytes((json.dumps(rec) + "\n" + "{bad json\n" + "\n".join(
        json.dumps(app_record(f"req_{i}")) for i in range(2, 5)) + "\n" + json.dumps(app_record("req_5"))).encode())
    ingest(settings, [str(path)], options={"app": "billing"})
    summary = ingest(later, [str(path)]).as_dict()
    assert (summary["rows_loaded"], summary["duplicates"], summary["rows_rejected"]) == (1, 4, 1)
    assert query(later, "select reason, count(*) from rejects group by all") == [("invalid_json", 1)]  # not twice
    assert query(later, "select app_raw from usage where request_id = 'req_1'") == [("billing",)]
    assert_accounting(later)


def test_a_streaming_snapshot_loaded_while_pending_is_replaced_by_the_final_line(tmp_path, settings):
    from dataclasses import replace

    lines = [json.loads(line) for line in (FIXTURES / "claude_code_session.jsonl").read_text().splitlines()]
    final = next(line for line in lines if line.get("type") == "assistant")
    final["message"]["usage"]["output_tokens"] = 500
    snapshot = json.loads(json.dumps(final))
    snapshot["message"]["usage"]["output_tokens"] = 5
    path = tmp_path / "projects" / "p" / "s.jsonl"
    path.parent.mkdir(parents=True)
    path.write_bytes((json.dumps(snapshot) + "\n" + json.dumps(final)).encode())  # the final line is pending
    ingest(settings, [str(path)])
    later = replace(settings, pending_grace_minutes=0)
    summary = ingest(later, [str(path)]).as_dict()
    assert (summary["rows_replaced"], summary["rows_rejected"], summary["ignored"]) == (1, 0, 1)
    assert query(later, "select source_line, output_tokens from usage") == [(2, 500)]
    assert query(later, "select count(*) from rejects") == [(0,)]
    assert_accounting(later)
