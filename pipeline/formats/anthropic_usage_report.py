"""Anthropic Admin API usage report (`usage_report/messages`): token buckets as one JSON document."""
import re

VERSION = 1
READER = "document"
DESCRIPTION = ("Anthropic Admin API usage report JSON (`/v1/organizations/usage_report/messages`): token buckets by "
               "model, workspace, API key, service tier and context window (no request counts); a later fetch "
               "replaces a bucket")
EXAMPLE = ('{"data": [{"starting_at": "2026-03-12T00:00:00Z", "ending_at": "2026-03-13T00:00:00Z", "results": '
           '[{"model": "claude-sonnet-4-5-20250929", "uncached_input_tokens": 1842331, "output_tokens": 402118, …}]}]}')

_KEYS = [re.compile(rb'"%s"\s*:' % key) for key in (b"starting_at", b"results", b"uncached_input_tokens")]


def sniff(record, head: bytes) -> bool:
    """A JSON object with buckets (`starting_at`, `results`) whose results count `uncached_input_tokens`."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and all(key.search(head) for key in _KEYS)
