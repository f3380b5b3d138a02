"""Deterministic, streaming generator of the sample logs (the source article's 30-day workload).

``generate(out_dir, scale, seed)`` writes

- ``apps/<app>/<YYYY-MM-DD>.jsonl``: the spendlog app log, one Anthropic Messages response (or a 429 error) per
  line in an envelope, one file per app per UTC day with rows;
- ``batch/email-backfill-results.jsonl`` and its side-car ``….batch.json``: a Message Batches results file;
- ``spendlog.toml``: the config that reads them (the demo's).

Every random choice comes from ``random.Random(seed)``; rows are written as they are made, in time order, so memory
stays flat at any scale. See ``shared/reference/article-workload.md`` for the workload it reproduces.
"""

from __future__ import annotations

import json
import math
import os
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from ._writer import DAY_MS, HOUR_MS, DayWriter, apportion, check_scale_and_seed

PERIOD_START = datetime(2026, 2, 5, tzinfo=timezone.utc)
PERIOD_DAYS = 30
PERIOD_END = PERIOD_START + timedelta(days=PERIOD_DAYS)
SONNET_46_FROM = date(2026, 2, 17)
DEAREST_DAY = date(2026, 2, 25)
API_KEY_NAME = "prod-main"

HAIKU = "claude-haiku-4-5-20251001"
SONNET_45 = "claude-sonnet-4-5-20250929"
SONNET_46 = "claude-sonnet-4-6"
OPUS = "claude-opus-4-6"

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

MAX_RETRIES = 3
MAX_429_LATENCY_MS = 600
# A failed attempt precedes its successful retry by at most this much; rows older than it can be written out.
MAX_CHAIN_MS = sum(1000 * 2**j + MAX_429_LATENCY_MS for j in range(MAX_RETRIES))

CLASSIFIER_PREFIX_TOKENS = 4_216  # system prompt + few-shot examples, cached with the 1-hour TTL

LONG_PIECE_HOURS = (13, 14, 15, 16)  # UTC hours of the long analytical piece on the dearest day
# Uncached input of the piece's requests, in order: the sources, then three drafts over 200K.
LONG_PIECE_INPUT = ((150_000, 172_000), (201_000, 210_000), (208_000, 220_000), (218_000, 235_000))
LONG_PIECE_OUTPUT = (3_500, 6_500)
LONG_PIECE_RETRY_RATE = 0.5  # 200K-token requests run into the input-tokens-per-minute limit

DAY_STRINGS = [(PERIOD_START + timedelta(days=d)).date().isoformat() for d in range(PERIOD_DAYS)]
WEEKDAYS = [(PERIOD_START + timedelta(days=d)).weekday() for d in range(PERIOD_DAYS)]

CONFIG = '''# The demo's configuration: `spendlog demo` generates and reads it (paths are relative to this file).
timezone = "UTC"

# The Message Batches results file names no app: attribute it to the email classifier.
[[sources]]
path = "batch/*.jsonl"
app = "email-classifier"

# The three apps' own logs name their app in every record.
[[sources]]
path = "apps/**/*.jsonl"

[budgets]
total = 60
"email-classifier" = 20
'''

BATCH_FILE = "email-backfill-results.jsonl"
BATCH_ITEMS = 500
BATCH_ERRORED = 2
BATCH_INPUT_MEAN = 20_000
BATCH_OUTPUT_MEAN = 600


@dataclass(frozen=True)
class AppSpec:
    name: str
    requests: int  # successful non-batch requests at scale 1
    second_model: str  # "sonnet", "opus" or "" (the first model takes the rest)
    second_share: float
    first_model: str
    input_total: int  # uncached input of the ordinary requests at scale 1
    output_total: int
    input_sigma: float
    input_clip: tuple[int, int]
    output_sigma: float
    output_clip: tuple[int, int]
    weekday_weights: tuple[float, ...]  # Monday .. Sunday
    hour_weights: tuple[float, ...]  # 24 UTC hours
    retry_rate: float  # share of ordinary successes preceded by one or more 429s
    texts: tuple[str, ...]
    cached_prefix: int = 0
    long_piece: bool = False


APPS = (
    AppSpec(
        name="content-assistant",
        requests=342,
        first_model="sonnet",
        second_model="opus",
        second_share=0.10,
        input_total=1_400_000,
        output_total=510_000,
        input_sigma=0.35,
        input_clip=(800, 14_000),
        output_sigma=0.35,
        output_clip=(250, 4_096),
        weekday_weights=(1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.28),
        hour_weights=(0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.5, 2.2, 2.5, 2.3,
                      1.8, 2.0, 2.4, 2.3, 2.0, 1.5, 1.0, 0.9, 1.0, 0.8, 0.5, 0.3),
        retry_rate=0.015,
        texts=("Draft ready: intro and three sections.", "Outline:\n1. Setup\n2. Costs\n3. Lessons",
               "Revised the conclusion.", "Suggested headline: \"What 30 days cost\"", "Edited for length."),
        long_piece=True,
    ),
    AppSpec(
        name="code-review-bot",
        requests=1_247,
        first_model="haiku",
        second_model="sonnet",
        second_share=0.15,
        input_total=9_900_000,
        output_total=1_000_000,
        input_sigma=0.5,
        input_clip=(1_500, 40_000),
        output_sigma=0.5,
        output_clip=(100, 4_000),
        weekday_weights=(1.0, 1.0, 1.0, 1.0, 0.95, 0.2, 0.07),
        hour_weights=(0.1, 0.05, 0.05, 0.05, 0.1, 0.2, 0.5, 1.2, 2.2, 2.6, 2.6, 2.3,
                      1.8, 2.2, 2.6, 2.6, 2.4, 2.0, 1.4, 0.9, 0.6, 0.4, 0.3, 0.2),
        retry_rate=0.015,
        texts=("LGTM.", "2 nits: naming, a missing test.", "Escalate: touches auth.",
               "Possible off-by-one in the loop bound.", "No blocking issues."),
    ),
    AppSpec(
        name="email-classifier",
        requests=2_891,
        first_model="haiku",
        second_model="",
        second_share=0.0,
        input_total=2_000 * 2_891,
        output_total=1_700_000,
        input_sigma=0.45,
        input_clip=(300, 12_000),
        output_sigma=0.35,
        output_clip=(80, 2_000),
        weekday_weights=(1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.3),
        hour_weights=(0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 0.9, 1.5, 2.2, 2.5, 2.4, 2.2,
                      1.9, 2.1, 2.3, 2.2, 1.9, 1.5, 1.1, 0.9, 0.7, 0.6, 0.5, 0.4),
        retry_rate=0.015,
        texts=("Category: billing", "Category: support\nReply drafted.", "Category: sales",
               "Category: spam", "Category: support\nEscalated to a human."),
        cached_prefix=CLASSIFIER_PREFIX_TOKENS,
    ),
)

# (time to first token ms, ms per output token, ms per input token)
LATENCY = {HAIKU: (350, 6.5, 0.004), SONNET_45: (600, 14.0, 0.008), SONNET_46: (600, 14.0, 0.008),
           OPUS: (900, 22.0, 0.012)}
RATE_LIMIT_MESSAGES = {
    HAIKU: "This request would exceed the rate limit for your organization of 50 requests per minute.",
    SONNET_45: "This request would exceed the rate limit for your organization of 30,000 input tokens per minute.",
    SONNET_46: "This request would exceed the rate limit for your organization of 30,000 input tokens per minute.",
    OPUS: "This request would exceed the rate limit for your organization of 450,000 input tokens per minute.",
}


def generate(out_dir: Path, scale: int = 1, seed: int = 2026) -> dict:
    """Write the sample logs and their config under ``out_dir`` and return a summary (counts, tokens, files)."""
    check_scale_and_seed(scale, seed)
    out_dir = Path(out_dir)
    master = random.Random(seed)
    app_seeds = [master.getrandbits(64) for _ in APPS]
    batch_seed = master.getrandbits(64)

    summary: dict = {
        "kind": "article",
        "scale": scale,
        "seed": seed,
        "period": {"from": _iso(PERIOD_START), "to": _iso(PERIOD_END)},
        "apps": {},
        "batch": {},
        "files": [],
        "rows": 0,
    }
    for spec, app_seed in zip(APPS, app_seeds):
        app_summary, files = _write_app(out_dir, spec, scale, random.Random(app_seed))
        summary["apps"][spec.name] = app_summary
        summary["files"].extend(files)
        summary["rows"] += app_summary["rows"]
    batch_summary, files = _write_batch(out_dir, scale, random.Random(batch_seed))
    summary["batch"] = batch_summary
    summary["files"].extend(files)
    summary["rows"] += batch_summary["succeeded"] + batch_summary["errored"]
    (out_dir / "spendlog.toml").write_text(CONFIG, encoding="utf-8")
    summary["files"].append("spendlog.toml")
    return summary


# --- the app logs ---------------------------------------------------------------------------------------------


def _write_app(out_dir: Path, spec: AppSpec, scale: int, rng: random.Random) -> tuple[dict, list[str]]:
    app_dir = out_dir / "apps" / spec.name
    app_dir.mkdir(parents=True, exist_ok=True)
    writer = DayWriter(out_dir, app_dir, DAY_STRINGS, MAX_CHAIN_MS)
    stats = _AppStats()

    n_long = len(LONG_PIECE_HOURS) * scale if spec.long_piece else 0
    n_ordinary = spec.requests * scale - n_long
    second_left = round(spec.second_share * spec.requests * scale) - n_long
    ordinary_left = n_ordinary
    retries_left = round(spec.retry_rate * n_ordinary)
    input_left = spec.input_total * scale
    output_left = spec.output_total * scale
    long_index = 0
    cache_hour = -1

    for t, is_long in _success_times(spec, n_ordinary, n_long, scale, rng):
        day = t // DAY_MS
        sonnet = SONNET_46 if PERIOD_START.date() + timedelta(days=day) >= SONNET_46_FROM else SONNET_45
        names = {"haiku": HAIKU, "sonnet": sonnet, "opus": OPUS}
        if is_long:
            model = OPUS
            lo, hi = LONG_PIECE_INPUT[long_index % len(LONG_PIECE_INPUT)]
            long_index += 1
            inp = rng.randint(lo, hi)
            out = rng.randint(*LONG_PIECE_OUTPUT)
        else:
            if spec.second_model and rng.random() * ordinary_left < second_left:
                model = names[spec.second_model]
                second_left -= 1
            else:
                model = names[spec.first_model]
            inp = _budget_draw(rng, input_left, ordinary_left, spec.input_sigma, spec.input_clip)
            out = _budget_draw(rng, output_left, ordinary_left, spec.output_sigma, spec.output_clip)
            input_left -= inp
            output_left -= out
            ordinary_left -= 1

        cache_write = cache_read = 0
        if spec.cached_prefix:
            if t // HOUR_MS != cache_hour:
                cache_hour = t // HOUR_MS
                cache_write = spec.cached_prefix
            else:
                cache_read = spec.cached_prefix

        base, per_out, per_in = LATENCY[model]
        latency = int((base + out * per_out + (inp + cache_write + cache_read) * per_in)
                      * math.exp(0.2 * rng.gauss(0.0, 1.0)))
        text = rng.choice(spec.texts)

        # 429s before this success: attempt j+1 starts 2**j s after attempt j ends.
        if is_long:
            retried = rng.random() < LONG_PIECE_RETRY_RATE
        else:
            retried = rng.random() * (ordinary_left + 1) < retries_left
            retries_left -= retried
        failures = 0
        if retried:
            failures = 1 + (rng.random() < 0.2) + (rng.random() < 0.2)
        chain = []
        start = t
        for j in reversed(range(failures)):
            fail_latency = rng.randint(40, MAX_429_LATENCY_MS)
            start = start - 1000 * 2**j - fail_latency
            chain.append((start, fail_latency))
        if chain and start < day * DAY_MS:
            chain = []  # keep a retry chain inside one UTC day (and the period)

        for fail_t, fail_latency in chain:
            rid = _request_id(rng)
            writer.add(fail_t, _error_line(fail_t, spec.name, rid, fail_latency, model))
            stats.add_error()
        rid = _request_id(rng)
        mid = _message_id(rng)
        writer.add(t, _success_line(t, spec.name, rid, latency, mid, model, text, inp, cache_write, cache_read, out))
        stats.add(model, inp, cache_write, cache_read, out)
        writer.flush(t)
    files = writer.close()
    return stats.summary(len(files)), files


def _success_times(spec: AppSpec, n_ordinary: int, n_long: int, scale: int, rng: random.Random):
    """Yield (ms since the period start, is_long) for every successful request, in time order."""
    day_weights = [spec.weekday_weights[WEEKDAYS[d]] * math.exp(0.12 * rng.gauss(0.0, 1.0))
                   for d in range(PERIOD_DAYS)]
    day_counts = apportion(n_ordinary, day_weights, rng)
    dearest = (DEAREST_DAY - PERIOD_START.date()).days
    for day, count in enumerate(day_counts):
        hour_weights = [w * math.exp(0.3 * rng.gauss(0.0, 1.0)) for w in spec.hour_weights]
        hour_counts = apportion(count, hour_weights, rng)
        long_counts = [0] * 24
        if n_long and day == dearest:
            long_counts = apportion(n_long, [1.0 if h in LONG_PIECE_HOURS else 0.0 for h in range(24)], rng)
        for hour in range(24):
            total = hour_counts[hour] + long_counts[hour]
            long_left = long_counts[hour]
            hour_start = day * DAY_MS + hour * HOUR_MS
            position = 0.0
            for i in range(total):
                left = total - i
                # the minimum of `left` uniforms on [position, 1): sorted times without a list
                position += (1.0 - position) * (1.0 - rng.random() ** (1.0 / left))
                is_long = long_left > 0 and rng.random() * left < long_left
                long_left -= is_long
                yield hour_start + min(int(position * HOUR_MS), HOUR_MS - 1), is_long


def _budget_draw(rng: random.Random, left: int, n_left: int, sigma: float, clip: tuple[int, int]) -> int:
    """A lognormal draw around what is left per remaining request, so totals land on target."""
    mean = max(left, 0) / n_left
    value = mean * math.exp(sigma * rng.gauss(0.0, 1.0) - sigma * sigma / 2)
    return int(round(min(max(value, clip[0]), clip[1])))


class _AppStats:
    def __init__(self) -> None:
        self.models: dict[str, dict[str, int]] = {}
        self.errors = 0

    def add(self, model: str, inp: int, cache_write: int, cache_read: int, out: int) -> None:
        m = self.models.setdefault(model, {"requests": 0, "input_tokens": 0, "cache_creation_input_tokens": 0,
                                           "cache_read_input_tokens": 0, "output_tokens": 0})
        m["requests"] += 1
        m["input_tokens"] += inp
        m["cache_creation_input_tokens"] += cache_write
        m["cache_read_input_tokens"] += cache_read
        m["output_tokens"] += out

    def add_error(self) -> None:
        self.errors += 1

    def summary(self, n_files: int) -> dict:
        totals = {key: sum(m[key] for m in self.models.values())
                  for key in ("requests", "input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
                              "output_tokens")}
        return {**totals, "rate_limited": self.errors, "rows": totals["requests"] + self.errors,
                "days": n_files, "models": {k: self.models[k] for k in sorted(self.models)}}


def _ts(t: int) -> str:
    day, rest = divmod(t, DAY_MS)
    hour, rest = divmod(rest, HOUR_MS)
    minute, rest = divmod(rest, 60_000)
    second, milli = divmod(rest, 1000)
    return f"{DAY_STRINGS[day]}T{hour:02d}:{minute:02d}:{second:02d}.{milli:03d}Z"


def _success_line(t: int, app: str, rid: str, latency: int, mid: str, model: str, text: str, inp: int,
                  cache_write: int, cache_read: int, out: int) -> str:
    return (
        f'{{"ts":"{_ts(t)}","app":"{app}","request_id":"{rid}","http_status":200,"latency_ms":{latency},'
        f'"api_key_name":"{API_KEY_NAME}","response":{{"id":"{mid}","type":"message","role":"assistant",'
        f'"model":"{model}","content":[{{"type":"text","text":{json.dumps(text)}}}],"stop_reason":"end_turn",'
        f'"stop_sequence":null,"usage":{{"input_tokens":{inp},"cache_creation_input_tokens":{cache_write},'
        f'"cache_read_input_tokens":{cache_read},"cache_creation":{{"ephemeral_5m_input_tokens":0,'
        f'"ephemeral_1h_input_tokens":{cache_write}}},"output_tokens":{out},"service_tier":"standard"}}}}}}\n'
    )


def _error_line(t: int, app: str, rid: str, latency: int, model: str) -> str:
    error = {"type": "error", "error": {"type": "rate_limit_error", "message": RATE_LIMIT_MESSAGES[model]},
             "request_id": rid}
    return (
        f'{{"ts":"{_ts(t)}","app":"{app}","request_id":"{rid}","http_status":429,"latency_ms":{latency},'
        f'"api_key_name":"{API_KEY_NAME}","model_requested":"{model}",'
        f'"error":{json.dumps(error, separators=(",", ":"))}}}\n'
    )


def _request_id(rng: random.Random) -> str:
    return "req_011C" + "".join(rng.choices(B58, k=20))


def _message_id(rng: random.Random) -> str:
    return "msg_01" + "".join(rng.choices(B58, k=22))


# --- the batch job --------------------------------------------------------------------------------------------


def _write_batch(out_dir: Path, scale: int, rng: random.Random) -> tuple[dict, list[str]]:
    batch_dir = out_dir / "batch"
    batch_dir.mkdir(parents=True, exist_ok=True)
    results = batch_dir / BATCH_FILE
    sidecar = batch_dir / (BATCH_FILE + ".batch.json")

    batch_id = "msgbatch_01" + "".join(rng.choices(B58, k=22))
    created = datetime(2026, 2, 23, 17, tzinfo=timezone.utc) + timedelta(microseconds=rng.randrange(3 * 3600 * 10**6))
    ended = datetime(2026, 2, 24, 2, tzinfo=timezone.utc) + timedelta(microseconds=rng.randrange(4 * 3600 * 10**6))

    succeeded_left = BATCH_ITEMS * scale
    errored_left = BATCH_ERRORED * scale
    input_left = BATCH_INPUT_MEAN * succeeded_left
    output_left = BATCH_OUTPUT_MEAN * succeeded_left
    texts = APPS[2].texts
    totals = {"input_tokens": 0, "output_tokens": 0}
    errors = 0
    tmp = results.with_suffix(".jsonl.tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as handle:
        for number in range(1, (BATCH_ITEMS + BATCH_ERRORED) * scale + 1):
            custom_id = f"email-{number:06d}"
            if rng.random() * (succeeded_left + errored_left) < errored_left:
                errored_left -= 1
                error = _batch_error(rng, errors)
                errors += 1
                handle.write(json.dumps({"custom_id": custom_id, "result": {"type": "errored", "error": error}},
                                        separators=(",", ":")) + "\n")
                continue
            inp = _budget_draw(rng, input_left, succeeded_left, 0.4, (3_000, 60_000))
            out = _budget_draw(rng, output_left, succeeded_left, 0.3, (80, 2_000))
            input_left -= inp
            output_left -= out
            succeeded_left -= 1
            totals["input_tokens"] += inp
            totals["output_tokens"] += out
            handle.write(
                f'{{"custom_id":"{custom_id}","result":{{"type":"succeeded","message":{{"id":"{_message_id(rng)}",'
                f'"type":"message","role":"assistant","model":"{HAIKU}","content":[{{"type":"text",'
                f'"text":{json.dumps(rng.choice(texts))}}}],"stop_reason":"end_turn","stop_sequence":null,'
                f'"usage":{{"input_tokens":{inp},"cache_creation_input_tokens":0,"cache_read_input_tokens":0,'
                f'"cache_creation":{{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0}},'
                f'"output_tokens":{out},"service_tier":"batch"}}}}}}}}\n'
            )
    os.replace(tmp, results)

    batch = {
        "id": batch_id,
        "type": "message_batch",
        "processing_status": "ended",
        "request_counts": {"processing": 0, "succeeded": BATCH_ITEMS * scale, "errored": errors, "canceled": 0,
                           "expired": 0},
        "ended_at": _iso(ended, micro=True),
        "created_at": _iso(created, micro=True),
        "expires_at": _iso(created + timedelta(hours=24), micro=True),
        "archived_at": None,
        "cancel_initiated_at": None,
        "results_url": None,
    }
    tmp = sidecar.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(batch, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, sidecar)
    summary = {"id": batch_id, "app": "email-classifier", "model": HAIKU, "succeeded": BATCH_ITEMS * scale,
               "errored": errors, **totals, "created_at": batch["created_at"], "ended_at": batch["ended_at"]}
    return summary, [results.relative_to(out_dir).as_posix(), sidecar.relative_to(out_dir).as_posix()]


def _batch_error(rng: random.Random, index: int) -> dict:
    if index % 2 == 0:
        tokens = rng.randint(200_001, 240_000)
        error = {"type": "invalid_request_error", "message": f"prompt is too long: {tokens} tokens > 200000 maximum"}
    else:
        error = {"type": "overloaded_error", "message": "Overloaded"}
    return {"type": "error", "error": error, "request_id": _request_id(rng)}


def _iso(moment: datetime, micro: bool = False) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ")
