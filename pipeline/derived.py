"""The derived layer: priced rows with attribution (lake/priced), its stamp, and the views over the lake."""
from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import asdict
from pathlib import Path

import pyarrow as pa

from . import sql_statements, sql_text
try:
    from . import pricing
except ImportError:  # TEMP while pricing is written
    pricing = None
from .config import Settings
from .lake import Lake, connect, table_relation

INTERNAL_COLUMNS = ("dedupe_key", "dedupe_rank", "row_fingerprint")


def glob_to_regex(pattern: str, path: bool) -> str:
    """A shell glob as an RE2 full-match pattern; for paths `*` stops at `/` and `**/` spans folders."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i) and path:
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*" if path else ".*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]" if path else ".")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


PRICED_SQL = ("catalog.sql", "pricing.sql", "derive.sql")


def stamp(settings: Settings) -> str:
    """What priced data depends on: the pricing and derive SQL, the catalogues, attribution, sources and the
    timezone."""
    user = settings.user_price_file
    parts = {
        "sql": hashlib.sha256("".join(sql_text(name) for name in PRICED_SQL).encode()).hexdigest(),
        "catalog": pricing.catalog_version(),
        "user_prices": hashlib.sha256(user.read_bytes()).hexdigest() if user else None,
        "attribution": [asdict(rule) for rule in settings.attribution],
        "sources": [asdict(source) for source in settings.sources],
        "timezone": settings.timezone,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def bind_config(con, settings: Settings) -> None:
    """The [[sources]] and [[attribution]] tables that sql/derive.sql joins."""
    keys = ("api_key", "workspace", "project", "path")
    sources = [
        {"idx": i, "pattern": glob_to_regex(s.path, True), "app": s.app, "role": s.role, "billing": s.billing,
         "label": s.label or s.path, "rule": f"[[sources]] #{i + 1}: path = {s.label or s.path}"}
        for i, s in enumerate(settings.sources)
    ]
    rules = [
        {"idx": i, "app": r.app,
         "rule": f"[[attribution]] #{i + 1}: " + ", ".join(f"{k} = {getattr(r, k)}" for k in keys if getattr(r, k)),
         **{k: glob_to_regex(getattr(r, k), k == "path") if getattr(r, k) else None for k in keys}}
        for i, r in enumerate(settings.attribution)
    ]
    source_schema = pa.schema([("idx", pa.int64()), ("pattern", pa.string()), ("app", pa.string()),
                               ("role", pa.string()), ("billing", pa.string()), ("label", pa.string()),
                               ("rule", pa.string())])
    rule_schema = pa.schema([("idx", pa.int64()), ("app", pa.string()), ("rule", pa.string()),
                             ("api_key", pa.string()), ("workspace", pa.string()), ("project", pa.string()),
                             ("path", pa.string())])
    source_table = pa.Table.from_pylist(sources, schema=source_schema)
    rule_table = pa.Table.from_pylist(rules, schema=rule_schema)
    con.execute("create or replace temp table config_sources as select * from source_table")
    con.execute("create or replace temp table attribution_rules as select * from rule_table")


def priced_query(con) -> str:
    """Binds priced_rows (sql/pricing.sql over pricing_input); returns sql/derive.sql, which reads it."""
    con.execute(f"create or replace temp view priced_rows as {sql_text('pricing.sql')}")
    return sql_text("derive.sql")


def write_partitioned(con, query: str, folder: Path, prefix: str, ts_column: str, params=None) -> list[Path]:
    """Write a query's rows as one Parquet file per UTC month (utc_year=/utc_month=), sorted by ts_column."""
    con.execute(f"create or replace temp table to_write as {query}", params or {})
    months = con.execute(
        f"select distinct year({ts_column}), month({ts_column}) from to_write order by all").fetchall()
    written = []
    for year, month in months:
        target = folder / f"utc_year={year}" / f"utc_month={month:02d}" / f"{prefix}-{uuid.uuid4().hex[:16]}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"copy (select * from to_write where year({ts_column}) = {year} and month({ts_column}) = {month} "
            f"order by {ts_column}) to '{target}' (format parquet, compression zstd)")
        written.append(target)
    con.execute("drop table to_write")
    return written


def bind_usage(con, lake: Lake, manifest: dict) -> None:
    con.execute(f"create or replace temp view usage_files as "
                f"{table_relation(lake, manifest, 'usage', 'usage_schema')}")
    if not manifest["tables"]["usage"]:
        con.execute("create or replace temp view usage_files as select *, null::varchar as dedupe_key, "
                    "null::bigint as dedupe_rank, null::varchar as row_fingerprint from usage_schema where false")
    con.execute(f"create or replace temp view pricing_input as "
                f"select * exclude ({', '.join(INTERNAL_COLUMNS)}) from usage_files")


def reprice(con, lake: Lake, manifest: dict, settings: Settings) -> None:
    """Rebuild lake/priced from the manifest's usage files; updates manifest in place (caller commits)."""
    pricing.load_catalog(con, settings.user_price_file)
    bind_config(con, settings)
    bind_usage(con, lake, manifest)
    stage = lake.new_stage()
    staged = write_partitioned(con, priced_query(con), stage / "priced", "priced", "ts", {"timezone": settings.timezone})
    manifest["tables"]["priced"] = lake.publish(staged)
    manifest["priced_stamp"] = stamp(settings)


def ensure_current(settings: Settings) -> dict:
    """The manifest, after re-pricing under the lock if priced data is stale."""
    lake = Lake(settings.home)
    manifest = lake.read_manifest()
    if manifest.get("priced_stamp") == stamp(settings) or not manifest["tables"]["usage"]:
        return manifest
    with lake.lock():
        manifest = lake.read_manifest()
        if manifest.get("priced_stamp") != stamp(settings):
            con = connect(settings)
            reprice(con, lake, manifest, settings)
            lake.write_manifest(manifest, settings)
            con.close()
    return manifest


def open_views(settings: Settings, database: str = ":memory:"):
    """A connection with every user-facing view over the current (re-priced if stale) lake."""
    manifest = ensure_current(settings)
    lake = Lake(settings.home)
    con = connect(settings, database)
    pricing.load_catalog(con, settings.user_price_file)
    bind_usage(con, lake, manifest)
    con.execute(f"create or replace temp view rejects_files as "
                f"{table_relation(lake, manifest, 'rejects', 'rejects_schema')}")
    if manifest["tables"]["priced"]:
        con.execute(f"create or replace temp view priced_files as "
                    f"{table_relation(lake, manifest, 'priced', 'usage_schema')}")
    else:
        bind_config(con, settings)
        con.execute(f"create or replace temp table priced_files as {priced_query(con)}", {"timezone": settings.timezone})
    files = ingested_files_table(manifest)
    con.execute("create or replace temp table ingested_files_table as select * from files")
    for statement in sql_statements("views.sql"):
        con.execute(statement.replace("create or replace view", "create or replace temp view"))
    pricing.create_price_as_macro(con)
    return con


def ingested_files_table(manifest: dict) -> pa.Table:
    columns = [("path", pa.string()), ("size", pa.int64()), ("mtime_ns", pa.int64()), ("sha256", pa.string()),
               ("format", pa.string()), ("normalizer_version", pa.int64()), ("ingested_at", pa.string()),
               ("records_read", pa.int64()), ("rows_loaded", pa.int64()), ("rows_replaced", pa.int64()),
               ("duplicates", pa.int64()), ("rows_rejected", pa.int64()), ("ignored", pa.int64())]
    rows = [
        {**{name: entry.get(name) for name, _ in columns}, "path": path,
         "ignored": sum((entry.get("ignored") or {}).values())}
        for path, entry in sorted(manifest["sources"].items())
    ]
    return pa.Table.from_pylist(rows, schema=pa.schema(columns))
