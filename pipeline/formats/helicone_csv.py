"""Helicone request export (CSV, the export tool's short header): one request per row, no cache columns."""
from ._sniff import has_columns

VERSION = 1
READER = "csv"
DESCRIPTION = ("Helicone request export as CSV (`npx @helicone/export --format csv`): no cache or provider columns "
               "(prompt tokens count as input, the provider comes from the model name); prefer the JSONL")
EXAMPLE = ("response_id,response_created_at,response_status,request_created_at,request_body,request_properties,"
           "request_user_id,model,prompt_tokens,completion_tokens,latency,cost / \"9b8a…\",…")


def sniff(record, head: bytes) -> bool:
    return has_columns(head, {"response_id", "response_created_at", "request_created_at", "prompt_tokens"})
