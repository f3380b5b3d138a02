"""The views users query (DESIGN.md §2: usage, priced_usage, spend, rejects, prices, ingested_files, daily_spend,
and the price_as macro), over the manifest's files; sql/model/views.sql."""
from __future__ import annotations

import pyarrow as pa

from . import run_sql, sql_text
from .config import Settings
from .lake import Lake, bind_usage, connect, table_relation
from .priced import bind_config, ensure_current
from .pricing import load_catalog


def open_views(settings: Settings, database: str = ":memory:"):
    """A connection with every user-facing view over the current (re-priced if stale) lake."""
    manifest = ensure_current(settings)
    con = connect(settings, database)
    create_views(con, settings, manifest)
    return con


def create_views(con, settings: Settings, manifest: dict) -> None:
    """The views, the pricing macros and what they read (the catalogue and file accounting as small tables, the
    lake tables as views over the manifest's files by absolute path), in the connection's current database: in
    memory for open_views, the warehouse file for refresh_warehouse."""
    lake = Lake(settings.home)
    load_catalog(con, settings.user_price_file)
    bind_usage(con, lake, manifest)
    con.execute(f"create or replace view rejects_files as "
                f"{table_relation(lake, manifest, 'rejects', 'rejects_schema')}")
    if manifest["tables"]["priced"]:
        con.execute(f"create or replace view priced_files as "
                    f"{table_relation(lake, manifest, 'priced', 'usage_schema')}")
    else:
        bind_config(con, settings)
        con.execute(f"create or replace table priced_files as {sql_text('model/attribution.sql')}",
                    {"timezone": settings.timezone})
    con.register("ingested_files_arrow", ingested_files_table(manifest))
    con.execute("create or replace table ingested_files_table as select * from ingested_files_arrow")
    con.unregister("ingested_files_arrow")
    run_sql(con, "model/views.sql")


def ingested_files_table(manifest: dict) -> pa.Table:
    columns = [("path", pa.string()), ("size", pa.int64()), ("mtime_ns", pa.int64()), ("sha256", pa.string()),
               ("format", pa.string()), ("normalizer_version", pa.int64()), ("ingested_at", pa.string()),
               ("records_read", pa.int64()), ("rows_loaded", pa.int64()), ("rows_replaced", pa.int64()),
               ("duplicates", pa.int64()), ("rows_rejected", pa.int64()), ("ignored", pa.int64()),
               ("status", pa.string()), ("error", pa.string())]
    rows = [
        {**{name: entry.get(name) for name, _ in columns}, "path": path,
         "ignored": sum((entry.get("ignored") or {}).values())}
        for path, entry in sorted(manifest["sources"].items())
    ]
    return pa.Table.from_pylist(rows, schema=pa.schema(columns))
