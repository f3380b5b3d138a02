"""Anthropic Console usage ("tokens") CSV export: token buckets by hour or day, keyed by names."""
from __future__ import annotations

import csv
import io

NAME = "console_usage_csv"
VERSION = 1
SQL = "normalize/console_usage_csv.sql"
READER = "csv"
DESCRIPTION = ("Anthropic Console usage CSV (Usage → Export, claude_api_tokens_*.csv): one bucket row per row, an hour "
               "or a day of tokens by model, API key name, workspace name and usage type (2026 and mid-2025 headers)")
EXAMPLE = ("usage_date_utc,model_version,api_key,workspace,usage_type,context_window,usage_input_tokens_no_cache,… / "
           "2026-03-12 14:00,claude-sonnet-4-5-20250929,prod-backend,Default,standard,≤ 200k,84211,…")


def csv_header(head: bytes) -> list[str]:
    """The first non-blank line of a CSV head as lower-case column names ([] when there is none)."""
    text = head.lstrip(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    for line in text.splitlines():
        if line.strip():
            try:
                return [cell.strip().lower() for cell in next(csv.reader(io.StringIO(line)))]
            except (csv.Error, StopIteration):
                return []
    return []


def sniff(record, head: bytes) -> bool:
    columns = csv_header(head)
    return bool(columns) and columns[0] == "usage_date_utc" and "usage_input_tokens_no_cache" in columns


def params(path, options) -> dict:
    return {}
