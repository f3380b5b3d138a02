"""Anthropic Admin API cost report (`cost_report`): money per day bucket as one JSON document."""
import re

VERSION = 1
READER = "document"
DESCRIPTION = ("Anthropic Admin API cost report JSON (`/v1/organizations/cost_report`): money only (cents → dollars "
               "in `reported_cost_usd`): spend at its stated cost where nothing else prices the day, and for "
               "reconciliation")
EXAMPLE = ('{"data": [{"starting_at": "2026-03-12T00:00:00Z", "ending_at": "2026-03-13T00:00:00Z", "results": '
           '[{"currency": "USD", "amount": "552.6993", "cost_type": "tokens", "token_type": "uncached_input_tokens", …}]}]}')

_KEYS = [re.compile(rb'"%s"\s*:' % key) for key in (b"starting_at", b"results", b"amount")]
_COST_KEYS = re.compile(rb'"(cost_type|token_type|description)"\s*:')


def sniff(record, head: bytes) -> bool:
    """A JSON object with buckets (`starting_at`, `results`) whose results carry an `amount` and a cost type."""
    return (head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and all(key.search(head) for key in _KEYS)
            and bool(_COST_KEYS.search(head)))
