"""Raw Anthropic Message bodies (JSONL, or one pretty-printed response) without an envelope."""
VERSION = 1
DESCRIPTION = ("Anthropic Message bodies without an envelope (JSONL or one pretty-printed response): recognised, but a "
               "body has no time, so each is rejected `missing_timestamp` — log them in spendlog's app log envelope")
EXAMPLE = ('{"id": "msg_013Zva2CMHLNnXjNJJKqJ2EF", "type": "message", "role": "assistant", "model": "claude-opus-5", '
           '"usage": {"input_tokens": 2095, "output_tokens": 503, …}}')


def sniff(record, head: bytes) -> bool:
    return (isinstance(record, dict) and record.get("type") == "message" and "usage" in record
            and not {"response", "custom_id", "sessionId"} & record.keys())
