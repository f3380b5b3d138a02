"""Langfuse observations (GET /api/public/observations or an export) as one JSON document."""
import re

VERSION = 2
READER = "document"
DESCRIPTION = ("Langfuse observations JSON (`GET /api/public/observations`: `{\"data\": […]}` or a bare array): one "
               "row per GENERATION with its `usageDetails` and `costDetails`; spans, events and other types are "
               "ignored")
EXAMPLE = ('{"data": [{"id": "3c1b…", "traceId": "d2c1…", "type": "GENERATION", "startTime": "2026-03-12T14:58:01.101Z", '
           '"model": "claude-sonnet-4-5-20250929", "usageDetails": {"input": 2095, "output": 503, …}, …}], "meta": {…}}')

_TRACE = re.compile(rb'"traceId"\s*:')
_USAGE = re.compile(rb'"(usageDetails|costDetails)"\s*:|"type"\s*:\s*"GENERATION"')


def sniff(record, head: bytes) -> bool:
    return (head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[") and bool(_TRACE.search(head))
            and bool(_USAGE.search(head)))
