"""OpenRouter aggregated activity export (CSV): one day bucket per model slug."""
from ._sniff import has_columns

VERSION = 1
READER = "csv"
DESCRIPTION = ("OpenRouter activity export per day and model (CSV: `Date,Slug,Usage,BYOK Usage,Requests,…`): one-day "
               "buckets with their request counts, `Usage` (USD) as the reported cost")
EXAMPLE = ('Date,Slug,Usage,BYOK Usage,Requests,Prompt Tokens,Completion Tokens,Reasoning Tokens / '
           '"2026-03-12 00:00:00","anthropic/claude-4.5-sonnet-20250929","430.07","0","4115",…')


def sniff(record, head: bytes) -> bool:
    return has_columns(head, {"usage", "requests", "prompt tokens"}, first=["date", "slug"])
