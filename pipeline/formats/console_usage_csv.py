"""Anthropic Console usage ("tokens") CSV export: token buckets by hour or day, keyed by names."""
from ._sniff import has_columns

VERSION = 2
READER = "csv"
DESCRIPTION = ("Anthropic Console usage export (Usage → Export, `claude_api_tokens_*.csv`, 2026 and mid-2025 "
               "headers): hourly or daily token buckets by model, usage type and API key and workspace names")
EXAMPLE = ("usage_date_utc,model_version,api_key,workspace,usage_type,context_window,usage_input_tokens_no_cache,… / "
           "2026-03-12 14:00,claude-sonnet-4-5-20250929,prod-backend,Default,standard,≤ 200k,84211,…")


def sniff(record, head: bytes) -> bool:
    return has_columns(head, {"usage_input_tokens_no_cache"}, first=["usage_date_utc"])
