"""The data home: lake layout, the manifest commit point, staging, garbage collection, the lock."""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import shutil
import time
import uuid
from pathlib import Path

import duckdb

from . import sql_text
from .config import Settings
from .errors import Busy, NewerHome

TABLES = ("usage", "rejects", "priced")
# The manifest's schema. 1: spendlog 0.2.0 and before; 2: every source entry has a status ('loaded' | 'refused').
MANIFEST_VERSION = 2
_HELD: set[Path] = set()  # homes whose lock this process holds: a command that locks may call another that does
INTERNAL_COLUMNS = ("dedupe_key", "dedupe_rank", "row_fingerprint")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_durably(tmp: Path, path: Path) -> None:
    """Move a finished file into place atomically and durably: fsync it, os.replace, fsync the directory. A reader
    that has the old file open keeps reading it."""
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def write_json(path: Path, data) -> None:
    """Write a JSON file atomically and durably: tmp, fsync, os.replace, fsync the directory."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
    replace_durably(tmp, path)


def migrated(manifest: dict, path: Path) -> dict:
    """manifest upgraded step by step to MANIFEST_VERSION; NewerHome for one a newer spendlog wrote."""
    version = manifest.get("version", 1)
    if version > MANIFEST_VERSION:
        raise NewerHome(f"{path} has manifest version {version}, newer than this spendlog reads "
                          f"({MANIFEST_VERSION}): upgrade spendlog")
    if version < 2:  # 1 → 2: a source entry without a status was loaded
        for entry in manifest["sources"].values():
            entry.setdefault("status", "loaded")
    manifest["version"] = MANIFEST_VERSION
    return manifest


class Lake:
    """One data home (DESIGN.md §2). `lake/` and `state/` are the store of record."""

    def __init__(self, home: Path):
        self.home = Path(home)
        self.lake = self.home / "lake"
        self.state = self.home / "state"
        self.staging = self.lake / ".staging"
        self.manifest_path = self.state / "manifest.json"
        self.tmp = self.home / "tmp"

    def ensure(self) -> None:
        for folder in (self.state, self.tmp, self.home / "reports", self.home / "logs", *(self.lake / t for t in TABLES)):
            folder.mkdir(parents=True, exist_ok=True)

    @contextlib.contextmanager
    def lock(self, wait: float = 0):
        """An exclusive fcntl.flock on state/lock, released by the kernel if the process dies; re-entrant within
        the process (nightly holds it while it ingests, re-prices and renders). Busy when another process holds it
        for longer than `wait` seconds."""
        self.ensure()
        key = self.home.resolve()
        if key in _HELD:
            yield
            return
        with open(self.state / "lock", "a+") as handle:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise Busy(f"another spendlog run holds {self.state / 'lock'}") from None
                    time.sleep(0.05)
            _HELD.add(key)
            try:
                yield
            finally:
                _HELD.discard(key)
                fcntl.flock(handle, fcntl.LOCK_UN)

    def read_manifest(self) -> dict:
        """The manifest in this release's schema (MANIFEST_VERSION): an older one is migrated in memory (migrated),
        and written back so by the next commit, which holds the lock; a newer one is refused."""
        if not self.manifest_path.exists():
            return {"version": MANIFEST_VERSION, "tables": {t: [] for t in TABLES}, "sources": {},
                    "priced_stamp": None}
        return migrated(json.loads(self.manifest_path.read_text(encoding="utf-8")), self.manifest_path)

    def write_manifest(self, manifest: dict, settings: Settings | None = None) -> None:
        """The commit point: tmp, fsync, os.replace, fsync the directory. Remembers the settings' config file."""
        if settings is not None and settings.config_file:
            manifest["config_file"] = str(settings.config_file)
        write_json(self.manifest_path, manifest)

    def read_state(self, name: str) -> dict:
        """state/<name>.json (sent.json, alerts.json, rendered.json), {} when absent."""
        path = self.state / f"{name}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def write_state(self, name: str, data: dict) -> None:
        self.state.mkdir(parents=True, exist_ok=True)
        write_json(self.state / f"{name}.json", data)

    def files(self, manifest: dict, table: str) -> list[Path]:
        return [self.home / rel for rel in manifest["tables"][table]]

    def new_stage(self) -> Path:
        run = self.staging / uuid.uuid4().hex[:12]
        run.mkdir(parents=True)
        return run

    def publish(self, staged: list[Path]) -> list[str]:
        """Fsync staged files and move them into place under lake/; returns their paths relative to home."""
        published = []
        for path in staged:
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
            stage_root = next(p for p in path.parents if p.parent == self.staging)
            target = self.lake / path.relative_to(stage_root)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            published.append(str(target.relative_to(self.home)))
        for folder in {(self.home / p).parent for p in published}:
            _fsync_dir(folder)
        return published

    def collect_garbage(self) -> int:
        """Delete staging leftovers and lake files the manifest does not name (call under the lock)."""
        shutil.rmtree(self.staging, ignore_errors=True)
        tables = self.read_manifest()["tables"]
        live = {str(self.home / rel) for t in TABLES for rel in tables[t]}
        removed = 0
        for table in TABLES:
            for path in (self.lake / table).rglob("*.parquet"):
                if str(path) not in live:
                    path.unlink()
                    removed += 1
        return removed


def connect(settings: Settings, database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with UTC time, the temp directory under the home and the memory limit."""
    Lake(settings.home).ensure()
    con = duckdb.connect(database)
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")  # no bars in cron's mail or a report's log
    con.execute(f"SET temp_directory = '{settings.home / 'tmp'}'")
    con.execute(f"SET memory_limit = '{settings.duckdb_memory_limit}'")
    con.execute(sql_text("schema/usage.sql"))
    con.execute(sql_text("schema/rejects.sql"))
    return con


def _files_literal(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def table_relation(lake: Lake, manifest: dict, table: str, empty: str) -> str:
    """SQL for one lake table: its manifest's files, or the empty schema table when it has none."""
    files = lake.files(manifest, table)
    if not files:
        return f"select * from {empty} where false"
    return f"select * from read_parquet({_files_literal(files)}, hive_partitioning = false)"


def file_month(rel: str) -> str:
    """The UTC month ('YYYY-MM') a lake file holds, from its utc_year=/utc_month= folders (write_partitioned)."""
    parts = dict(part.split("=", 1) for part in Path(rel).parts if part.startswith(("utc_year=", "utc_month=")))
    return f"{parts['utc_year']}-{parts['utc_month']}"


def file_day(rel: str) -> dt.date | None:
    """The UTC day a lake file written by_day holds (write_partitioned), None for a month's file."""
    found = re.search(r"-(\d{4}-\d{2}-\d{2})-[0-9a-f]{16}\.parquet$", rel)
    return dt.date.fromisoformat(found.group(1)) if found else None


def bind_usage(con, lake: Lake, manifest: dict, days: set[dt.date] | None = None) -> None:
    """Views usage_files (the manifest's usage files, internal columns too; only the rows of the UTC `days` when
    given) and pricing_input (without the internal columns)."""
    if days is not None:
        months = {f"{day:%Y-%m}" for day in days}
        usage = [rel for rel in manifest["tables"]["usage"] if file_month(rel) in months]
        manifest = {**manifest, "tables": {**manifest["tables"], "usage": usage}}
    relation = table_relation(lake, manifest, "usage", "usage_schema")
    if days and manifest["tables"]["usage"]:  # the range lets Parquet skip row groups (files are sorted by ts)
        listed = ", ".join(f"date '{day}'" for day in sorted(days))
        relation = (f"select * from ({relation}) where ts >= timestamptz '{min(days)}' "
                    f"and ts < timestamptz '{max(days) + dt.timedelta(days=1)}' and ts::date in ({listed})")
    con.execute(f"create or replace view usage_files as {relation}")
    if not manifest["tables"]["usage"]:
        con.execute("create or replace view usage_files as select *, null::varchar as dedupe_key, "
                    "null::bigint as dedupe_rank, null::varchar as row_fingerprint from usage_schema where false")
    con.execute(f"create or replace view pricing_input as "
                f"select * exclude ({', '.join(INTERNAL_COLUMNS)}) from usage_files")


COMPACT_FILES = 8  # a month with this many small files has them merged into one
COMPACT_BYTES = 32 * 1024 * 1024  # a file under this size is small


def compact(con, lake: Lake, manifest: dict, table: str, ts_column: str, stage: Path) -> list[Path]:
    """Merge each month's small files of a lake table (COMPACT_FILES of them or more, each under COMPACT_BYTES) into
    one sorted file in stage; the manifest names the merged file in their place once the caller publishes it
    (the caller writes the manifest: a run killed before leaves the small files in place). The rows are the same,
    so nothing derived from them changes. Returns the staged files; updates manifest["tables"][table] in place."""
    small: dict[str, list[str]] = {}
    for rel in manifest["tables"][table]:
        if (lake.home / rel).stat().st_size < COMPACT_BYTES:
            small.setdefault(file_month(rel), []).append(rel)
    staged, merged = [], set()
    for month, files in sorted(small.items()):
        if len(files) < COMPACT_FILES:
            continue
        staged += write_partitioned(con, f"select * from read_parquet({_files_literal([lake.home / f for f in files])}, "
                                         "hive_partitioning = false)", stage / table, table, ts_column)
        merged.update(files)
    manifest["tables"][table] = [rel for rel in manifest["tables"][table] if rel not in merged]
    return staged


def write_partitioned(con, query: str, folder: Path, prefix: str, ts_column: str, params=None,
                      by_day: bool = False) -> list[Path]:
    """Write a query's rows as one Parquet file per UTC month (utc_year=/utc_month=), sorted by ts_column; by_day:
    one file per UTC day, in its month's folder, the day in its name (file_day)."""
    order = "" if by_day else f" order by {ts_column}"  # a day's rows are sorted as its file is written
    con.execute(f"create or replace temp table to_write as select * from ({query}){order}", params or {})
    unit = "day" if by_day else "month"
    starts = con.execute(f"select distinct date_trunc('{unit}', {ts_column})::date from to_write order by 1").fetchall()
    written = []
    for (start,) in starts:
        day = f"-{start:%Y-%m-%d}" if by_day else ""
        target = (folder / f"utc_year={start.year}" / f"utc_month={start.month:02d}"
                  / f"{prefix}{day}-{uuid.uuid4().hex[:16]}.parquet")
        target.parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"copy (select * from to_write where {ts_column} >= $start::timestamptz "
                    f"and {ts_column} < ($start + interval 1 {unit})::timestamptz order by {ts_column}) "
                    f"to '{target}' (format parquet, compression zstd)", {"start": start})
        written.append(target)
    con.execute("drop table to_write")
    return written
