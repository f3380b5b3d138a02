"""Ingest: source files in, canonical rows and rejects out, committed through the manifest."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import pyarrow as pa

from . import fetch_dicts, run_sql, sql_text, used_params
from .config import Settings
from .errors import FileError, MissingInput, disk_full_message
from .formats import detect
from .lake import Lake, compact, connect, table_relation, write_partitioned
from .lines import BOM, READERS, LineStats, read_head
from .priced import reprice

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
    pending_line: int | None = None  # a last line without a newline, still being written: read next run


@dataclass
class RunSummary:
    files: list[FileResult]

    def over_threshold(self, threshold: float) -> list[FileResult]:
        """The files with more rejected records than [ingest] reject_threshold of their records."""
        return [f for f in self.files if f.records_read and f.rows_rejected > threshold * f.records_read]

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
            "pending": [{"path": f.path, "line": f.pending_line} for f in done if f.pending_line],
        }


def discover(paths: list[str]) -> list[Path]:
    """Files named, and files under folders named, in a stable order; side-car batch objects excluded."""
    found: list[Path] = []
    for raw in paths:
        try:
            path = Path(raw).expanduser().resolve()
        except (RuntimeError, OSError):  # a symlink loop (RuntimeError before Python 3.13)
            raise MissingInput(f"{raw} is a symlink loop: point it at a file or folder, or remove it") from None
        if path.is_dir():
            found.extend(
                p for p in sorted(path.rglob("*"), key=lambda p: p.parts)  # Path order, without Path compares
                if (p.is_file() or dangling(p)) and p.name.endswith(SOURCE_SUFFIXES)
                and not p.name.endswith(".batch.json")
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            found.append(path)
        else:
            raise MissingInput(f"no such file or folder: {raw}")
    return list(dict.fromkeys(found))


def dangling(path: Path) -> bool:
    """A symlink whose target is not there (a log rotated away): listed, so the run says so (triage refuses it
    as unreadable). A symlink loop is not dangling: it is skipped."""
    return path.is_symlink() and not os.path.lexists(os.path.realpath(path))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Macros and this run's working tables."""
    run_sql(con, "ingest/prepare.sql")
    con.execute(sql_text("normalize/_macros.sql"))  # after the tables its table macros read
    run_sql(con, "ingest/conform.sql")


@dataclass
class Pending:
    """A file to read: its format, its format's parameters and its manifest entry (written once loaded)."""
    path: Path
    module: object
    params: dict
    entry: dict

    @property
    def weight(self) -> int:
        """About how many bytes it takes once read (gzip typically shrinks logs about 8 times)."""
        return self.entry["size"] * (8 if self.path.name.endswith(".gz") else 1)

    @property
    def group(self) -> tuple:
        """Files of one format with the same parameters are normalized by one statement."""
        return self.module.name, json.dumps(self.params, sort_keys=True, default=str)


BATCH_BYTES = 64 * 1024 * 1024  # at most this much raw input in one statement
BATCH_FILES = 2000


def batches(pending: list[Pending]) -> Iterator[list[Pending]]:
    """The pending files in groups of one format and parameters, each under BATCH_BYTES and BATCH_FILES."""
    groups: dict[tuple, list[Pending]] = {}
    for item in pending:
        groups.setdefault(item.group, []).append(item)
    for items in groups.values():
        batch, size = [], 0
        for item in items:
            if batch and (size + item.weight > BATCH_BYTES or len(batch) >= BATCH_FILES):
                yield batch
                batch, size = [], 0
            batch.append(item)
            size += item.weight
        if batch:
            yield batch


READ_FILES = pa.schema([("file_id", pa.int64()), ("source_file", pa.string()), ("file_mtime", pa.string()),
                        ("app", pa.string())])
BUFFER_BYTES = 32 * 1024 * 1024


class LinesBuffer:
    """Lines bound for raw_lines, inserted BUFFER_BYTES at a time: a statement per file costs more than a small
    file's lines (a Claude Code tree is thousands of them)."""

    def __init__(self, con):
        self.con, self.tables, self.size = con, [], 0

    def add(self, file_id: int, lines: pa.Table) -> None:
        self.tables.append((file_id, lines.add_column(0, "file_id", pa.repeat(pa.scalar(file_id, pa.int64()),
                                                                             len(lines)))))
        self.size += lines.nbytes
        if self.size >= BUFFER_BYTES:
            self.flush()

    def drop(self, file_id: int) -> None:
        """Forget a file's lines, buffered or inserted (it is refused)."""
        self.tables = [(f, table) for f, table in self.tables if f != file_id]
        self.con.execute("delete from raw_lines where file_id = $file_id", {"file_id": file_id})

    def flush(self) -> None:
        if self.tables:
            lines = pa.concat_tables([table for _, table in self.tables])
            self.con.execute("insert into raw_lines select file_id, line, bytes from lines")
        self.tables, self.size = [], 0


def normalize_files(con, batch: list[Pending], settings: Settings, options: dict, ingested_at: str,
                    progress: Callable[[Path], None] | None = None) -> list[FileResult]:
    """Read a batch of files of one format into DuckDB, normalize them in one statement, keep their rows and
    rejects for this run. A file refused whole (unreadable, too many rejects) gets its error and nothing kept."""
    module = batch[0].module
    reader = READERS[module.reader]
    results = [FileResult(path=str(item.path), format=module.name) for item in batch]
    for table in ("raw_lines", "run_files", "file_errors", "normalized"):
        con.execute(f"delete from {table}")
    buffer, files = LinesBuffer(con), []
    for file_id, (item, result) in enumerate(zip(batch, results)):
        if progress:
            progress(item.path)
        try:
            stats = LineStats()
            for lines in reader(item.path, stats, settings.pending_grace_minutes):
                buffer.add(file_id, lines)
            item.entry["pending_line"] = result.pending_line = stats.pending_line  # read again next run
        except FileError as exc:
            result.error = str(exc)
            buffer.drop(file_id)
            continue
        files.append({"file_id": file_id, "source_file": str(item.path),
                      "file_mtime": _iso(os.stat(item.path).st_mtime), "app": options.get("app")})
    buffer.flush()
    read_files = pa.Table.from_pylist(files, schema=READ_FILES)
    con.execute("insert into run_files select file_id, source_file, file_mtime::timestamptz, app from read_files")
    document = reader is READERS["document"]
    query = sql_text(module.sql)
    params = {"source_format": module.name, "ingested_at": ingested_at,
              "max_line_bytes": 2**62 if document else settings.max_line_bytes, **batch[0].params}
    con.execute(f"insert into normalized by name {query}", used_params(query, params))
    run_sql(con, "ingest/file_counts.sql")
    run_sql(con, "ingest/file_errors.sql", {"document": document, "source_format": module.name})
    for row in fetch_dicts(con, sql_text("ingest/file_results.sql")):
        result = results[row["file_id"]]
        result.records_read, result.rows_rejected = row["records_read"], row["rejected"]
        result.ignored = {item["reason"]: item["records"] for item in row["ignored"]}
        if row["error"]:
            result.error = str(FileError(row["error"], row["detail"]))
    run_sql(con, "ingest/keep_files.sql", {"ingested_at": ingested_at, "source_format": module.name, "document": document})
    return results


def normalize_isolated(con, batch: list[Pending], settings: Settings, options: dict, ingested_at: str,
                       progress: Callable[[Path], None] | None = None) -> list[FileResult]:
    """normalize_files; when DuckDB or the disk fails on a batch, each of its files alone, so one poison file is
    refused (file-level error `unreadable`) and the others load."""
    try:
        return normalize_files(con, batch, settings, options, ingested_at, progress)
    except (duckdb.Error, OSError) as exc:
        if disk_full_message(exc):  # not the file's fault: the run stops, nothing committed
            raise
        if len(batch) > 1:
            return [r for item in batch for r in normalize_isolated(con, [item], settings, options, ingested_at)]
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return [FileResult(path=str(batch[0].path), format=batch[0].module.name,
                           error=str(unreadable(detail)))]


def unreadable(detail: str) -> FileError:
    """The file-level error for a file that could not be read (gone, no permission, a read that failed)."""
    return FileError("unreadable", f"{detail}: check that the file is still there and readable by spendlog; "
                                   "it is read again on the next run")


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
        results, to_record, pending = {}, {}, []
        for path in files:
            result, entry, item = triage(path, fmt, settings, options, manifest, ingested_at)
            if item:
                pending.append(item)
                continue
            if progress:
                progress(path)
            results[str(path)] = result
            if entry:
                to_record[str(path)] = entry
        for batch in batches(pending):
            for item, result in zip(batch, normalize_isolated(con, batch, settings, options, ingested_at, progress)):
                results[str(item.path)] = result
                to_record[str(item.path)] = (refused(manifest["sources"].get(str(item.path)), item.entry, result)
                                             if result.error else item.entry)
        results = [results[str(path)] for path in files]
        read_paths = {str(item.path) for item in pending}
        read = [r for r in results if r.path in read_paths]
        if read:
            _commit(con, lake, manifest, settings, read, to_record, ingested_at)
        elif to_record:
            for key, entry in to_record.items():
                manifest["sources"][key] = entry
            lake.write_manifest(manifest, settings)
        con.close()
    return RunSummary(results)


def configured_format(settings: Settings, path: Path) -> str | None:
    """The format of the first [[sources]] entry whose path matches the file (None: detect)."""
    for source in settings.sources:
        if source.matches(path):
            return source.format
    return None


def triage(path: Path, fmt, settings, options, manifest, ingested_at):
    """One file before reading: (its result, its manifest entry, None) when it is skipped or refused, else
    (None, None, the Pending file to read)."""
    try:
        return _triage_readable(path, fmt, settings, options, manifest, ingested_at)
    except OSError as exc:
        detail = (f"a symlink to {os.readlink(path)}, which is not there" if dangling(path)
                  else exc.strerror or str(exc))
        return FileResult(path=str(path), error=str(unreadable(detail))), None, None


def _triage_readable(path: Path, fmt, settings, options, manifest, ingested_at):
    stat = path.stat()
    known = manifest["sources"].get(str(path))
    if known and (known.get("pending_line") or known.get("status") == "refused"):
        known = None  # its last line was still being written, or it was refused (the fix may lie beside it): read it again
    if known and (known["size"], known["mtime_ns"]) == (stat.st_size, stat.st_mtime_ns):
        return FileResult(path=str(path), format=known["format"], skipped=True), None, None
    digest = sha256_file(path)
    if known and known["sha256"] == digest:
        return FileResult(path=str(path), format=known["format"], skipped=True), {
            **known, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}, None
    entry = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest, "ingested_at": ingested_at,
             "app": options.get("app"), "status": "loaded"}
    try:
        blank = blank_lines(path)
        if blank is not None:  # nothing to read yet (a log just rotated, an export of no days): no format to name
            return FileResult(path=str(path), records_read=blank,
                              ignored={"blank_line": blank} if blank else {}), None, None
        module = detect(path, fmt or configured_format(settings, path), settings.csv_formats)
        entry.update(format=module.name, normalizer_version=module.version)
        params = module.params(path, options)
    except FileError as exc:
        result = FileResult(path=str(path), format=entry.get("format"), error=str(exc))
        return result, refused(manifest["sources"].get(str(path)), entry, result), None
    return None, None, Pending(path, module, params, entry)


def blank_lines(path: Path) -> int | None:
    """How many lines a file holds when it is empty or holds only blank lines (all its bytes in the 64 KB head),
    else None."""
    head = read_head(path)
    if len(head) >= 64 * 1024 or head.removeprefix(BOM).strip():
        return None
    return head.count(b"\n") + (not head.endswith(b"\n") and bool(head))


def refused(before: dict | None, entry: dict, result: FileResult) -> dict:
    """The manifest entry of a file refused whole, read again on every run: status refused and its error. A file
    never loaded before takes what this read counted (it loads nothing; its rejects are kept); one loaded before keeps
    its entry and counts, so its rows in the lake stay accounted for."""
    if before and before.get("status") != "refused":
        return {**before, "status": "refused", "error": result.error}
    return {**entry, "records_read": result.records_read, "rows_loaded": 0, "rows_replaced": 0, "duplicates": 0,
            "rows_rejected": result.rows_rejected, "ignored": result.ignored, "status": "refused",
            "error": result.error}


def _commit(con, lake: Lake, manifest: dict, settings: Settings, results: list[FileResult], entries: dict, ingested_at):
    """Dedupe against the lake, drop the rejects a file read again no longer has, stage the new files, re-price,
    publish, write the manifest. results: the files this run read, refused ones included (they keep their rejects)."""
    by_path = {r.path: r for r in results}
    live_usage = lake.files(manifest, "usage")
    if live_usage:
        run_sql(con, "ingest/lake_rows.sql", {"files": [str(p) for p in live_usage]})
    con.execute(f"create or replace temp table outcomes as {sql_text('ingest/dedupe.sql')}")
    for counts in fetch_dicts(con, sql_text("ingest/new_row_counts.sql")):
        result = by_path[counts.pop("source_file")]
        for name, n in counts.items():
            setattr(result, name, getattr(result, name) + n)
    run_sql(con, "ingest/conflict_rejects.sql", {"ingested_at": ingested_at})
    stage = lake.new_stage()
    staged, old_rejects = [], set()
    reject_files = lake.files(manifest, "rejects")
    # a file refused now that loaded before keeps its rows, so the rejects of that read stay too
    restated = [path for path, r in by_path.items() if not r.error or entries[path]["ingested_at"] == ingested_at]
    if reject_files and restated:
        run_sql(con, "ingest/stale_rejects.sql", {"files": [str(p) for p in reject_files], "read": restated})
        for (lake_file,) in con.execute("select distinct lake_file from stale_rejects order by 1").fetchall():
            old_rejects.add(str(Path(lake_file).relative_to(lake.home)))
            staged += write_partitioned(con, sql_text("ingest/rewrite_reject_file.sql"), stage / "rejects", "rejects",
                                        "ingested_at", {"lake_file": lake_file})
    con.execute(f"create or replace temp view lake_rejects as {table_relation(lake, manifest, 'rejects', 'rejects_schema')}")
    run_sql(con, "ingest/repeated_rejects.sql")

    staged += write_partitioned(con, sql_text("ingest/new_usage_rows.sql"), stage / "usage", "usage", "ts")
    staged += write_partitioned(con, "select * from new_rejects", stage / "rejects", "rejects", "ingested_at")

    # lake rows that lost: their files are rewritten without them, and their source files' accounting moves them
    run_sql(con, "ingest/lost_lake_rows.sql")
    old_usage = set()
    for (lake_file,) in con.execute(sql_text("ingest/lost_lake_files.sql")).fetchall():
        old_usage.add(str(Path(lake_file).relative_to(lake.home)))
        staged += write_partitioned(con, sql_text("ingest/rewrite_lake_file.sql"), stage / "usage", "usage", "ts",
                                    {"lake_file": lake_file})
    for lost in fetch_dicts(con, sql_text("ingest/lost_rows_by_source.sql")):
        source, moved_to, n = lost["source_file"], lost["moved_to"], lost["rows_lost"]
        if source in by_path:  # read again in this run: its counts are this run's
            continue
        entry = entries.get(source) or manifest["sources"].get(source)  # entries: unchanged, re-hashed files
        if entry:
            from_loaded = min(n, entry.get("rows_loaded", 0))
            entry["rows_loaded"] = entry.get("rows_loaded", 0) - from_loaded
            entry["rows_replaced"] = entry.get("rows_replaced", 0) - (n - from_loaded)
            entry[moved_to] = entry.get(moved_to, 0) + n

    for key, entry in entries.items():
        result = by_path.get(key)
        if result and not result.error:
            entry.update(records_read=result.records_read, rows_loaded=result.rows_loaded,
                         rows_replaced=result.rows_replaced, duplicates=result.duplicates,
                         rows_rejected=result.rows_rejected, ignored=result.ignored)
            entry.update(status="loaded")
            entry.pop("error", None)
        manifest["sources"][key] = entry

    usage_files = [p for p in manifest["tables"]["usage"] if p not in old_usage]
    published = lake.publish(staged)
    manifest["tables"]["usage"] = usage_files + [p for p in published if p.startswith("lake/usage/")]
    manifest["tables"]["rejects"] = [p for p in manifest["tables"]["rejects"] if p not in old_rejects] + [
        p for p in published if p.startswith("lake/rejects/")]
    # each run adds a file per month it touches: a month's small files are merged, so the file count stays flat
    merged = lake.new_stage()
    for table, ts_column in (("usage", "ts"), ("rejects", "ingested_at")):
        published = lake.publish(compact(con, lake, manifest, table, ts_column, merged))
        manifest["tables"][table] += published
    # only the UTC days of this run's rows and of the lake rows sharing their keys are priced again (every day
    # when priced data is stale)
    reprice(con, lake, manifest, settings, {day for (day,) in con.execute(sql_text("ingest/changed_days.sql")).fetchall()})
    lake.write_manifest(manifest, settings)
