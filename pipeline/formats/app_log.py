"""The spendlog app log: one JSON envelope per line around a provider response or error body."""
VERSION = 4
DESCRIPTION = ("spendlog's own app log (JSONL): an envelope with `ts`, `app` and `request_id` around an Anthropic, "
               "OpenAI (Chat Completions, Responses) or Gemini response or error")
EXAMPLE = '{"ts": "2026-02-05T14:03:25.431Z", "app": "email-classifier", "request_id": "req_…", "http_status": 200, "response": {"model": "claude-haiku-4-5", "usage": {…}}}'


def sniff(record, head: bytes) -> bool:
    return isinstance(record, dict) and ("response" in record or "error" in record) and (
        any(key in record for key in ("ts", "logged_at", "timestamp"))
    )
