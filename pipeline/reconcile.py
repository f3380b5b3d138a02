"""`spendlog reconcile`: a month's computed cost against the cost providers and gateways state, the rows of the
reports' reconciliation section (sql/reports/reconciliation.sql)."""
from __future__ import annotations

import calendar
import datetime as dt

from .output import format_table
from .reports import load_macros, run_section
from .views import open_views

COLUMNS = [("day (UTC)", "day_fmt"), ("provider", "provider_fmt"), ("model", "model_fmt"), ("stated by", "stated_by"),
           ("computed", "computed_fmt"), ("stated", "stated_fmt"), ("difference", "difference_fmt"),
           ("diff %", "difference_pct_fmt"), ("", "flag_fmt")]
MONEY = {"computed", "stated", "difference", "diff %"}


def reconciliation_rows(settings, month: dt.date) -> list[dict]:
    """The reconciliation lines of the local month that starts on month."""
    end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    con = open_views(settings)
    try:
        load_macros(con)
        return run_section(con, "reconciliation", {"start": month, "end": end, "tz": settings.timezone}).to_pylist()
    finally:
        con.close()


def reconcile(settings, month: dt.date) -> tuple[list[str], bool]:
    """The lines to print (the table, then a one-line verdict) and whether a line is flagged."""
    rows = reconciliation_rows(settings, month)
    label = f"{month:%Y-%m}"
    if not rows:
        return [f"Nothing to reconcile in {label}: no cost export and no request log states a cost "
                "(reported_cost_usd)."], False
    first = rows[0]
    columns = COLUMNS if first["flagged_lines"] else COLUMNS[:-1]
    right = {i for i, (title, _) in enumerate(columns) if title in MONEY}
    table = format_table([title for title, _ in columns], [[row[key] for _, key in columns] for row in rows],
                         right, "line")
    if first["flagged_lines"]:
        verdict = (f"{first['flagged_lines_fmt']} of {first['lines_fmt']} lines in {label} differ from the stated "
                   "cost by more than 1%.")
    else:
        verdict = f"All {first['lines_fmt']} lines in {label} match the stated cost within 1%."
    notes = ["† computed leaves out unpriced rows (spendlog prices check)."] if first["unpriced_lines"] else []
    return [table, *notes, verdict], bool(first["flagged_lines"])
