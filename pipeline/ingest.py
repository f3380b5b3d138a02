"""Ingest: source files in, canonical rows and rejects out, committed through the manifest."""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from . import derived, run_sql, sql_text
from .config import Settings
from .formats import detect
from .lake import Lake, connect
from .lines import READERS, FileError, LineStats

SOURCE_SUFFIXES = (".jsonl", ".json", ".ndjson", ".csv", ".log", ".gz")
RAW_CAP = 64 * 1024


@dataclass
class FileResult:
    path: str
    format: str | None = None
    records_read: int = 0
    rows_loaded: int = 0
    rows_replaced: int = 0
    duplicates: int = 0
    rows_rejected: int = 0
    ignored: dict = field(default_factory=dict)
    error: str | None = None
    skipped: bool = False

    def balanced(self) -> bool:
        """The line accounting: read = loaded + replaced + duplicates + rejected + ignored."""
        return self.records_read == (
            self.rows_loaded + self.rows_replaced + self.duplicates + self.rows_rejected + sum(self.ignored.values())
        )


@dataclass
class RunSummary:
    files: list[FileResult]

    def as_dict(self) -> dict:
        done = [f for f in self.files if not f.skipped and not f.error]
        return {
            "files": len(done),
            "files_skipped": sum(f.skipped for f in self.files),
            "file_errors": [{"path": f.path, "error": f.error} for f in self.files if f.error],
            "records_read": sum(f.records_read for f in done),
            "rows_loaded": sum(f.rows_loaded for f in done),
            "rows_replaced": sum(f.rows_replaced for f in done),
            "duplicates": sum(f.duplicates for f in done),
            "rows_rejected": sum(f.rows_rejected for f in done),
            "ignored": sum(sum(f.ignored.values()) for f in done),
        }


def discover(paths: list[str]) -> list[Path]:
    """Files named, and files under folders named, in a stable order; side-car batch objects excluded."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser().resolve()
        if path.is_dir():
            found.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and p.name.endswith(SOURCE_SUFFIXES) and not p.name.endswith(".batch.json")
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {raw}")
    return list(dict.fromkeys(found))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Macros and this run's working tables."""
    con.execute("create temp table raw_lines (line bigint, bytes blob)")
    con.execute(sql_text("normalize/_macros.sql"))
    con.execute("""
        create temp table candidates as
        select *, null::varchar as dedupe_key, null::bigint as dedupe_rank, null::varchar as row_fingerprint,
               null::bigint as total_tokens, null::varchar as raw_text
        from usage_schema where false""")
    con.execute("create temp table new_rejects as select * from rejects_schema where false")


def normalize_file(con, path: Path, module, settings: Settings, options: dict, ingested_at: str) -> FileResult:
    """Read one file's lines into DuckDB, run its normalizer, keep its rows and rejects for this run."""
    result = FileResult(path=str(path), format=module.NAME)
    params = module.params(path, options)
    stats = LineStats()
    con.execute("delete from raw_lines")
    reader = READERS[getattr(module, "READER", "lines")]
    for batch in reader(path, stats, settings.pending_grace_minutes):
        con.execute("insert into raw_lines select * from batch")
    mtime = os.stat(path).st_mtime
    max_bytes = settings.max_line_bytes if reader is not READERS["document"] else 2**62
    con.execute(
        f"create or replace temp table normalized as {sql_text(module.SQL)}",
        {
            "source_file": str(path), "source_format": module.NAME, "ingested_at": ingested_at,
            "file_mtime": _iso(mtime), "max_line_bytes": max_bytes, **params,
        },
    )
    con.execute("alter table normalized add column if not exists dedupe_rank bigint default 0")
    counts = con.execute("""
        select count(*),
               count(*) filter (where status is not null and not starts_with(status, 'ignored:')),
               list(status) filter (where starts_with(status, 'ignored:'))
        from normalized""").fetchall()[0]
    result.records_read, result.rows_rejected = counts[0], counts[1]
    for status in counts[2] or []:
        reason = status.removeprefix("ignored:")
        result.ignored[reason] = result.ignored.get(reason, 0) + 1
    if reader is READERS["document"] and result.records_read == 0:
        raise FileError("unrecognised_format", "a JSON document with no records this format knows")
    if result.rows_rejected * 2 > result.records_read:
        raise FileError("too_many_rejects", f"{result.rows_rejected} of {result.records_read} records rejected")
    run_sql(con, "ingest/keep_file.sql", {
        "app": options.get("app"), "ingested_at": ingested_at, "source_file": str(path), "source_format": module.NAME,
        "document": reader is READERS["document"]})
    return result


def _iso(epoch: float) -> str:
    import datetime as dt
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).isoformat()


def ingest(
    settings: Settings,
    paths: list[str],
    fmt: str | None = None,
    options: dict | None = None,
    progress: Callable[[Path], None] | None = None,
) -> RunSummary:
    """Ingest files and folders; one commit for the whole run. Options: app, batch_id, batch_ended_at."""
    options = options or {}
    lake = Lake(settings.home)
    files = discover(paths)
    with lake.lock():
        lake.collect_garbage()
        manifest = lake.read_manifest()
        con = connect(settings)
        prepare(con)
        ingested_at = settings.now().isoformat()
        results, to_record = [], {}
        for path in files:
            if progress:
                progress(path)
            result, entry = _ingest_one(con, path, fmt, settings, options, manifest, ingested_at)
            results.append(result)
            if entry:
                to_record[str(path)] = entry
        loaded = [r for r in results if not r.skipped and not r.error]
        if loaded:
            _commit(con, lake, manifest, settings, loaded, to_record, ingested_at)
        elif to_record:
            for key, entry in to_record.items():
                manifest["sources"][key] = entry
            lake.write_manifest(manifest, settings)
        con.close()
    return RunSummary(results)


def configured_format(settings: Settings, path: Path) -> str | None:
    """The format of the first [[sources]] entry whose path matches the file (None: detect)."""
    for source in settings.sources:
        if re.fullmatch(derived.glob_to_regex(source.path, True), str(path)):
            return source.format
    return None


def _ingest_one(con, path: Path, fmt, settings, options, manifest, ingested_at):
    """One file: skip when unchanged, else normalize it. Returns its result and its manifest entry."""
    stat = path.stat()
    known = manifest["sources"].get(str(path))
    if known and (known["size"], known["mtime_ns"]) == (stat.st_size, stat.st_mtime_ns):
        return FileResult(path=str(path), format=known["format"], skipped=True), None
    digest = sha256_file(path)
    if known and known["sha256"] == digest:
        return FileResult(path=str(path), format=known["format"], skipped=True), {
            **known, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    try:
        module = detect(path, fmt or configured_format(settings, path), settings.csv_formats)
        result = normalize_file(con, path, module, settings, options, ingested_at)
    except FileError as exc:
        return FileResult(path=str(path), error=str(exc)), None
    entry = {
        "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest, "format": module.NAME,
        "normalizer_version": module.VERSION, "ingested_at": ingested_at, "app": options.get("app"),
    }
    return result, entry


def _commit(con, lake: Lake, manifest: dict, settings: Settings, results: list[FileResult], entries: dict, ingested_at):
    """Dedupe against the lake, stage the new files, re-price, publish, write the manifest."""
    by_path = {r.path: r for r in results}
    live_usage = lake.files(manifest, "usage")
    con.execute("create or replace temp table lake_rows as select null::varchar as dedupe_key, "
                "null::bigint as dedupe_rank, null::varchar as row_fingerprint, null::bigint as total_tokens, "
                "null::varchar as source_file, null::bigint as source_line, null::varchar as lake_file where false")
    if live_usage:
        con.execute(
            "insert into lake_rows select dedupe_key, dedupe_rank, row_fingerprint, total_tokens, source_file, "
            "source_line, filename from read_parquet($files, hive_partitioning = false, filename = true) "
            "where dedupe_key in (select dedupe_key from candidates)",
            {"files": [str(p) for p in live_usage]},
        )
    con.execute(f"create or replace temp table outcomes as {sql_text('dedupe.sql')}")
    for source_file, outcome, n in con.execute(
        "select source_file, outcome, count(*) from outcomes where origin = 'new' group by all").fetchall():
        result = by_path[source_file]
        if outcome == "load":
            result.rows_loaded += n
        elif outcome == "replace":
            result.rows_replaced += n
        elif outcome in ("duplicate", "superseded"):
            result.duplicates += n
        else:
            result.rows_rejected += n
    run_sql(con, "ingest/conflict_rejects.sql", {"ingested_at": ingested_at})

    stage = lake.new_stage()
    staged = derived.write_partitioned(
        con, "select c.* exclude (raw_text) from candidates c join outcomes o using (source_file, source_line) "
             "where o.origin = 'new' and o.outcome in ('load', 'replace')",
        stage / "usage", "usage", "ts")
    staged += derived.write_partitioned(con, "select * from new_rejects", stage / "rejects", "rejects", "ingested_at")

    displaced = con.execute(
        "select lake_file, list(source_file), list(outcome) from outcomes "
        "where outcome in ('displaced', 'superseded_in_lake') group by lake_file"
    ).fetchall()
    old_usage = set()
    for lake_file, sources, outcomes in displaced:
        old_usage.add(str(Path(lake_file).relative_to(lake.home)))
        staged += derived.write_partitioned(
            con,
            f"select * from read_parquet('{lake_file}') where (source_file, source_line) not in "
            "(select (source_file, source_line) from outcomes where outcome in ('displaced', 'superseded_in_lake'))",
            stage / "usage", "usage", "ts")
        for source, outcome in zip(sources, outcomes):
            if source in by_path:  # read again in this run: its counts are this run's
                continue
            entry = entries.get(source) or manifest["sources"].get(source)  # entries: unchanged, re-hashed files
            if entry:
                key = "rows_loaded" if entry.get("rows_loaded", 0) > 0 else "rows_replaced"
                entry[key] -= 1
                moved_to = "rows_rejected" if outcome == "displaced" else "duplicates"
                entry[moved_to] = entry.get(moved_to, 0) + 1

    for key, entry in entries.items():
        result = by_path.get(key)
        if result:
            entry.update(records_read=result.records_read, rows_loaded=result.rows_loaded,
                         rows_replaced=result.rows_replaced, duplicates=result.duplicates,
                         rows_rejected=result.rows_rejected, ignored=result.ignored)
        manifest["sources"][key] = entry

    usage_files = [p for p in manifest["tables"]["usage"] if p not in old_usage]
    published = lake.publish(staged)
    manifest["tables"]["usage"] = usage_files + [p for p in published if p.startswith("lake/usage/")]
    manifest["tables"]["rejects"] += [p for p in published if p.startswith("lake/rejects/")]
    derived.reprice(con, lake, manifest, settings)
    lake.write_manifest(manifest, settings)
