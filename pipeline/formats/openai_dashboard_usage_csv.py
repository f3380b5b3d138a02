"""OpenAI dashboard Activity export (CSV): daily completions usage buckets."""
import csv

NAME = "openai_dashboard_usage_csv"
VERSION = 1
SQL = "normalize/openai_dashboard_usage_csv.sql"
READER = "csv"
DESCRIPTION = ("OpenAI dashboard usage (Activity) export, CSV: start_time,end_time,…,num_model_requests,…,model,"
               "batch,service_tier,input_tokens,… as bucket rows; empty-day rows are ignored")
EXAMPLE = ("start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,api_key_id,model,"
           "batch,service_tier,input_tokens,output_tokens,input_cached_tokens,input_uncached_tokens,…")

REQUIRED = {"start_time", "end_time", "num_model_requests", "model", "input_tokens", "output_tokens"}


def csv_header(head: bytes) -> list[str]:
    """The column names of the first non-blank line of a CSV head, or [] when it is not one."""
    text = head.lstrip(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    for line in text.splitlines():
        if line.strip():
            try:
                return [name.strip() for name in next(csv.reader([line]))]
            except (csv.Error, StopIteration):
                return []
    return []


def sniff(record, head: bytes) -> bool:
    return REQUIRED <= set(csv_header(head))


def params(path, options) -> dict:
    return {}
