"""OpenAI dashboard Cost export (CSV): daily cost buckets (money only, for reconciliation)."""
from .openai_dashboard_usage_csv import csv_header

NAME = "openai_dashboard_cost_csv"
VERSION = 1
SQL = "normalize/openai_dashboard_cost_csv.sql"
READER = "csv"
DESCRIPTION = ("OpenAI dashboard cost export, CSV: start_time,end_time,…,amount_value,amount_currency,line_item,… "
               "as money-only bucket rows (reported_cost_usd); priced at $0 (tokens 0), for reconciliation only")
EXAMPLE = ("start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,line_item,project_id,"
           "organization_id,organization_name")

REQUIRED = {"start_time", "end_time", "amount_value", "amount_currency"}


def sniff(record, head: bytes) -> bool:
    return REQUIRED <= set(csv_header(head))


def params(path, options) -> dict:
    return {}
