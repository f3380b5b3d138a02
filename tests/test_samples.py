import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import ROOT
from pipeline import samples
from pipeline.samples.article import generate

APPS = {"content-assistant": 342, "code-review-bot": 1247, "email-classifier": 2891}
START = datetime(2026, 2, 5, tzinfo=timezone.utc)
END = datetime(2026, 3, 7, tzinfo=timezone.utc)
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
HAIKU = "claude-haiku-4-5-20251001"
SONNET_45 = "claude-sonnet-4-5-20250929"
SONNET_46 = "claude-sonnet-4-6"
OPUS = "claude-opus-4-6"
# $/MTok (input, output); Opus 4.6 above 200K total input: $10 / $37.50
PRICES = {HAIKU: (1, 5), SONNET_45: (3, 15), SONNET_46: (3, 15), OPUS: (5, 25)}
SUCCESS_KEYS = ["ts", "app", "request_id", "http_status", "latency_ms", "api_key_name", "response"]
ERROR_KEYS = ["ts", "app", "request_id", "http_status", "latency_ms", "api_key_name", "model_requested", "error"]
USAGE_KEYS = ["input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "cache_creation",
              "output_tokens", "service_tier"]


def parse_ts(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def read_app(root, app):
    rows = []
    for path in sorted((root / "apps" / app).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            row = json.loads(line)
            row["_file"], row["_line"] = path.name, line
            rows.append(row)
    return rows


def successes(rows):
    return [r for r in rows if r["http_status"] == 200]


def total_input(usage):
    return usage["input_tokens"] + usage["cache_creation_input_tokens"] + usage["cache_read_input_tokens"]


def cost(model, usage):
    rate_in, rate_out = PRICES[model]
    if model == OPUS and total_input(usage) > 200_000:
        rate_in, rate_out = 10, 37.5
    return (rate_in * (usage["input_tokens"] + 0.1 * usage["cache_read_input_tokens"]
                       + 1.25 * usage["cache_creation"]["ephemeral_5m_input_tokens"]
                       + 2 * usage["cache_creation"]["ephemeral_1h_input_tokens"])
            + rate_out * usage["output_tokens"]) / 1e6


def read_batch(root):
    lines = (root / "batch" / "email-backfill-results.jsonl").read_text(encoding="utf-8").splitlines()
    meta = json.loads((root / "batch" / "email-backfill-results.jsonl.batch.json").read_text(encoding="utf-8"))
    return [json.loads(line) for line in lines], meta


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("samples")
    summary = generate(root, 1, 2026)
    return root, summary, {app: read_app(root, app) for app in APPS}


def test_exact_success_counts(sample):
    root, summary, logs = sample
    for app, expected in APPS.items():
        assert len(successes(logs[app])) == expected
        assert summary["apps"][app]["requests"] == expected
    assert sum(len(successes(rows)) for rows in logs.values()) == 4480


def test_rows_are_compact_ordered_utc_and_in_period(sample):
    root, _, logs = sample
    for app, rows in logs.items():
        previous = None
        for row in rows:
            assert json.dumps({k: v for k, v in row.items() if not k.startswith("_")},
                              separators=(",", ":"), ensure_ascii=False) + "\n" == row["_line"]
            assert row["app"] == app and row["api_key_name"] == "prod-main"
            assert TS.match(row["ts"]), row["ts"]
            ts = parse_ts(row["ts"])
            assert START <= ts < END
            assert row["_file"] == ts.date().isoformat() + ".jsonl"
            assert previous is None or previous <= ts
            previous = ts
            assert isinstance(row["latency_ms"], int) and row["latency_ms"] > 0
            if row["http_status"] == 200:
                assert list(row)[:-2] == SUCCESS_KEYS
                response = row["response"]
                assert response["id"].startswith("msg_01") and response["type"] == "message"
                assert response["content"][0]["type"] == "text" and len(response["content"][0]["text"]) < 80
                assert list(response["usage"]) == USAGE_KEYS
                assert response["usage"]["service_tier"] == "standard"
            else:
                assert row["http_status"] == 429 and list(row)[:-2] == ERROR_KEYS
                assert row["error"]["error"]["type"] == "rate_limit_error"
                assert row["error"]["request_id"] == row["request_id"]
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    assert size < 5_000_000


def test_ids_are_unique(sample):
    root, _, logs = sample
    rows = [r for rows in logs.values() for r in rows]
    request_ids = [r["request_id"] for r in rows]
    assert len(set(request_ids)) == len(request_ids)
    assert all(re.fullmatch(r"req_011C[1-9A-HJ-NP-Za-km-z]{20}", rid) for rid in request_ids)
    batch, _ = read_batch(root)
    message_ids = [r["response"]["id"] for r in rows if "response" in r]
    message_ids += [b["result"]["message"]["id"] for b in batch if b["result"]["type"] == "succeeded"]
    assert len(set(message_ids)) == len(message_ids)


def test_429s_are_extra_and_each_is_retried_with_backoff_until_success(sample):
    _, summary, logs = sample
    total_429 = retried_more_than_once = 0
    for app, rows in logs.items():
        by_ts = defaultdict(list)
        for row in rows:
            by_ts[parse_ts(row["ts"])].append(row)
        failures = [r for r in rows if r["http_status"] == 429]
        assert summary["apps"][app]["rate_limited"] == len(failures)
        total_429 += len(failures)
        retries = {}  # id of a failed attempt -> its retry, due latency + 1 s, 2 s, 4 s … later
        for failure in failures:
            for attempt in range(3):
                due = parse_ts(failure["ts"]) + timedelta(milliseconds=failure["latency_ms"] + 1000 * 2**attempt)
                match = [r for r in by_ts[due]
                         if (r.get("model_requested") or r["response"]["model"]) == failure["model_requested"]]
                if match:
                    retries[id(failure)] = (attempt, match[0])
                    break
            assert id(failure) in retries, failure["_line"]
        targets = {id(retry) for _, retry in retries.values()}
        heads = [f for f in failures if id(f) not in targets]
        followed = 0
        for head in heads:
            row, attempt = head, 0
            while row["http_status"] == 429:
                step, row = retries[id(row)]
                assert step == attempt
                attempt += 1
                followed += 1
            assert row["http_status"] == 200
            retried_more_than_once += attempt > 1
        assert followed == len(failures)
    assert retried_more_than_once >= 3
    assert 0.01 < total_429 / 4480 < 0.05


def test_sonnet_switches_to_4_6_on_feb_17(sample):
    _, _, logs = sample
    switch = date(2026, 2, 17)
    seen = Counter()
    for rows in logs.values():
        for row in rows:
            model = row["response"]["model"] if "response" in row else row["model_requested"]
            day = parse_ts(row["ts"]).date()
            if model.startswith("claude-sonnet"):
                assert model == (SONNET_45 if day < switch else SONNET_46)
                seen[model] += 1
            else:
                assert model in (HAIKU, OPUS)
    assert seen[SONNET_45] and seen[SONNET_46]


def test_model_shares(sample):
    _, _, logs = sample
    content = Counter(r["response"]["model"] for r in successes(logs["content-assistant"]))
    assert set(content) == {SONNET_45, SONNET_46, OPUS}
    assert abs(content[OPUS] / 342 - 0.10) < 0.015
    review = Counter(r["response"]["model"] for r in successes(logs["code-review-bot"]))
    assert set(review) == {HAIKU, SONNET_45, SONNET_46}
    assert abs(review[HAIKU] / 1247 - 0.85) < 0.015
    assert {r["response"]["model"] for r in successes(logs["email-classifier"])} == {HAIKU}


def near(value, target, tolerance=0.03):
    return abs(value - target) <= tolerance * target


def test_token_totals(sample):
    _, summary, logs = sample
    content = [r["response"]["usage"] for r in successes(logs["content-assistant"])]
    ordinary = [u for u in content if total_input(u) < 100_000]
    long_piece = [u for u in content if total_input(u) >= 100_000]
    assert len(ordinary) == 338
    assert near(sum(u["input_tokens"] for u in ordinary), 1_400_000)
    assert near(sum(u["output_tokens"] for u in ordinary), 510_000)
    assert near(sum(u["input_tokens"] for u in long_piece), 800_000, 0.05)
    review = [r["response"]["usage"] for r in successes(logs["code-review-bot"])]
    assert near(sum(u["input_tokens"] for u in review), 9_900_000)
    assert near(sum(u["output_tokens"] for u in review), 1_000_000)
    email = [r["response"]["usage"] for r in successes(logs["email-classifier"])]
    assert near(sum(u["input_tokens"] for u in email), 2_000 * 2891)
    assert near(sum(u["output_tokens"] for u in email), 1_700_000)
    for app, rows in logs.items():
        usages = [r["response"]["usage"] for r in successes(rows)]
        assert all(isinstance(v, int) and v >= 0 for u in usages for k, v in u.items() if k.endswith("tokens"))
        assert len({u["input_tokens"] for u in usages}) > len(usages) / 3  # they vary
        assert summary["apps"][app]["input_tokens"] == sum(u["input_tokens"] for u in usages)
        assert summary["apps"][app]["output_tokens"] == sum(u["output_tokens"] for u in usages)


def test_classifier_writes_the_1h_cache_once_per_active_hour(sample):
    _, _, logs = sample
    seen_hours = set()
    for row in successes(logs["email-classifier"]):
        usage = row["response"]["usage"]
        hour = row["ts"][:13]
        assert usage["cache_creation"]["ephemeral_5m_input_tokens"] == 0
        assert usage["cache_creation"]["ephemeral_1h_input_tokens"] == usage["cache_creation_input_tokens"]
        if hour not in seen_hours:
            seen_hours.add(hour)
            assert 4_000 <= usage["cache_creation_input_tokens"] <= 4_400
            assert usage["cache_read_input_tokens"] == 0
        else:
            assert usage["cache_creation_input_tokens"] == 0
            assert 4_000 <= usage["cache_read_input_tokens"] <= 4_400
    assert 300 < len(seen_hours) <= 720
    for app in ("content-assistant", "code-review-bot"):
        for row in successes(logs[app]):
            usage = row["response"]["usage"]
            assert usage["cache_creation_input_tokens"] == usage["cache_read_input_tokens"] == 0


def daily_costs(logs):
    days = defaultdict(float)
    for rows in logs.values():
        for row in successes(rows):
            days[row["ts"][:10]] += cost(row["response"]["model"], row["response"]["usage"])
    return days


def test_dearest_day_carries_the_long_opus_piece(sample):
    _, _, logs = sample
    costs = daily_costs(logs)
    assert len(costs) == 30
    ranked = sorted(costs, key=costs.get, reverse=True)
    assert ranked[0] == "2026-02-25"
    assert costs[ranked[0]] > 2 * costs[ranked[1]]
    long_rows = [r for r in successes(logs["content-assistant"]) if total_input(r["response"]["usage"]) >= 100_000]
    assert {r["ts"][:10] for r in long_rows} == {"2026-02-25"}
    assert {r["response"]["model"] for r in long_rows} == {OPUS}
    inputs = sorted(total_input(r["response"]["usage"]) for r in long_rows)
    assert all(150_000 <= i <= 260_000 for i in inputs)
    assert sum(i > 200_000 for i in inputs) == 3
    assert 3 <= len(inputs) <= 6


def test_sundays_are_quieter_and_cheapest(sample):
    _, _, logs = sample
    for app, rows in logs.items():
        per_day = Counter(parse_ts(r["ts"]).date() for r in successes(rows))
        sundays = [n for d, n in per_day.items() if d.weekday() == 6]
        weekdays = [n for d, n in per_day.items() if d.weekday() < 5]
        ratio = (sum(sundays) / 4) / (sum(weekdays) / len(weekdays))
        assert ratio < (0.15 if app == "code-review-bot" else 0.5), app
    costs = daily_costs(logs)
    assert date.fromisoformat(min(costs, key=costs.get)).weekday() == 6


def test_working_hours_are_busier(sample):
    _, _, logs = sample
    for rows in logs.values():
        hours = Counter(parse_ts(r["ts"]).hour for r in successes(rows))
        assert sum(hours[h] for h in range(8, 18)) > 2 * sum(hours[h] for h in (*range(0, 6), 22, 23))


def test_batch_results_and_sidecar(sample):
    root, summary, _ = sample
    batch, meta = read_batch(root)
    ok = [b for b in batch if b["result"]["type"] == "succeeded"]
    errored = [b for b in batch if b["result"]["type"] == "errored"]
    assert len(ok) == 500 and len(errored) == 2 and len(batch) == 502
    assert [b["custom_id"] for b in batch] == [f"email-{i:06d}" for i in range(1, 503)]
    for item in ok:
        message = item["result"]["message"]
        assert message["model"] == HAIKU and message["usage"]["service_tier"] == "batch"
        assert message["usage"]["cache_read_input_tokens"] == message["usage"]["cache_creation_input_tokens"] == 0
    for item in errored:
        assert item["result"]["error"]["type"] == "error"
        assert item["result"]["error"]["request_id"].startswith("req_011C")
    usages = [b["result"]["message"]["usage"] for b in ok]
    assert near(sum(u["input_tokens"] for u in usages), 10_000_000)
    assert near(sum(u["output_tokens"] for u in usages), 300_000)
    assert near(sum(cost(HAIKU, u) for u in usages), 11.50)
    assert meta["id"].startswith("msgbatch_01") and meta["type"] == "message_batch"
    assert meta["processing_status"] == "ended" and meta["results_url"] is None
    assert meta["request_counts"] == {"processing": 0, "succeeded": 500, "errored": 2, "canceled": 0, "expired": 0}
    assert meta["created_at"].startswith("2026-02-23T") and meta["ended_at"].startswith("2026-02-24T")
    created = datetime.fromisoformat(meta["created_at"].replace("Z", "+00:00"))
    ended = datetime.fromisoformat(meta["ended_at"].replace("Z", "+00:00"))
    expires = datetime.fromisoformat(meta["expires_at"].replace("Z", "+00:00"))
    assert created < ended < expires == created + timedelta(hours=24)
    assert summary["batch"]["succeeded"] == 500 and summary["batch"]["errored"] == 2


def test_summary_lists_the_files(sample):
    root, summary, _ = sample
    written = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert sorted(summary["files"]) == written
    assert summary["rows"] == sum(len(p.read_text().splitlines()) for p in root.rglob("*.jsonl"))


def tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    first = generate(tmp_path / "a", 1, 7)
    second = generate(tmp_path / "b", 1, 7)
    generate(tmp_path / "c", 1, 8)
    assert first == second
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    other = tree(tmp_path / "c")
    same_names = tree(tmp_path / "a").keys() & other.keys() - {"spendlog.toml"}
    assert all(tree(tmp_path / "a")[name] != other[name] for name in same_names)


def test_rerun_replaces_earlier_output(tmp_path):
    generate(tmp_path / "x", 1, 8)
    stale = tmp_path / "x" / "apps" / "code-review-bot" / "2026-01-01.jsonl"
    stale.write_text("{}\n")
    generate(tmp_path / "x", 1, 7)
    generate(tmp_path / "fresh", 1, 7)
    assert tree(tmp_path / "x") == tree(tmp_path / "fresh")


def test_scale_two_doubles_the_counts(tmp_path):
    summary = generate(tmp_path, 2, 2026)
    for app, expected in APPS.items():
        assert len(successes(read_app(tmp_path, app))) == 2 * expected
        assert summary["apps"][app]["requests"] == 2 * expected
    batch, meta = read_batch(tmp_path)
    assert Counter(b["result"]["type"] for b in batch) == {"succeeded": 1000, "errored": 4}
    assert meta["request_counts"]["succeeded"] == 1000
    content = successes(read_app(tmp_path, "content-assistant"))
    assert sum(total_input(r["response"]["usage"]) > 200_000 for r in content) == 6
    ordinary = [r["response"]["usage"] for r in content if total_input(r["response"]["usage"]) < 100_000]
    assert near(sum(u["output_tokens"] for u in ordinary), 2 * 510_000)


@pytest.mark.parametrize("seed", [1, 99])
def test_shape_holds_for_other_seeds(tmp_path, seed):
    generate(tmp_path, 1, seed)
    logs = {app: read_app(tmp_path, app) for app in APPS}
    costs = daily_costs(logs)
    assert max(costs, key=costs.get) == "2026-02-25"
    assert date.fromisoformat(min(costs, key=costs.get)).weekday() == 6
    assert [len(successes(rows)) for rows in logs.values()] == list(APPS.values())


def test_the_bundled_sample_logs_are_the_generators_output(tmp_path):
    generate(tmp_path / "made")
    assert tree(tmp_path / "made") == tree(ROOT / "sample_logs")


def test_bad_arguments():
    with pytest.raises(ValueError, match="kind"):
        samples.generate("claude_code", Path("unused"))
    with pytest.raises(ValueError, match="scale"):
        generate(Path("unused"), scale=0)
