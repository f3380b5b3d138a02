"""OpenRouter generation-level activity export (CSV): one request per row."""
from .console_usage_csv import csv_header

NAME = "openrouter_activity_csv"
VERSION = 1
SQL = "normalize/openrouter_activity_csv.sql"
READER = "csv"
DESCRIPTION = ("OpenRouter activity export, generation level (CSV from openrouter.ai/activity): one request row per "
               "generation, created_at naive UTC, tokens_prompt minus tokens_cached as input, cost_total as reported cost")
EXAMPLE = ("generation_id,created_at,cost_total,…,tokens_prompt,tokens_completion,tokens_reasoning,tokens_cached,"
           "model_permaslug,… / gen-1773326001-…,2026-03-12 14:33:21.713,0.0111036,…")


def sniff(record, head: bytes) -> bool:
    columns = csv_header(head)
    return (bool(columns) and columns[0] == "generation_id" and "created_at" in columns
            and "tokens_prompt" in columns)


def params(path, options) -> dict:
    return {}
