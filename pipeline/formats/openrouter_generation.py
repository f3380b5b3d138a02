"""OpenRouter generation records (GET /api/v1/generation) saved as JSON, one or a list under "data"."""
import re

VERSION = 1
READER = "document"
DESCRIPTION = ("OpenRouter generation JSON (`GET /api/v1/generation`, `{\"data\": {…}}` or a list): one row per "
               "generation with its native token counts, billed by OpenRouter, `total_cost` (credits = USD) as the "
               "reported cost")
EXAMPLE = ('{"data": {"id": "gen-1773326001-…", "created_at": "2026-03-12T14:33:21.713441+00:00", "model": '
           '"anthropic/claude-4.5-sonnet-20250929", "total_cost": 0.0111036, "native_tokens_prompt": 10389, …}}')

_DATA = re.compile(rb'"data"\s*:')
_TOKENS = re.compile(rb'"(native_)?tokens_prompt"\s*:')


def sniff(record, head: bytes) -> bool:
    return (head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and bool(_DATA.search(head))
            and bool(_TOKENS.search(head)) and b'"gen-' in head)
