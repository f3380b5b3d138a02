"""OpenAI dashboard Activity export (CSV): daily completions usage buckets."""
from ._sniff import has_columns

VERSION = 1
READER = "csv"
DESCRIPTION = ("OpenAI dashboard usage (Activity) export (CSV): buckets, the same identity as the Usage API; "
               "empty-day rows ignored")
EXAMPLE = ("start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,api_key_id,model,"
           "batch,service_tier,input_tokens,output_tokens,input_cached_tokens,input_uncached_tokens,…")

REQUIRED = {"start_time", "end_time", "num_model_requests", "model", "input_tokens", "output_tokens"}


def sniff(record, head: bytes) -> bool:
    return has_columns(head, REQUIRED, case_sensitive=True)  # the normalizer reads these names as written
