"""Raw OpenAI response bodies (JSONL) without an envelope: chat.completion or Responses API objects."""
VERSION = 3
DESCRIPTION = ("OpenAI response bodies without an envelope (JSONL, or one pretty-printed response): a "
               "`chat.completion` (or a stream's final usage chunk) or a Responses `response` per record; time from "
               "`created`/`created_at`"
               "; a Response's `web_search_call` items priced per call, a Chat Completions search model's one call per "
               "response")
EXAMPLE = ('{"id": "chatcmpl-…", "object": "chat.completion", "created": 1773327600, "model": "gpt-4o-2024-08-06", '
           '"usage": {"prompt_tokens": 2006, "completion_tokens": 300, "prompt_tokens_details": {"cached_tokens": 1920}}}')

OBJECTS = ("chat.completion", "chat.completion.chunk", "response")


def sniff(record, head: bytes) -> bool:
    return isinstance(record, dict) and record.get("object") in OBJECTS and "custom_id" not in record
