"""OpenAI organization Costs API: a JSON page of daily cost buckets (money only, for reconciliation)."""
import re

VERSION = 1
READER = "document"
DESCRIPTION = ("OpenAI organization Costs API (JSON page or array of pages): money-only buckets (model from the line "
               "item): spend at their stated cost where nothing else prices the day, and for reconciliation")
EXAMPLE = ('{"object": "page", "data": [{"object": "bucket", "start_time": 1759708800, "results": [{"object": '
           '"organization.costs.result", "amount": {"value": 0.04759, "currency": "usd"}, "line_item": "gpt-5-2025-08-07, input"}]}]}')

MARKER = re.compile(rb'"object"\s*:\s*"organization\.costs\.result"')


def sniff(record, head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[") and MARKER.search(head) is not None
