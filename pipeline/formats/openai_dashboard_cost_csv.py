"""OpenAI dashboard Cost export (CSV): daily cost buckets (money only, for reconciliation)."""
from ._sniff import has_columns

VERSION = 1
READER = "csv"
DESCRIPTION = ("OpenAI dashboard cost export (CSV): money-only buckets, the same identity as the Costs API: spend "
               "at their stated cost where nothing else prices the day, and for reconciliation")
EXAMPLE = ("start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,line_item,project_id,"
           "organization_id,organization_name")

REQUIRED = {"start_time", "end_time", "amount_value", "amount_currency"}


def sniff(record, head: bytes) -> bool:
    return has_columns(head, REQUIRED, case_sensitive=True)  # the normalizer reads these names as written
