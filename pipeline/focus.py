"""`spendlog export focus`: a month of spend as a FinOps FOCUS 1.2 dataset, CSV or Parquet (sql/export/focus.sql)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from . import sql_named, used_params
from .output import replaced_atomically
from .reports import load_macros
from .views import open_views

FORMATS = {".csv": "csv", ".parquet": "parquet"}
# DateTimeFormat of FOCUS: ISO 8601 in UTC with a Z (the connection's time zone is UTC)
CSV_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Export:
    path: Path
    rows: int
    billed_usd: Decimal
    billed_fmt: str
    unpriced_rows: int


def export_format(path: Path) -> str:
    """'csv' or 'parquet' by the file's extension; ValueError for any other."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise ValueError(f"{path.name}: the file name must end in .csv or .parquet") from None


def export_focus(settings, month: dt.date, out: Path) -> Export:
    """Write the FOCUS rows of the local month that starts on month to out (its folder made if need be), atomically:
    a temporary file beside it, then a rename. The rows written, their sum of BilledCost (and its display) and how
    many unpriced rows were left out."""
    out = Path(out)
    fmt = export_format(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    statements = sql_named("export/focus.sql")
    params = {"month": month, "tz": settings.timezone}
    con = open_views(settings)
    try:
        load_macros(con)
        for name in ("input", "rows"):
            con.execute(statements[name], used_params(statements[name], params))
        rows = con.table("focus_rows")
        with replaced_atomically(out) as tmp:
            if fmt == "csv":
                rows.write_csv(str(tmp), header=True, timestamp_format=CSV_TIMESTAMP_FORMAT)
            else:
                rows.write_parquet(str(tmp))
        ((count, billed, billed_fmt, left_out),) = con.execute(statements["totals"]).fetchall()
    finally:
        con.close()
    return Export(out, count, billed, billed_fmt, left_out)
