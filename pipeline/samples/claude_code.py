"""Deterministic, streaming generator of a Claude Code transcript tree (the `~/.claude/projects/` layout).

``generate(out_dir, scale, seed)`` writes about ``2,000 × scale`` API responses over February 2026 as

- ``projects/<encoded-cwd>/<sessionId>.jsonl``: one main-thread session per file — user prompts and tool results,
  each response as 1–4 lines (one per content block; the early lines are streaming snapshots with a small
  ``output_tokens``, the last has the final count), now and then a synthetic ``<synthetic>`` 429 line, summaries;
- ``projects/<encoded-cwd>/<sessionId>/subagents/agent-<id>.jsonl``: subagent (sidechain) transcripts, with their
  own responses and, half of the time, a replay of the parent's response (same ``message.id``, new ``requestId``);
- resumed sessions: a new session file that starts with a copy of an earlier session's file, as `claude --resume`
  writes it: the same message ids, request ids and usage under the new sessionId, with new uuids and parentUuids.

Every random choice comes from ``random.Random(seed)``; a session is written as it is made (a resumed session
copies its predecessor's file from disk), so memory stays flat at any scale. The summary says what ingest must
find: ``responses + errors`` distinct rows, ``copied_rows`` duplicates, ``replays`` duplicate_conflict rejects.
"""
from __future__ import annotations

import json
import math
import random
import re
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ._writer import check_scale_and_seed

PERIOD_START = datetime(2026, 2, 1, tzinfo=timezone.utc)
PERIOD_END = datetime(2026, 3, 1, tzinfo=timezone.utc)
RESPONSES_PER_SCALE = 2_000
LAST_SESSION_START = PERIOD_END - timedelta(days=2)  # every session (and its resumption) ends in February

SONNET_45 = "claude-sonnet-4-5-20250929"
SONNET_46 = "claude-sonnet-4-6"
SONNET_46_FROM = datetime(2026, 2, 17, tzinfo=timezone.utc)
OPUS = "claude-opus-4-6"
OPUS_FROM = datetime(2026, 2, 5, tzinfo=timezone.utc)
HAIKU = "claude-haiku-4-5-20251001"
SYNTHETIC = "<synthetic>"

PROJECTS = (
    ("/Users/alice/code/billing-service", "main"),
    ("/Users/alice/code/web-app", "feature/checkout"),
    ("/Users/bob/src/data-pipeline", "main"),
    ("/home/carol/work/infra", "ops/terraform-1.9"),
)
VERSIONS = ("2.0.31", "2.1.12", "2.1.40")
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

RESUME_RATE = 0.15
ERROR_RATE = 0.012  # a synthetic 429 line before a response
SUBAGENT_RATE = 0.05  # a response whose tool call is a Task (a subagent file)
REPLAY_RATE = 0.5  # a subagent file that starts by replaying its parent's response
SYSTEM_PROMPT_TOKENS = (14_000, 19_000)
CONTEXT_LIMIT = 160_000  # auto-compaction keeps the context well under 200K

PROMPTS = ("Fix the failing test in the rounding helper", "Add pagination to the orders endpoint",
           "Why is the nightly job slow?", "Refactor the config loader", "Write a migration for the new column",
           "Review this diff for bugs", "Update the README examples", "Explain this stack trace")
TEXTS = ("I'll read the file first.", "Found the cause: an off-by-one in the loop.", "Done — tests pass.",
         "Let me check the callers.", "Here is the plan:\n1. Read\n2. Change\n3. Test")
TOOLS = ("Read", "Edit", "Bash", "Grep", "Glob")


def generate(out_dir: Path, scale: int = 1, seed: int = 2026) -> dict:
    """Write the transcript tree under ``out_dir`` and return a summary of what it holds."""
    check_scale_and_seed(scale, seed)
    rng = random.Random(seed)
    out_dir = Path(out_dir)
    state = _Summary(RESPONSES_PER_SCALE * scale)
    latest: dict[str, dict] = {}  # the last session written per project, the one a resumption continues
    while state.budget > 0:
        cwd, branch = rng.choice(PROJECTS)
        previous = latest.get(cwd)
        if previous and previous["end"] + timedelta(hours=1) < LAST_SESSION_START and rng.random() < RESUME_RATE:
            source = previous
            start = min(source["end"] + timedelta(minutes=rng.randint(20, 36 * 60)), LAST_SESSION_START)
        else:
            source = None
            start = _session_start(rng)
        latest[cwd] = _write_session(out_dir, rng, state, cwd, branch, start, source)
    return state.as_dict(scale, seed)


class _Summary:
    def __init__(self, budget: int):
        self.budget = budget
        self.counts = dict.fromkeys((
            "files", "sessions", "resumed_sessions", "subagent_files", "lines", "responses", "main_responses",
            "subagent_responses", "errors", "snapshot_lines", "user_lines", "summary_lines", "replays",
            "copied_rows"), 0)
        self.tokens = dict.fromkeys(("input", "cache_write_5m", "cache_write_1h", "cache_read", "output"), 0)
        self.models: dict[str, int] = {}

    def as_dict(self, scale: int, seed: int) -> dict:
        return {"kind": "claude-code", "scale": scale, "seed": seed,
                "period": {"from": _iso(PERIOD_START), "to": _iso(PERIOD_END)},
                **self.counts, "rows": self.counts["responses"] + self.counts["errors"],
                "ignored_lines": self.counts["snapshot_lines"] + self.counts["user_lines"]
                + self.counts["summary_lines"],
                "tokens": dict(self.tokens), "models": dict(sorted(self.models.items()))}


class _Transcript:
    """One JSONL transcript file being written: the envelope every line shares and the running uuid chain."""

    def __init__(self, path: Path, state: _Summary, session_id: str, cwd: str, branch: str, version: str,
                 agent_id: str | None = None, parent_uuid: str | None = None):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.state = path, state
        self.handle = open(path, "wb")
        self.session_id, self.cwd, self.branch, self.version, self.agent_id = session_id, cwd, branch, version, agent_id
        self.parent_uuid = parent_uuid
        self.rows = 0  # distinct responses (and errors) in this file, copies included
        self.own = dict.fromkeys(("lines", "snapshot_lines", "user_lines", "summary_lines"), 0)
        state.counts["files"] += 1

    def close(self) -> None:
        self.handle.close()

    def _count(self, key: str, n: int = 1) -> None:
        self.own[key] += n
        self.state.counts[key] += n

    def _write(self, record: dict) -> None:
        self.handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
        self._count("lines")

    def _envelope(self, kind: str, line_uuid: str, ts: datetime) -> dict:
        record = {"parentUuid": self.parent_uuid, "isSidechain": self.agent_id is not None, "userType": "external",
                  "cwd": self.cwd, "sessionId": self.session_id, "version": self.version, "gitBranch": self.branch}
        if self.agent_id:
            record["agentId"] = self.agent_id
        record.update({"type": kind, "uuid": line_uuid, "timestamp": _iso(ts)})
        self.parent_uuid = line_uuid
        return record

    def user(self, rng: random.Random, ts: datetime, content) -> None:
        self._write({**self._envelope("user", _uuid(rng), ts), "message": {"role": "user", "content": content}})
        self._count("user_lines")

    def summary(self, text: str) -> None:
        self._write({"type": "summary", "summary": text, "leafUuid": self.parent_uuid})
        self._count("summary_lines")

    def synthetic_error(self, rng: random.Random, ts: datetime) -> None:
        record = self._envelope("assistant", _uuid(rng), ts)
        record.update({"isApiErrorMessage": True, "error": "rate_limit", "apiErrorStatus": 429, "message": {
            "id": _uuid(rng), "type": "message", "role": "assistant", "model": SYNTHETIC,
            "content": [{"type": "text", "text": 'API Error: 429 {"type":"error","error":{"type":"rate_limit_error",'
                                                 '"message":"Number of request tokens has exceeded your per-minute '
                                                 'rate limit"}}'}],
            "stop_reason": "stop_sequence", "stop_sequence": "",
            "usage": {"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 0,
                      "cache_read_input_tokens": 0, "server_tool_use": {"web_search_requests": 0,
                                                                        "web_fetch_requests": 0},
                      "service_tier": None}}})
        self._write(record)
        self.rows += 1
        self.state.counts["errors"] += 1

    def response(self, rng: random.Random, ts: datetime, model: str, usage: dict, blocks: list[dict]) -> dict:
        """One API response as one line per content block; returns its last line (for replays)."""
        request_id = _request_id(rng)
        message_id = _message_id(rng)
        last = {}
        for i, block in enumerate(blocks):
            final = i == len(blocks) - 1
            line_usage = dict(usage, output_tokens=usage["output_tokens"] if final else rng.randint(1, 12))
            record = self._envelope("assistant", _uuid(rng), ts)
            record.update({"requestId": request_id, "message": {
                "id": message_id, "type": "message", "role": "assistant", "model": model, "stop_sequence": None,
                "content": [block],
                "stop_reason": (("tool_use" if block["type"] == "tool_use" else "end_turn") if final else None),
                "usage": line_usage}})
            self._write(record)
            last = record
            ts += timedelta(milliseconds=rng.randint(300, 4_000))
        self.rows += 1
        counts = self.state.counts
        counts["responses"] += 1
        counts["subagent_responses" if self.agent_id else "main_responses"] += 1
        self._count("snapshot_lines", len(blocks) - 1)
        self.state.budget -= 1
        self.state.models[model] = self.state.models.get(model, 0) + 1
        creation = usage["cache_creation"]
        for key, value in (("input", usage["input_tokens"]), ("cache_read", usage["cache_read_input_tokens"]),
                           ("cache_write_5m", creation["ephemeral_5m_input_tokens"]),
                           ("cache_write_1h", creation["ephemeral_1h_input_tokens"]),
                           ("output", usage["output_tokens"])):
            self.state.tokens[key] += value
        return last

    def replay(self, rng: random.Random, ts: datetime, parent_line: dict) -> None:
        """The parent's response again, as a sidechain line with a new requestId (same message.id)."""
        record = self._envelope("assistant", _uuid(rng), ts)
        record.update({"requestId": _request_id(rng), "message": parent_line["message"]})
        self._write(record)
        self.state.counts["replays"] += 1


def _resumed_copy(line: str, session_id: str) -> str:
    """A line of an earlier session as a resumed session holds it: its sessionId the new one, its uuid and
    parentUuid new ones (derived from the old ones, so the chain holds and no random choice is spent)."""
    record = json.loads(line)
    if "sessionId" in record:
        record["sessionId"] = session_id
    for key in ("uuid", "parentUuid"):
        if record.get(key):
            record[key] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{session_id}/{record[key]}"))
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def _write_session(out_dir: Path, rng: random.Random, state: _Summary, cwd: str, branch: str, start: datetime,
                   source: dict | None) -> dict:
    session_id = _uuid(rng)
    project_dir = out_dir / "projects" / re.sub(r"[^A-Za-z0-9]", "-", cwd)
    path = project_dir / f"{session_id}.jsonl"
    version = rng.choice(VERSIONS)
    transcript = _Transcript(path, state, session_id, cwd, branch, version)
    state.counts["sessions"] += 1
    context = source["context"] if source else 0
    if source:
        state.counts["resumed_sessions"] += 1
        with open(source["path"], encoding="utf-8") as old:
            for line in old:
                transcript.handle.write(_resumed_copy(line, session_id).encode())
        state.counts["copied_rows"] += source["rows"]
        transcript.rows = source["rows"]
        transcript.parent_uuid = source["leaf"]
        # the copied lines collapse and are ignored in this file just as in the first
        for key in transcript.own:
            transcript._count(key, source["own"][key])
    model = _session_model(rng, start)
    ts = start
    for _ in range(rng.randint(2, 9)):
        if state.budget <= 0:
            break
        ts += timedelta(seconds=rng.randint(20, 600))
        transcript.user(rng, ts, rng.choice(PROMPTS))
        context += rng.randint(20, 400)
        for step in range(rng.randint(1, 7)):
            if state.budget <= 0:
                break
            ts += timedelta(milliseconds=rng.randint(800, 3_000))
            if rng.random() < ERROR_RATE:
                transcript.synthetic_error(rng, ts)
                ts += timedelta(seconds=rng.randint(5, 60))
            if context == 0 or context > CONTEXT_LIMIT:  # a fresh or compacted context: the system prompt again
                context = 0
            usage, context = _usage(rng, context, ttl="1h")
            blocks = _blocks(rng, tool=step < 6 and rng.random() < 0.8)
            last = transcript.response(rng, ts, model, usage, blocks)
            ts += timedelta(seconds=rng.randint(2, 40))
            if blocks[-1]["type"] == "tool_use":
                if rng.random() < SUBAGENT_RATE and state.budget > 0:
                    ts = _write_subagent(project_dir / session_id / "subagents", rng, state, transcript, ts, last)
                transcript.user(rng, ts, [{"type": "tool_result", "tool_use_id": blocks[-1]["id"],
                                           "content": "ok"}])
                context += rng.randint(200, 6_000)
    if rng.random() < 0.3:
        transcript.summary(rng.choice(PROMPTS))
    transcript.close()
    return {"path": path, "end": ts, "context": context, "rows": transcript.rows, "leaf": transcript.parent_uuid,
            "own": dict(transcript.own)}


def _write_subagent(folder: Path, rng: random.Random, state: _Summary, parent: _Transcript, ts: datetime,
                    parent_line: dict) -> datetime:
    agent_id = "".join(rng.choices("0123456789abcdef", k=8))
    state.counts["subagent_files"] += 1
    sub = _Transcript(folder / f"agent-{agent_id}.jsonl", state, parent.session_id, parent.cwd, parent.branch,
                      parent.version, agent_id=agent_id)
    ts += timedelta(milliseconds=rng.randint(200, 900))
    if rng.random() < REPLAY_RATE:
        sub.replay(rng, ts, parent_line)
    sub.user(rng, ts, "Search the codebase for every caller of the helper and report back.")
    context = 0
    for _ in range(min(rng.randint(2, 6), state.budget)):
        ts += timedelta(milliseconds=rng.randint(600, 2_500))
        usage, context = _usage(rng, context, ttl="5m")
        blocks = _blocks(rng, tool=rng.random() < 0.6)
        sub.response(rng, ts, HAIKU, usage, blocks)
        ts += timedelta(seconds=rng.randint(1, 15))
        if blocks[-1]["type"] == "tool_use":
            sub.user(rng, ts, [{"type": "tool_result", "tool_use_id": blocks[-1]["id"], "content": "3 matches"}])
            context += rng.randint(100, 3_000)
    sub.close()
    return ts


def _usage(rng: random.Random, context: int, ttl: str) -> tuple[dict, int]:
    """Usage of one call: the cached context is read, what was added since is written; returns the new context."""
    if context == 0:
        written = rng.randint(*SYSTEM_PROMPT_TOKENS)
        read = 0 if rng.random() < 0.3 else rng.randint(3_000, 12_000)
    else:
        written = rng.randint(50, 3_000)
        read = context
    output = max(1, min(8_000, int(math.exp(rng.gauss(5.6, 0.9)))))
    creation = {"ephemeral_5m_input_tokens": written if ttl == "5m" else 0,
                "ephemeral_1h_input_tokens": written if ttl == "1h" else 0}
    usage = {"input_tokens": rng.randint(1, 12), "cache_creation_input_tokens": written,
             "cache_read_input_tokens": read, "cache_creation": creation, "output_tokens": output,
             "service_tier": "standard"}
    return usage, read + written + output


def _blocks(rng: random.Random, tool: bool) -> list[dict]:
    blocks = []
    if rng.random() < 0.5:
        blocks.append({"type": "thinking", "thinking": "Let me look at this.", "signature": "EqQB" + "x" * 12})
    if rng.random() < 0.8 or not tool:
        blocks.append({"type": "text", "text": rng.choice(TEXTS)})
    if tool:
        blocks.append({"type": "tool_use", "id": "toolu_01" + "".join(rng.choices(B58, k=22)),
                       "name": rng.choice(TOOLS), "input": {"path": "src/main.py"}})
    return blocks


def _session_model(rng: random.Random, start: datetime) -> str:
    if start >= SONNET_46_FROM and rng.random() < 0.5:
        return SONNET_46
    return OPUS if rng.random() < 0.35 and start >= OPUS_FROM else SONNET_45


def _session_start(rng: random.Random) -> datetime:
    span = int((LAST_SESSION_START - PERIOD_START).total_seconds())
    day = PERIOD_START + timedelta(seconds=rng.randrange(span))
    return day.replace(hour=rng.choice((8, 9, 10, 11, 13, 14, 15, 16, 17, 20)), minute=rng.randrange(60))


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _request_id(rng: random.Random) -> str:
    return "req_011C" + "".join(rng.choices(B58, k=20))


def _message_id(rng: random.Random) -> str:
    return "msg_01" + "".join(rng.choices(B58, k=22))


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
