import hashlib
import json
from collections import Counter
from datetime import datetime, timezone

import pytest

from pipeline.views import open_views
from pipeline.ingest import ingest
from pipeline.samples.openai import APPS, generate

SPECS = {spec.name: spec for spec in APPS}
REASONING = {"gpt-5-2025-08-07", "gpt-5-mini-2025-08-07"}


def read_rows(root):
    """Every row of the OpenAI sample logs, with its app folder and file name."""
    rows = []
    for path in sorted((root / "openai").glob("*/*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            row["_app"], row["_file"] = path.parent.name, path.name
            rows.append(row)
    return rows


def digest(root):
    h = hashlib.sha256()
    for path in sorted((root / "openai").rglob("*")):
        if path.is_file():
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("openai-samples")
    return root, generate(root), read_rows(root)


def test_the_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path, sample):
    root, summary, _ = sample
    again = generate(tmp_path / "again")
    assert digest(tmp_path / "again") == digest(root) and again == summary
    generate(tmp_path / "other", seed=7)
    assert digest(tmp_path / "other") != digest(root)


def test_counts_per_app_and_in_total(sample):
    _, summary, rows = sample
    assert summary["requests"] == 3000 and summary["rows"] == len(rows)
    for name, spec in SPECS.items():
        mine = [r for r in rows if r["_app"] == name]
        ok = [r for r in mine if r["http_status"] == 200]
        failed = [r for r in mine if r["http_status"] == 429]
        assert len(ok) == spec.requests == summary["apps"][name]["requests"]
        assert len(failed) == summary["apps"][name]["rate_limited"] > 0
        assert len(ok) + len(failed) == len(mine) == summary["apps"][name]["rows"]
        assert {r["response"]["model"] for r in ok} == {spec.model}
        tiers = Counter(r["response"]["service_tier"] for r in ok)
        assert tiers == summary["apps"][name]["tiers"]
        assert tiers == {tier: round(share * spec.requests) for tier, share in spec.tiers}


def test_scale_multiplies_the_requests(tmp_path):
    summary = generate(tmp_path, scale=2)
    assert summary["requests"] == 6000
    assert {name: app["requests"] for name, app in summary["apps"].items()} == {
        name: 2 * spec.requests for name, spec in SPECS.items()}
    with pytest.raises(ValueError):
        generate(tmp_path, scale=0)


def test_rows_are_in_february_in_time_order_one_file_per_day(sample):
    root, summary, rows = sample
    assert len(summary["files"]) == len(list((root / "openai").glob("*/*.jsonl")))
    previous = {}
    for row in rows:
        ts = datetime.strptime(row["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        assert datetime(2026, 2, 1, tzinfo=timezone.utc) <= ts < datetime(2026, 3, 1, tzinfo=timezone.utc)
        assert row["_file"] == ts.date().isoformat() + ".jsonl"
        key = (row["_app"], row["_file"])
        assert previous.get(key, "") <= row["ts"]
        previous[key] = row["ts"]
    assert {r["_app"] for r in rows if r["ts"][11:13] not in ("01", "02", "03", "04")} >= {"support-chat"}
    assert all(r["ts"][11:13] in ("01", "02", "03", "04") for r in rows if r["_app"] == "nightly-digest")


def test_bodies_follow_openai_token_conventions(sample):
    _, summary, rows = sample
    totals = {name: Counter() for name in SPECS}
    for row in rows:
        if row["http_status"] == 429:
            assert row["error"]["error"]["code"] == "rate_limit_exceeded" and row["model_requested"]
            continue
        body = row["response"]
        usage = body["usage"]
        if body["object"] == "chat.completion":
            prompt, output = usage["prompt_tokens"], usage["completion_tokens"]
            cached = usage["prompt_tokens_details"]["cached_tokens"]
            reasoning = usage["completion_tokens_details"]["reasoning_tokens"]
            assert body["created"] == int(datetime.strptime(row["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                tzinfo=timezone.utc).timestamp())
        else:
            assert body["object"] == "response" and SPECS[row["_app"]].api == "responses"
            prompt, output = usage["input_tokens"], usage["output_tokens"]
            cached = usage["input_tokens_details"]["cached_tokens"]
            reasoning = usage["output_tokens_details"]["reasoning_tokens"]
            assert body["completed_at"] >= body["created_at"]
        assert usage["total_tokens"] == prompt + output
        assert 0 <= cached <= prompt and cached % 128 == 0 and (cached == 0 or cached >= 1024)
        assert 0 <= reasoning < output and (reasoning > 0) == (body["model"] in REASONING)
        totals[row["_app"]].update(input_tokens=prompt - cached, cached_tokens=cached, output_tokens=output,
                                   reasoning_tokens=reasoning)
    for name, counter in totals.items():
        assert counter["cached_tokens"] > 0
        for key, value in counter.items():
            assert summary["apps"][name][key] == value


def test_ingesting_the_samples_loads_every_row(tmp_path, sample, settings):
    root, summary, _ = sample
    result = ingest(settings, [str(root)]).as_dict()
    assert result["file_errors"] == [] and result["rows_rejected"] == 0 and result["ignored"] == 0
    assert result["rows_loaded"] == result["records_read"] == summary["rows"]
    con = open_views(settings)
    try:
        got = con.execute("""
            select app_raw, count(*) filter (where billable), count(*) filter (where not billable),
                   sum(input_tokens), sum(cache_read_tokens), sum(output_tokens), sum(reasoning_tokens)
            from usage group by 1 order by 1""").fetchall()
        tiers = con.execute("select distinct service_tier from usage where billable order by 1").fetchall()
        errors = con.execute("select distinct provider, http_status, error_type from usage where not billable").fetchall()
    finally:
        con.close()
    assert got == sorted(
        (name, app["requests"], app["rate_limited"], app["input_tokens"], app["cached_tokens"],
         app["output_tokens"], app["reasoning_tokens"]) for name, app in summary["apps"].items())
    assert tiers == [("default",), ("flex",), ("priority",)]
    assert errors == [("openai", 429, "rate_limit_exceeded")]
