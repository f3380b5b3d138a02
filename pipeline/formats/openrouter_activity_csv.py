"""OpenRouter generation-level activity export (CSV): one request per row."""
from ._sniff import has_columns

VERSION = 1
READER = "csv"
DESCRIPTION = ("OpenRouter activity export, generation level (CSV: `generation_id,created_at,cost_total,…`): one row "
               "per generation, `created_at` read as UTC, `cost_total` as the reported cost")
EXAMPLE = ("generation_id,created_at,cost_total,…,tokens_prompt,tokens_completion,tokens_reasoning,tokens_cached,"
           "model_permaslug,… / gen-1773326001-…,2026-03-12 14:33:21.713,0.0111036,…")


def sniff(record, head: bytes) -> bool:
    return has_columns(head, {"created_at", "tokens_prompt"}, first=["generation_id"])
