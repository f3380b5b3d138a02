"""The priced table (lake/priced): every usage row priced and attributed, rebuilt when its stamp is stale."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from dataclasses import asdict

import pyarrow as pa

from . import sql_text
from .config import Settings, glob_to_regex
from .lake import Lake, bind_usage, connect, file_day, write_partitioned
from .pricing import catalog_version, load_catalog

PRICED_SQL = ("model/catalog.sql", "model/pricing.sql", "model/attribution.sql")
READER_WAIT_S = 30  # how long a query that must re-price first waits for another run's lock


@functools.cache
def _sql_digest() -> str:
    return hashlib.sha256("".join(sql_text(name) for name in PRICED_SQL).encode()).hexdigest()


def stamp(settings: Settings) -> str:
    """What priced data depends on: the pricing and derive SQL, the catalogues, attribution, sources and the
    timezone."""
    user = settings.user_price_file
    parts = {
        "sql": _sql_digest(),
        "catalog": catalog_version(),
        "user_prices": hashlib.sha256(user.read_bytes()).hexdigest() if user else None,
        "attribution": [asdict(rule) for rule in settings.attribution],
        "sources": [asdict(source) for source in settings.sources],
        "timezone": settings.timezone,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def bind_config(con, settings: Settings) -> None:
    """The [[sources]] and [[attribution]] tables that sql/model/attribution.sql joins."""
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


def reprice(con, lake: Lake, manifest: dict, settings: Settings, days: set[dt.date] | None = None) -> None:
    """Rebuild lake/priced from the manifest's usage files, one file per UTC day; updates manifest in place (caller
    commits). With `days` (UTC) and priced data current otherwise, only those days are priced again: every rule that
    looks beyond its row (money-only buckets, one statement per biller) looks within a UTC day."""
    priced = manifest["tables"]["priced"]
    if manifest.get("priced_stamp") != stamp(settings) or any(file_day(rel) is None for rel in priced):
        days = None  # stale, or priced by month (before 0.3): all of it again
    if days is not None and not days:
        return
    load_catalog(con, settings.user_price_file)
    bind_config(con, settings)
    bind_usage(con, lake, manifest, days)
    stage = lake.new_stage()
    staged = write_partitioned(con, sql_text("model/attribution.sql"), stage / "priced", "priced", "ts",
                               {"timezone": settings.timezone}, by_day=True)
    kept = [rel for rel in priced if days is not None and file_day(rel) not in days]
    manifest["tables"]["priced"] = kept + lake.publish(staged)
    manifest["priced_stamp"] = stamp(settings)


def ensure_current(settings: Settings) -> dict:
    """The manifest, after re-pricing under the lock if priced data is stale."""
    lake = Lake(settings.home)
    manifest = lake.read_manifest()
    if manifest.get("priced_stamp") == stamp(settings) or not manifest["tables"]["usage"]:
        return manifest
    with lake.lock(wait=READER_WAIT_S):  # a run finishing its commit (the warehouse) holds the lock a moment
        manifest = lake.read_manifest()
        if manifest.get("priced_stamp") != stamp(settings):
            con = connect(settings)
            reprice(con, lake, manifest, settings)
            lake.write_manifest(manifest, settings)
            con.close()
    return manifest


