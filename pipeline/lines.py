"""Physical lines of a file (plain or gzip) as Arrow batches of (line, bytes), 1-based."""
from __future__ import annotations

import gzip
import re
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pyarrow as pa

from .errors import FileError

CHUNK_BYTES = 16 * 1024 * 1024
BOM = b"\xef\xbb\xbf"
SCHEMA = pa.schema([("line", pa.int64()), ("bytes", pa.binary())])


@dataclass
class LineStats:
    pending_line: int | None = None  # a last line without a newline in a recently modified file


def open_bytes(path: Path):
    """The file's bytes, decompressed when it is gzip (by magic number, not by name)."""
    with open(path, "rb") as probe:
        magic = probe.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


GZIP_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile)


def gzip_error(exc: Exception) -> FileError:
    """The file-level error for a gzip stream that is cut short or corrupt, saying what to do."""
    return FileError("truncated_gzip", f"{exc}: the compressed file is cut short or corrupt (`gzip -t` says so); "
                                       "copy it again whole, and it is read again on the next run")


def read_head(path: Path, size: int = 64 * 1024) -> bytes:
    """The first `size` bytes of the (decompressed) file, for sniffing. A file that cannot be opened raises its
    OSError (the caller refuses it as unreadable); a broken gzip stream is truncated_gzip."""
    try:
        with open_bytes(path) as handle:
            return handle.read(size)
    except GZIP_ERRORS as exc:
        raise gzip_error(exc) from None


DOCUMENT_MAX_BYTES = 256 * 1024 * 1024


def json_document_records(path: Path) -> list[bytes] | None:
    """The records of a file that is one JSON document rather than JSON lines, each as compact JSON: the elements
    of a top-level array (Vertex AI's streamGenerateContent returns its chunks so), or the one object of a
    pretty-printed response. None for JSON lines (the first non-blank line is a whole value and the file is not an
    array), for a file that is not one JSON value (it is read as lines) and for one over DOCUMENT_MAX_BYTES."""
    import json

    head = read_head(path).removeprefix(BOM)
    start = head.lstrip()[:1]
    if start not in (b"[", b"{"):
        return None
    if start == b"{":
        first = next((line for line in head.split(b"\n") if line.strip()), b"")
        try:
            json.loads(first)
            return None  # JSON lines
        except ValueError:
            pass
    with open_bytes(path) as handle:
        data = handle.read(DOCUMENT_MAX_BYTES + 1)
    if len(data) > DOCUMENT_MAX_BYTES:
        return None
    try:
        document = json.loads(data.removeprefix(BOM))
    except (ValueError, RecursionError):  # invalid UTF-8 included, and nesting too deep for Python: the lines say
        return None
    records = document if isinstance(document, list) else [document]
    return [json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() for record in records]


def iter_lines(path: Path, stats: LineStats, pending_grace_minutes: int) -> Iterator[pa.Table]:
    """Split the file on b"\\n" (CR, BOM and all other bytes are left to SQL) in large chunks; a file that is one
    JSON document gives its records instead (json_document_records), numbered 1.. as lines."""
    try:
        records = json_document_records(path)
    except GZIP_ERRORS as exc:
        raise gzip_error(exc) from None
    if records is not None:
        yield _batch(0, records)
        return
    recent = time.time() - path.stat().st_mtime < pending_grace_minutes * 60
    line_no = 0
    carry = b""
    try:
        with open_bytes(path) as handle:
            while True:
                chunk = handle.read(CHUNK_BYTES)
                if not chunk:
                    break
                parts = (carry + chunk).split(b"\n")
                carry = parts.pop()
                if line_no == 0 and parts and parts[0].startswith(BOM):
                    parts[0] = parts[0][len(BOM):]
                yield _batch(line_no, parts)
                line_no += len(parts)
    except GZIP_ERRORS as exc:
        raise gzip_error(exc) from None
    if carry:
        if line_no == 0 and carry.startswith(BOM):
            carry = carry[len(BOM):]
        if recent:
            stats.pending_line = line_no + 1
        else:
            yield _batch(line_no, [carry])


def _batch(first: int, parts: list[bytes]) -> pa.Table:
    return pa.table(
        {"line": pa.array(range(first + 1, first + 1 + len(parts)), pa.int64()), "bytes": pa.array(parts, pa.binary())},
        schema=SCHEMA,
    )


def iter_csv_rows(path: Path, stats: LineStats, pending_grace_minutes: int) -> Iterator[pa.Table]:
    """CSV data rows as JSON objects keyed by the header (all values strings), at their physical start line: by
    DuckDB's CSV reader when the file is clean (clean_csv_rows), else line-exact (csv_rows_line_exact)."""
    rows = clean_csv_rows(path)
    yield from rows if rows is not None else csv_rows_line_exact(path)


def csv_rows_line_exact(path: Path) -> Iterator[pa.Table]:
    """CSV data rows by Python's csv module, whatever the file holds.

    An all-empty row becomes an empty line (ignored as blank); a row whose field count differs from the header
    becomes {"__csv_fields__": n}; a row with invalid UTF-8 keeps its raw bytes. The header is not a record.
    """
    import csv
    import io
    import json

    header: list[str] | None = None
    lines: list[int] = []
    parts: list[bytes] = []
    try:
        with open_bytes(path) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline="")
            reader = csv.reader(text)
            start = 1
            for row in reader:
                line, start = start, reader.line_num + 1
                if header is None:
                    if any(cell.strip() for cell in row):
                        header = [cell.lstrip("\ufeff").strip() for cell in row]
                    continue
                if not any(cell.strip() for cell in row):
                    encoded = b""
                elif len(row) != len(header):
                    encoded = json.dumps({"__csv_fields__": len(row)}).encode()
                else:
                    try:
                        encoded = json.dumps(dict(zip(header, row)), ensure_ascii=False).encode("utf-8")
                    except UnicodeEncodeError:
                        encoded = ",".join(row).encode("utf-8", errors="surrogateescape")
                lines.append(line)
                parts.append(encoded)
                if len(parts) >= 100_000:
                    yield pa.table({"line": pa.array(lines, pa.int64()), "bytes": pa.array(parts, pa.binary())},
                                   schema=SCHEMA)
                    lines, parts = [], []
    except GZIP_ERRORS as exc:
        raise gzip_error(exc) from None
    except csv.Error as exc:
        raise FileError("unrecognised_format", f"not readable as CSV: {exc}: check the file's quoting, or name its "
                                               "format with --format (`spendlog formats` lists them)") from None
    if parts:
        yield pa.table({"line": pa.array(lines, pa.int64()), "bytes": pa.array(parts, pa.binary())}, schema=SCHEMA)


# What DuckDB's CSV reader may read otherwise than Python's csv module (csv_rows_line_exact): control characters (JSON
# escapes them in another case), a CR that ends no line, and a quote neither opening a field nor closing one
# (`"ab" ,c`, `a "b" c`); and what Python calls whitespace (a row of it is blank).
CSV_SUSPECT = re.compile(rb'[\x00-\x07\x0b\x0e-\x1f]|\r(?!\n)|(?<![,\n"])"(?![,\r\n"])')
PYTHON_SPACE = r"[\t\n\f\r \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]*"


@dataclass
class CleanCsv:
    header: list[str]
    lines: int  # physical lines, the header's included
    gzip: bool


def clean_csv(path: Path) -> CleanCsv | None:
    """A CSV file that DuckDB's reader reads row for row as csv_rows_line_exact does, else None: its header is its
    first line, unquoted, with distinct names; no byte of it is CSV_SUSPECT. (A row spanning lines, a blank line or
    a row of the wrong width is found by clean_csv_rows.)"""
    newlines, last, carry, header = 0, b"", b"", None
    try:
        with open_bytes(path) as handle:
            gzipped = isinstance(handle, gzip.GzipFile)
            while chunk := handle.read(CHUNK_BYTES):
                if header is None:
                    first, found, _ = chunk.partition(b"\n")
                    if not found:
                        return None
                    header = _csv_header(first.removeprefix(BOM).removesuffix(b"\r"))
                    if header is None:
                        return None
                window = carry + chunk
                match = CSV_SUSPECT.search(window)
                if match and match.start() < len(window) - 1:  # the last byte is judged with the next chunk
                    return None
                newlines += chunk.count(b"\n")
                carry, last = window[-2:], chunk[-1:]
    except GZIP_ERRORS:
        return None  # csv_rows_line_exact says what is wrong
    if header is None or CSV_SUSPECT.search(carry):
        return None
    return CleanCsv(header, newlines + (last != b"\n"), gzipped)


def _csv_header(line: bytes) -> list[str] | None:
    import csv

    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if '"' in text or not text.strip():
        return None
    header = [cell.lstrip("\ufeff").strip() for cell in next(csv.reader([text]))]
    return header if len(set(header)) == len(header) else None


def clean_csv_rows(path: Path) -> Iterator[pa.Table] | None:
    """A clean CSV file's rows (clean_csv) read by DuckDB's CSV reader (sql/ingest/clean_csv.sql), each data row as
    the JSON object csv_rows_line_exact makes of it, byte for byte (dedupe keys hash it), at its line; None for any
    other file, found before a row is given: a row spanning lines or a blank line (the count differs from the
    lines'), a row of the wrong width (misfit) or one DuckDB refuses."""
    import json

    import duckdb

    from . import sql_text

    found = clean_csv(path)
    if found is None:
        return None
    con = duckdb.connect()
    params = {"path": str(path), "compression": "gzip" if found.gzip else "none", "space": PYTHON_SPACE,
              "keys": [json.dumps(name, ensure_ascii=False) + ": " for name in found.header],
              "columns": {**{f"c{i}": "VARCHAR" for i in range(len(found.header))}, "extra": "VARCHAR"}}
    query = sql_text("ingest/clean_csv.sql")
    try:
        [(rows, misfits)] = con.execute(f"select count(*), count(*) filter (where misfit) from ({query})",
                                        params).fetchall()
    except duckdb.Error:
        return None
    if rows != found.lines - 1 or misfits:
        return None

    def batches() -> Iterator[pa.Table]:
        line = 2
        for batch in con.sql(f"select bytes from ({query})", params=params).to_arrow_reader(100_000):
            yield pa.table({"line": pa.array(range(line, line + batch.num_rows), pa.int64()), "bytes": batch["bytes"]},
                           schema=SCHEMA)
            line += batch.num_rows
        con.close()

    return batches()


def iter_document(path: Path, stats: LineStats, pending_grace_minutes: int) -> Iterator[pa.Table]:
    """A whole JSON document (pretty-printed or not) as one row, line 1; its SQL unnests the records."""
    try:
        with open_bytes(path) as handle:
            data = handle.read()
    except GZIP_ERRORS as exc:
        raise gzip_error(exc) from None
    yield _batch(0, [data.removeprefix(BOM)])


def iter_csv_or_json(path: Path, stats: LineStats, pending_grace_minutes: int) -> Iterator[pa.Table]:
    """A file of JSON records (JSON lines, an array, one pretty-printed object) as iter_lines reads it; any other
    as CSV rows (iter_csv_rows): for a table some tools export as CSV and others log as JSON."""
    head = read_head(path).removeprefix(BOM).lstrip()
    reader = iter_lines if head[:1] in (b"{", b"[") else iter_csv_rows
    yield from reader(path, stats, pending_grace_minutes)


READERS = {"lines": iter_lines, "csv": iter_csv_rows, "csv_or_json": iter_csv_or_json, "document": iter_document}
