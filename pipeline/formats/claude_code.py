"""Claude Code transcripts: `~/.claude/projects/<encoded-cwd>/<sessionId>.jsonl` (and subagent files)."""
from __future__ import annotations

import json
import re

VERSION = 3
SNIFF_ORDER = 50  # before app_log: an API-error line has "error" and "timestamp" too
DESCRIPTION = ("Claude Code transcripts (`~/.claude/projects/**/*.jsonl`, subagent files included): one row per API "
               "response (streaming snapshots, sidechain replays and resumed-session copies collapse), app "
               "`claude-code`, project = cwd, session = sessionId; user, summary and system lines ignored, synthetic "
               "and API-error lines kept as non-billable rows; legacy `costUSD` as the reported cost"
               "; `usage.iterations` (advisor, compaction) each priced at its own model's rates")
EXAMPLE = ('{"type": "assistant", "sessionId": "3f0c…", "cwd": "/Users/alice/code/billing-service", "timestamp": '
           '"2026-03-12T14:10:03.201Z", "requestId": "req_…", "message": {"id": "msg_…", "model": "claude-sonnet-4-5-20250929", '
           '"usage": {…}}}')

_LOOSE = re.compile(rb'"sessionId"\s*:\s*"[^"]*"')
_MAX_LINES = 20
HEAD_BYTES = 64 * 1024


def _is_transcript_record(record) -> bool:
    """A transcript line: typed with a session and a uuid, a summary, an API-error line (`isApiErrorMessage`, written
    without a session by some versions), or an untyped assistant line of older versions (session and usage)."""
    if not isinstance(record, dict):
        return False
    if "isApiErrorMessage" in record and isinstance(record.get("message"), dict):
        return True
    if not isinstance(record.get("type"), str):
        message = record.get("message")
        return "type" not in record and "sessionId" in record and isinstance(message, dict) and "usage" in message
    if record["type"] == "summary" and "leafUuid" in record:
        return True
    return "sessionId" in record and ("uuid" in record or "parentUuid" in record)


def sniff(record, head: bytes) -> bool:
    """A transcript record among the first complete lines (a first line cut at 64 KB is judged by its keys)."""
    text = head.lstrip(b"\xef\xbb\xbf")
    pieces = text.split(b"\n")
    if len(head) >= HEAD_BYTES:  # the head was cut: its last piece is not a whole line
        pieces = pieces[:-1]
    tried = 0
    for raw in pieces:
        if not raw.strip():
            continue
        tried += 1
        try:
            if _is_transcript_record(json.loads(raw)):
                return True
        except ValueError:
            pass
        if tried >= _MAX_LINES:
            break
    return tried == 0 and bool(_LOOSE.search(text)) and b'"parentUuid"' in text
