"""Helicone request export (JSONL): one HeliconeRequest per line."""
VERSION = 1
DESCRIPTION = ("Helicone request export as JSONL (`npx @helicone/export`): one row per request with cache read/write "
               "columns, `request_properties` as tags, `cost` as the reported cost; 4xx/5xx rows non-billable")
EXAMPLE = ('{"request_id": "2f7c…", "request_created_at": "2026-03-12T14:55:01.101Z", "response_status": 200, '
           '"provider": "ANTHROPIC", "prompt_tokens": 2095, "prompt_cache_read_tokens": 18311, "cost": 0.0239733, …}')


def sniff(record, head: bytes) -> bool:
    return (isinstance(record, dict) and "request_id" in record and "request_created_at" in record
            and "response_status" in record)
