"""Deterministic, streaming generator of OpenAI sample logs: four apps on the OpenAI API over February 2026.

``generate(out_dir, scale, seed)`` writes ``openai/<app>/<YYYY-MM-DD>.jsonl``: the spendlog app log (the envelope
of ``sql/normalize/app_log.sql``) around OpenAI Chat Completions and Responses bodies, one file per app per UTC day
with rows. About 3,000 successful requests × scale, plus the 429s that preceded some of them:

- ``support-chat``: gpt-4o-mini chat completions behind a cached 2.4K-token system prompt;
- ``doc-extractor``: gpt-4o chat completions, a fifth of them on the priority tier;
- ``research-agent``: gpt-5 through the Responses API, long cached agent contexts, reasoning, partly priority;
- ``nightly-digest``: gpt-5-mini chat completions on the flex tier at night, reasoning, more 429s.

Every random choice comes from ``random.Random(seed)``; rows are written as they are made, in time order, so memory
stays flat at any scale. Token counts follow the OpenAI conventions: prompt/input counts include cached tokens,
completion/output counts include reasoning tokens.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ._writer import DAY_MS, HOUR_MS, DayWriter, apportion, check_scale_and_seed

PERIOD_START = datetime(2026, 2, 1, tzinfo=timezone.utc)
PERIOD_DAYS = 28
PERIOD_END = PERIOD_START + timedelta(days=PERIOD_DAYS)
DAY_STRINGS = [(PERIOD_START + timedelta(days=d)).date().isoformat() for d in range(PERIOD_DAYS)]
WEEKDAYS = [(PERIOD_START + timedelta(days=d)).weekday() for d in range(PERIOD_DAYS)]
PERIOD_START_S = int(PERIOD_START.timestamp())

CACHE_WARM_MS = 10 * 60_000  # a prompt prefix stays cached this long after its last use
CACHE_MISS_RATE = 0.08  # a warm prefix still misses now and then (another machine)
MAX_RETRIES = 2
MAX_429_LATENCY_MS = 400
MAX_CHAIN_MS = sum(1000 * 2**j + MAX_429_LATENCY_MS for j in range(MAX_RETRIES))

GPT_4O = "gpt-4o-2024-08-06"
GPT_4O_MINI = "gpt-4o-mini-2024-07-18"
GPT_5 = "gpt-5-2025-08-07"
GPT_5_MINI = "gpt-5-mini-2025-08-07"
ALIASES = {GPT_4O: "gpt-4o", GPT_4O_MINI: "gpt-4o-mini", GPT_5: "gpt-5", GPT_5_MINI: "gpt-5-mini"}
REASONING_MODELS = {GPT_5, GPT_5_MINI}
FINGERPRINTS = {GPT_4O: "fp_a7d06e42a7", GPT_4O_MINI: "fp_560af6e559", GPT_5: None, GPT_5_MINI: None}
# (ms before the first token, ms per output token)
LATENCY = {GPT_4O: (450, 9.0), GPT_4O_MINI: (300, 5.0), GPT_5: (1_200, 11.0), GPT_5_MINI: (800, 6.0)}
TPM_LIMITS = {GPT_4O: 800_000, GPT_4O_MINI: 4_000_000, GPT_5: 2_000_000, GPT_5_MINI: 4_000_000}
ORGANIZATION = "org-Hp9mSGev2sVmtMeF2wrnSeOV"
ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
HEX = "0123456789abcdef"

BUSINESS_HOURS = (0.1, 0.05, 0.05, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 2.5, 2.6, 2.4,
                  2.0, 2.3, 2.6, 2.5, 2.2, 1.8, 1.2, 0.8, 0.6, 0.4, 0.3, 0.2)
SUPPORT_HOURS = (0.6, 0.4, 0.3, 0.3, 0.4, 0.6, 0.9, 1.3, 1.8, 2.1, 2.2, 2.2,
                 2.1, 2.2, 2.3, 2.3, 2.2, 2.0, 1.8, 1.6, 1.4, 1.2, 1.0, 0.8)
NIGHT_HOURS = tuple(1.0 if 1 <= h <= 4 else 0.0 for h in range(24))


@dataclass(frozen=True)
class AppSpec:
    name: str
    api: str  # "chat" or "responses"
    model: str
    requests: int  # successful requests at scale 1
    tiers: tuple[tuple[str, float], ...]  # response service_tier and its share
    project: str
    api_key_name: str
    prefix: int  # shared prompt prefix (system prompt, tools) that the cache can serve
    input_median: int  # the rest of the prompt
    input_sigma: float
    input_clip: tuple[int, int]
    output_median: int
    output_sigma: float
    output_clip: tuple[int, int]
    reasoning_share: tuple[float, float]  # share of output that is reasoning (reasoning models)
    context_reuse: float  # share of requests that continue a cached conversation (agent loops)
    weekday_weights: tuple[float, ...]
    hour_weights: tuple[float, ...]
    retry_rate: float  # share of successes preceded by one or two 429s
    texts: tuple[str, ...]


APPS = (
    AppSpec(
        name="support-chat", api="chat", model=GPT_4O_MINI, requests=1_500, tiers=(("default", 1.0),),
        project="proj_Sup7Qm2LxV9cRt4NwK8bHd3F", api_key_name="support-prod", prefix=2_431,
        input_median=550, input_sigma=0.7, input_clip=(40, 6_000),
        output_median=170, output_sigma=0.5, output_clip=(20, 1_200), reasoning_share=(0.0, 0.0),
        context_reuse=0.0, weekday_weights=(1.0, 1.0, 1.0, 1.0, 1.0, 0.7, 0.6), hour_weights=SUPPORT_HOURS,
        retry_rate=0.01,
        texts=("Your refund was issued on the 3rd.", "You can change the plan under Settings > Billing.",
               "I've escalated this to a human agent.", "The export runs nightly at 02:00 UTC."),
    ),
    AppSpec(
        name="doc-extractor", api="chat", model=GPT_4O, requests=600,
        tiers=(("default", 0.8), ("priority", 0.2)),
        project="proj_Doc4Wn8KfP2sYh6TqJ1mZc5R", api_key_name="extractor-prod", prefix=1_536,
        input_median=5_500, input_sigma=0.6, input_clip=(800, 60_000),
        output_median=650, output_sigma=0.45, output_clip=(80, 4_000), reasoning_share=(0.0, 0.0),
        context_reuse=0.0, weekday_weights=(1.0, 1.0, 1.0, 1.0, 0.9, 0.15, 0.1), hour_weights=BUSINESS_HOURS,
        retry_rate=0.02,
        texts=('{"invoice_no": "INV-2291", "total": 1840.00}', '{"vendor": "Acme GmbH", "due": "2026-03-01"}',
               '{"fields_missing": ["iban"]}'),
    ),
    AppSpec(
        name="research-agent", api="responses", model=GPT_5, requests=300,
        tiers=(("default", 0.6), ("priority", 0.4)),
        project="proj_Res2Hx6VbN9kLp3GtD7wQa1M", api_key_name="research", prefix=1_800,
        input_median=24_000, input_sigma=0.7, input_clip=(2_500, 160_000),
        output_median=2_600, output_sigma=0.5, output_clip=(300, 16_000), reasoning_share=(0.5, 0.85),
        context_reuse=0.75, weekday_weights=(1.0, 1.0, 1.0, 1.0, 1.0, 0.3, 0.2), hour_weights=BUSINESS_HOURS,
        retry_rate=0.03,
        texts=("Summary of findings with three sources.", "Plan: search, compare, draft.",
               "Comparison table drafted."),
    ),
    AppSpec(
        name="nightly-digest", api="chat", model=GPT_5_MINI, requests=600, tiers=(("flex", 1.0),),
        project="proj_Ngt5Jc1RtW8mXe4PsB2vKf9D", api_key_name="batch-nightly", prefix=1_152,
        input_median=8_500, input_sigma=0.55, input_clip=(1_500, 80_000),
        output_median=1_700, output_sigma=0.45, output_clip=(200, 8_000), reasoning_share=(0.4, 0.75),
        context_reuse=0.0, weekday_weights=(1.0,) * 7, hour_weights=NIGHT_HOURS,
        retry_rate=0.06,
        texts=("Digest: 14 tickets, 3 need follow-up.", "Digest: quiet day, no incidents.",
               "Digest: 2 outages, both resolved."),
    ),
)


def generate(out_dir: Path, scale: int = 1, seed: int = 2026) -> dict:
    """Write the OpenAI sample logs under ``out_dir / "openai"`` and return a summary (counts, tokens, files)."""
    check_scale_and_seed(scale, seed)
    out_dir = Path(out_dir)
    master = random.Random(seed)
    app_seeds = [master.getrandbits(64) for _ in APPS]
    summary: dict = {
        "kind": "openai",
        "scale": scale,
        "seed": seed,
        "period": {"from": _iso_s(PERIOD_START), "to": _iso_s(PERIOD_END)},
        "apps": {},
        "files": [],
        "requests": 0,
        "rate_limited": 0,
        "rows": 0,
    }
    for spec, app_seed in zip(APPS, app_seeds):
        app_summary, files = _write_app(out_dir, spec, scale, random.Random(app_seed))
        summary["apps"][spec.name] = app_summary
        summary["files"].extend(files)
        for key in ("requests", "rate_limited", "rows"):
            summary[key] += app_summary[key]
    return summary


def _write_app(out_dir: Path, spec: AppSpec, scale: int, rng: random.Random) -> tuple[dict, list[str]]:
    app_dir = out_dir / "openai" / spec.name
    app_dir.mkdir(parents=True, exist_ok=True)
    writer = DayWriter(out_dir, app_dir, DAY_STRINGS, MAX_CHAIN_MS)
    stats = _AppStats(spec)
    n = spec.requests * scale
    retries_left = round(spec.retry_rate * n)
    tiers_left = apportion(n, [share for _, share in spec.tiers], rng)
    last_t = -CACHE_WARM_MS - 1

    for i, t in enumerate(_success_times(spec, n, rng)):
        left = n - i
        tier_index = _pick(rng, tiers_left)
        tiers_left[tier_index] -= 1
        tier = spec.tiers[tier_index][0]

        fresh = _lognormal(rng, spec.input_median, spec.input_sigma, spec.input_clip)
        prompt = spec.prefix + fresh
        warm = t - last_t <= CACHE_WARM_MS and rng.random() >= CACHE_MISS_RATE
        cached = _cacheable(spec.prefix) if warm else 0
        if spec.context_reuse and rng.random() < spec.context_reuse:
            cached = max(cached, _cacheable(int(fresh * rng.uniform(0.55, 0.92)) + spec.prefix))
        last_t = t
        output = _lognormal(rng, spec.output_median, spec.output_sigma, spec.output_clip)
        lo, hi = spec.reasoning_share
        reasoning = int(output * rng.uniform(lo, hi)) if spec.model in REASONING_MODELS else 0
        first_token, per_token = LATENCY[spec.model]
        latency = int((first_token + output * per_token + prompt * 0.01) * math.exp(0.25 * rng.gauss(0.0, 1.0)))
        if tier == "priority":
            latency = int(latency * 0.7)
        elif tier == "flex":
            latency = int(latency * 1.8)

        failures = 0
        if rng.random() * left < retries_left:
            retries_left -= 1
            failures = 1 + (rng.random() < 0.25)
        chain, start = [], t
        for j in reversed(range(failures)):
            fail_latency = rng.randint(30, MAX_429_LATENCY_MS)
            start = start - 1000 * 2**j - fail_latency
            chain.append((start, fail_latency))
        if chain and start < (t // DAY_MS) * DAY_MS:
            chain = []  # keep a retry chain inside one UTC day (and the period)
        for fail_t, fail_latency in chain:
            writer.add(fail_t, _error_line(rng, spec, fail_t, fail_latency, prompt))
            stats.add_error()

        writer.add(t, _success_line(rng, spec, t, latency, tier, prompt, cached, output, reasoning))
        stats.add(tier, prompt - cached, cached, output, reasoning)
        writer.flush(t)
    files = writer.close()
    return stats.summary(len(files)), files


def _success_times(spec: AppSpec, n: int, rng: random.Random):
    """Yield ms since the period start for every successful request, in time order."""
    day_weights = [spec.weekday_weights[WEEKDAYS[d]] * math.exp(0.15 * rng.gauss(0.0, 1.0))
                   for d in range(PERIOD_DAYS)]
    for day, count in enumerate(apportion(n, day_weights, rng)):
        hour_weights = [w * math.exp(0.3 * rng.gauss(0.0, 1.0)) for w in spec.hour_weights]
        for hour, total in enumerate(apportion(count, hour_weights, rng)):
            hour_start = day * DAY_MS + hour * HOUR_MS
            position = 0.0
            for i in range(total):
                # the minimum of the remaining uniforms on [position, 1): sorted times without a list
                position += (1.0 - position) * (1.0 - rng.random() ** (1.0 / (total - i)))
                yield hour_start + min(int(position * HOUR_MS), HOUR_MS - 1)


def _pick(rng: random.Random, left: list[int]) -> int:
    """An index drawn in proportion to what is left of each count (so the counts come out exact)."""
    x = rng.random() * sum(left)
    for index, count in enumerate(left):
        x -= count
        if x < 0:
            return index
    return max(i for i, c in enumerate(left) if c > 0)


def _lognormal(rng: random.Random, median: int, sigma: float, clip: tuple[int, int]) -> int:
    return int(round(min(max(median * math.exp(sigma * rng.gauss(0.0, 1.0)), clip[0]), clip[1])))


def _cacheable(prefix: int) -> int:
    """OpenAI caches prompts of 1,024 tokens or more, in 128-token steps."""
    return prefix // 128 * 128 if prefix >= 1024 else 0


class _AppStats:
    def __init__(self, spec: AppSpec) -> None:
        self.spec = spec
        self.tiers: dict[str, int] = {}
        self.totals = {"requests": 0, "input_tokens": 0, "cached_tokens": 0, "output_tokens": 0,
                       "reasoning_tokens": 0}
        self.errors = 0

    def add(self, tier: str, uncached: int, cached: int, output: int, reasoning: int) -> None:
        self.tiers[tier] = self.tiers.get(tier, 0) + 1
        for key, value in (("requests", 1), ("input_tokens", uncached), ("cached_tokens", cached),
                           ("output_tokens", output), ("reasoning_tokens", reasoning)):
            self.totals[key] += value

    def add_error(self) -> None:
        self.errors += 1

    def summary(self, n_files: int) -> dict:
        return {**self.totals, "model": self.spec.model, "api": self.spec.api, "rate_limited": self.errors,
                "rows": self.totals["requests"] + self.errors, "days": n_files,
                "tiers": {k: self.tiers[k] for k in sorted(self.tiers)}}


def _success_line(rng: random.Random, spec: AppSpec, t: int, latency: int, tier: str, prompt: int, cached: int,
                  output: int, reasoning: int) -> str:
    created = PERIOD_START_S + t // 1000
    text = rng.choice(spec.texts)
    if spec.api == "responses":
        response = {
            "id": "resp_" + _rand(rng, HEX, 48), "object": "response", "created_at": created,
            "completed_at": created + max(1, round(latency / 1000)), "status": "completed", "error": None,
            "incomplete_details": None, "model": spec.model, "service_tier": tier,
            "output": [{"type": "message", "id": "msg_" + _rand(rng, HEX, 48), "status": "completed",
                        "role": "assistant", "content": [{"type": "output_text", "text": text, "annotations": []}]}],
            "usage": {"input_tokens": prompt, "input_tokens_details": {"cached_tokens": cached},
                      "output_tokens": output, "output_tokens_details": {"reasoning_tokens": reasoning},
                      "total_tokens": prompt + output},
        }
    else:
        response = {
            "id": "chatcmpl-" + _rand(rng, ALNUM, 29), "object": "chat.completion", "created": created,
            "model": spec.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": None,
                                                 "annotations": []}, "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": output, "total_tokens": prompt + output,
                      "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
                      "completion_tokens_details": {"reasoning_tokens": reasoning, "audio_tokens": 0,
                                                    "accepted_prediction_tokens": 0,
                                                    "rejected_prediction_tokens": 0}},
            "service_tier": tier, "system_fingerprint": FINGERPRINTS[spec.model],
        }
    return _dumps({"ts": _iso_ms(t), "app": spec.name, "request_id": _request_id(rng), "http_status": 200,
                   "latency_ms": latency, "project": spec.project, "api_key_name": spec.api_key_name,
                   "response": response})


def _error_line(rng: random.Random, spec: AppSpec, t: int, latency: int, requested: int) -> str:
    alias = ALIASES[spec.model]
    limit = TPM_LIMITS[spec.model]
    used = limit - rng.randint(0, max(1, requested // 2))
    wait_ms = rng.randint(200, 4_000)
    message = (f"Rate limit reached for {alias} in organization {ORGANIZATION} on tokens per min (TPM): "
               f"Limit {limit}, Used {used}, Requested {requested}. Please try again in {wait_ms}ms. "
               "Visit https://platform.openai.com/account/rate-limits to learn more.")
    return _dumps({"ts": _iso_ms(t), "app": spec.name, "request_id": _request_id(rng), "http_status": 429,
                   "latency_ms": latency, "project": spec.project, "api_key_name": spec.api_key_name,
                   "model_requested": alias,
                   "error": {"error": {"message": message, "type": "tokens", "param": None,
                                       "code": "rate_limit_exceeded"}}})


def _dumps(row: dict) -> str:
    return json.dumps(row, separators=(",", ":")) + "\n"


def _rand(rng: random.Random, alphabet: str, k: int) -> str:
    return "".join(rng.choices(alphabet, k=k))


def _request_id(rng: random.Random) -> str:
    return "req_" + _rand(rng, HEX, 32)


def _iso_ms(t: int) -> str:
    day, rest = divmod(t, DAY_MS)
    hour, rest = divmod(rest, HOUR_MS)
    minute, rest = divmod(rest, 60_000)
    second, milli = divmod(rest, 1000)
    return f"{DAY_STRINGS[day]}T{hour:02d}:{minute:02d}:{second:02d}.{milli:03d}Z"


def _iso_s(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
