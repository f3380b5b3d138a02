"""`spendlog summary`: spend per day, month, app or model in the terminal (a rich table) or as JSON, from
sql/summary/summary.sql, which reads spend through the reports' table macro spend_rows."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich import box
from rich.table import Table

from . import fetch_dicts, sql_text
from .output import jsonable
from .reports import HEADINGS, Breakdown, load_macros

GRAINS = {"daily": "day", "monthly": "month", "app": "app", "model": "model"}  # grain -> its key in JSON
MEASURES = ("requests", "input_tokens", "output_tokens", "cache_read_tokens", "cost_usd", "unpriced_rows")


def summary_rows(con, grain: str, by: Breakdown | None = None, since: dt.date | None = None,
                 until: dt.date | None = None) -> list[dict]:
    """The rows of sql/summary/summary.sql over the views of con, the total row last."""
    load_macros(con)
    return fetch_dicts(con, sql_text("summary/summary.sql"), {
        "grain": grain, "by": by.dimension if by else None, "tag": by.tag if by else None,
        "since": since, "until": until})


def summary_table(rows: list[dict], grain: str, by: Breakdown | None = None) -> Table:
    """The rows as a rich table: a row per key (with --by, then one per value of the breakdown, and a blank line
    between keys) and the total row as its footer."""
    *body, total = rows
    table = Table(box=box.SIMPLE, show_edge=False, pad_edge=False, show_footer=True)
    table.add_column(HEADINGS[GRAINS[grain]], footer="Total")
    if by:
        table.add_column(by.heading)
    for heading, name in (("Requests", "requests"), ("Input", "input_tokens"), ("Output", "output_tokens"),
                          ("Cache read", "cache_read_tokens"), ("Cost (USD)", "cost")):
        table.add_column(heading, footer=total[f"{name}_fmt"], justify="right")
    for i, row in enumerate(body):
        names = [row["label"], ""] if row["row_kind"] == "group" else ["", row["breakdown"]]
        last_of_key = by is not None and i + 1 < len(body) and body[i + 1]["row_kind"] == "group"
        table.add_row(*names[:2 if by else 1], row["requests_fmt"], row["input_tokens_fmt"],
                      row["output_tokens_fmt"], row["cache_read_tokens_fmt"], row["cost_fmt"], end_section=last_of_key)
    if total["unpriced_rows"]:
        table.caption = "† leaves out unpriced rows: `spendlog prices check` says why"
    return table


def summary_json(rows: list[dict], grain: str, by: Breakdown | None = None, since: dt.date | None = None,
                 until: dt.date | None = None) -> dict:
    """The rows for scripts: money as exact decimal strings (as `spendlog sql --format json` gives it), a
    breakdown list per row with --by, and the totals."""
    key = GRAINS[grain]

    def measures(row):
        return {name: jsonable(row[name]) for name in MEASURES}

    out, current = [], None
    for row in rows:
        if row["row_kind"] == "group":
            current = {key: row["label"], **measures(row)}
            if by:
                current["breakdown"] = []
            out.append(current)
        elif row["row_kind"] == "breakdown":
            current["breakdown"].append({by.dimension: row["breakdown"], **measures(row)})
    total = rows[-1]
    return {"grain": grain, "by": by.spec if by else None,
            "since": jsonable(since), "until": jsonable(until), "rows": out, "totals": measures(total)}
