"""LiteLLM proxy spend logs (the LiteLLM_SpendLogs table): exported as CSV, or as JSON rows (its GCS Pub/Sub
logger, the /spend/logs API): one row per proxied request."""
from ._sniff import has_columns

VERSION = 1
READER = "csv_or_json"
DESCRIPTION = ("LiteLLM proxy `LiteLLM_SpendLogs` table, exported as CSV or logged as JSON rows: one row per request; "
               "the token split is rebuilt from `metadata.usage_object` (whose meaning of `prompt_tokens` changed "
               "between versions); failures and gateway cache hits are non-billable; `spend` (dollars) as the "
               "reported cost")
EXAMPLE = ("request_id,call_type,api_key,spend,total_tokens,prompt_tokens,completion_tokens,startTime,…,metadata,… / "
           "chatcmpl-…,acompletion,88dc…,0.0239733,22149,21646,503,2026-03-12 14:50:01.101,…")
COLUMNS = {"request_id", "call_type", "spend", "starttime", "prompt_tokens"}


def sniff(record, head: bytes) -> bool:
    if isinstance(record, dict):
        return COLUMNS <= {key.lower() for key in record}
    return has_columns(head, COLUMNS)
