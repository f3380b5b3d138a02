"""OpenAI organization Usage API, completions: a JSON page of time buckets (reconciliation and coverage)."""
import re

VERSION = 1
READER = "document"
DESCRIPTION = ("OpenAI organization Usage API, completions (JSON page or array of pages): buckets by model, project, "
               "API key, user, batch and service tier; a later fetch replaces a bucket")
EXAMPLE = ('{"object": "page", "data": [{"object": "bucket", "start_time": 1759708800, "end_time": 1759795200, '
           '"results": [{"object": "organization.usage.completions.result", "input_tokens": 46264, …}]}]}')

MARKER = re.compile(rb'"object"\s*:\s*"organization\.usage\.completions\.result"')


def sniff(record, head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[") and MARKER.search(head) is not None
