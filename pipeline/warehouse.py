"""The warehouse: home/warehouse.duckdb, a DuckDB file holding the views of sql/model/views.sql (and the price_as
macro) over the manifest's Parquet files, for DuckDB clients, harlequin and BI tools. Rebuilt into a temp file and
swapped in atomically, only when the manifest (or what the views are made of) changed; a reader that has the old
file open keeps reading it."""
from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import uuid
from pathlib import Path

from . import run_sql, sql_named, sql_text
from .config import Settings
from .lake import Lake, connect, replace_durably
from .priced import ensure_current, stamp
from .views import create_views

WAREHOUSE = "warehouse.duckdb"
# What the warehouse is made of besides the manifest and the priced stamp (which covers the catalogue and config).
WAREHOUSE_SQL = ("warehouse/build.sql", "schema/usage.sql", "schema/rejects.sql", "model/views.sql",
                 "model/pricing.sql", "prices/price_as.sql")


def warehouse_path(settings: Settings) -> Path:
    return settings.home / WAREHOUSE


@functools.cache
def _sql_digest() -> str:
    return hashlib.sha256("".join(sql_text(name) for name in WAREHOUSE_SQL).encode()).hexdigest()


def warehouse_key(settings: Settings, manifest: dict) -> str:
    """The hash of what the warehouse shows: the manifest, the priced stamp and the warehouse's SQL."""
    parts = {"manifest": manifest, "stamp": stamp(settings), "sql": _sql_digest()}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


@contextlib.contextmanager
def _build_lock(lake: Lake):
    """One build at a time per home (waiting for the other), so the newest manifest is the one swapped in last."""
    lake.ensure()
    with open(lake.state / "warehouse.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def refresh_warehouse(settings: Settings) -> bool:
    """Rebuild home/warehouse.duckdb if it is missing or the manifest changed since it was built (re-pricing first
    if prices are stale); True when it was rebuilt. The key of the build is kept in state/warehouse.json."""
    lake = Lake(settings.home)
    path = warehouse_path(settings)
    with _build_lock(lake):
        manifest = ensure_current(settings)
        key = warehouse_key(settings, manifest)
        if path.exists() and lake.read_state("warehouse").get("key") == key:
            return False
        for left in settings.home.glob(f".{WAREHOUSE}.*.tmp*"):  # a build killed before its cleanup (we hold the lock)
            left.unlink(missing_ok=True)
        tmp = settings.home / f".{WAREHOUSE}.{uuid.uuid4().hex[:12]}.tmp"
        statements = sql_named("warehouse/build.sql")
        try:
            con = connect(settings)
            con.execute(statements["attach"], {"path": str(tmp)})
            con.execute(statements["use_warehouse"])
            run_sql(con, "schema/usage.sql")
            run_sql(con, "schema/rejects.sql")
            create_views(con, settings, manifest)
            con.execute(statements["use_memory"])
            con.execute(statements["detach_warehouse"])
            con.close()
            replace_durably(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
            tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        lake.write_state("warehouse", {"key": key, "built_at": settings.now().isoformat()})
    return True
