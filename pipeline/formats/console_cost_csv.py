"""Anthropic Console cost CSV export: dollars per day (or hour) bucket, by display-name model."""
from ._sniff import has_columns

VERSION = 2
READER = "csv"
DESCRIPTION = ("Anthropic Console cost export (Cost → Export, `claude_api_cost_*.csv`): dollars per bucket by "
               "display-name model: spend at its stated cost where nothing else prices the day, and for "
               "reconciliation")
EXAMPLE = ("usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,… / "
           "2026-03-12,Claude Sonnet 4.5,Default,prod-backend,message,≤ 200k,input_no_cache,0.25,…")


def sniff(record, head: bytes) -> bool:
    return has_columns(head, {"cost_usd", "token_type"}, first=["usage_date_utc"])
