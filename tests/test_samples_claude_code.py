import hashlib
import json
import re
from datetime import datetime, timezone

import pytest

from pipeline.views import open_views
from pipeline.ingest import ingest
from pipeline.lake import Lake
from pipeline.samples.claude_code import generate

START = datetime(2026, 2, 1, tzinfo=timezone.utc)
END = datetime(2026, 3, 1, tzinfo=timezone.utc)
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
MAIN_FILE = re.compile(rf"projects/-[A-Za-z0-9-]+/{UUID}\.jsonl")
AGENT_FILE = re.compile(rf"projects/-[A-Za-z0-9-]+/{UUID}/subagents/agent-[0-9a-f]{{8}}\.jsonl")


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    out = tmp_path_factory.mktemp("cc")
    return out, generate(out)


def digest(root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def records(root):
    for path in sorted(root.rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            yield path, json.loads(line)


def test_same_seed_same_tree_other_seed_other_tree(tree, tmp_path):
    out, summary = tree
    again = generate(tmp_path / "again")
    assert again == summary
    assert digest(tmp_path / "again") == digest(out)
    other = generate(tmp_path / "other", seed=7)
    assert digest(tmp_path / "other") != digest(out) and other["responses"] == summary["responses"]


def test_layout_and_counts(tree):
    out, summary = tree
    files = [str(p.relative_to(out)) for p in sorted(out.rglob("*")) if p.is_file()]
    assert len(files) == summary["files"] == summary["sessions"] + summary["subagent_files"]
    assert all(MAIN_FILE.fullmatch(f) or AGENT_FILE.fullmatch(f) for f in files), files
    assert sum(bool(AGENT_FILE.fullmatch(f)) for f in files) == summary["subagent_files"] > 0
    assert summary["responses"] == 2_000 == summary["main_responses"] + summary["subagent_responses"]
    assert summary["errors"] > 0 and summary["replays"] > 0 and summary["resumed_sessions"] > 0
    assert summary["snapshot_lines"] > summary["responses"] // 2
    assert sum(summary["models"].values()) == summary["responses"]

    lines = list(records(out))
    assert len(lines) == summary["lines"]
    kinds = {}
    for _, record in lines:
        kinds[record["type"]] = kinds.get(record["type"], 0) + 1
        if "timestamp" in record:
            assert START <= datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00")) < END
    assert kinds["summary"] == summary["summary_lines"] and kinds["user"] == summary["user_lines"]
    message_ids = {r["message"]["id"] for _, r in lines if r["type"] == "assistant"}
    assert len(message_ids) == summary["rows"] == summary["responses"] + summary["errors"]
    synthetic = {r["message"]["id"] for _, r in lines if r["type"] == "assistant" and r.get("isApiErrorMessage")}
    assert len(synthetic) == summary["errors"]
    assert all(r["message"]["model"] == "<synthetic>" and r["apiErrorStatus"] == 429
               for _, r in lines if r.get("isApiErrorMessage"))
    sidechain = [(p, r) for p, r in lines if r.get("isSidechain")]
    assert sidechain and all(AGENT_FILE.fullmatch(str(p.relative_to(out))) and r.get("agentId") for p, r in sidechain)


def test_resumed_sessions_start_with_a_copy_of_an_earlier_session(tree):
    """As `claude --resume` writes it: the earlier lines with their message ids, request ids and usage, under the new
    session's sessionId and with new uuids."""
    out, summary = tree
    mains = [p for p in sorted(out.rglob("*.jsonl")) if MAIN_FILE.fullmatch(str(p.relative_to(out)))]
    lines = {p: [json.loads(line) for line in p.read_text().splitlines()] for p in mains}

    def billed(records):
        return [(r.get("requestId"), r["message"].get("id"), json.dumps(r["message"].get("usage"))) for r in records
                if r.get("type") == "assistant"]

    resumed = set()  # a resumption of a resumption starts with its chain's every earlier file
    for p in mains:
        for q in mains:
            n = len(lines[q])
            if q != p and n <= len(lines[p]) and billed(lines[p][:n]) == billed(lines[q]) and billed(lines[q]):
                assert {r["sessionId"] for r in lines[p] if "sessionId" in r} == {p.stem}
                uuids = {r["uuid"] for r in lines[q] if "uuid" in r}
                assert uuids.isdisjoint(r["uuid"] for r in lines[p][:n] if "uuid" in r)
                resumed.add(p)
    assert len(resumed) == summary["resumed_sessions"]


def test_scale_multiplies_the_responses(tmp_path):
    assert generate(tmp_path / "x2", scale=2)["responses"] == 4_000
    with pytest.raises(ValueError):
        generate(tmp_path / "bad", scale=0)


def test_ingesting_the_tree_gives_one_row_per_distinct_response(tree, settings):
    out, summary = tree
    result = ingest(settings, [str(out / "projects")]).as_dict()
    assert result["file_errors"] == []
    assert result["records_read"] == summary["lines"]
    assert result["rows_loaded"] == summary["rows"]
    # copies in resumed sessions are duplicates; sidechain replays lose to the main thread and are duplicates too
    assert result["duplicates"] == summary["copied_rows"] + summary["replays"]
    assert result["rows_rejected"] == 0
    assert result["ignored"] == summary["ignored_lines"]
    for path, e in Lake(settings.home).read_manifest()["sources"].items():
        assert e["format"] == "claude_code"
        assert e["records_read"] == (e["rows_loaded"] + e["rows_replaced"] + e["duplicates"] + e["rows_rejected"]
                                     + sum(e["ignored"].values())), path
    con = open_views(settings)
    try:
        got = con.execute("""
            select count(*) filter (where billable), count(distinct response_id) filter (where billable),
                   count(*) filter (where not billable), sum(input_tokens), sum(cache_write_5m_tokens),
                   sum(cache_write_1h_tokens), sum(cache_read_tokens), sum(output_tokens),
                   count(*) filter (where app_raw <> 'claude-code' or session_id is null or project is null)
            from usage""").fetchall()
        reasons = con.execute("select distinct reason from rejects").fetchall()
        unpriced = con.execute("select count(*) from priced_usage where cost_usd is null").fetchall()
    finally:
        con.close()
    tokens = summary["tokens"]
    assert got == [(summary["responses"], summary["responses"], summary["errors"], tokens["input"],
                    tokens["cache_write_5m"], tokens["cache_write_1h"], tokens["cache_read"], tokens["output"], 0)]
    assert reasons == []
    assert unpriced == [(0,)]
    again = ingest(settings, [str(out / "projects")]).as_dict()
    assert (again["files"], again["rows_loaded"]) == (0, 0)
