"""What sniffers read from a file's head (its first 64 KB): the first JSON record and the CSV header."""
from __future__ import annotations

import csv
import io
import json

BOM = b"\xef\xbb\xbf"


def _first_line(head: bytes) -> str | None:
    text = head.lstrip(BOM).decode("utf-8", errors="replace")
    return next((line for line in text.splitlines() if line.strip()), None)


def first_record(head: bytes) -> object | None:
    """The first non-blank line of the head parsed as JSON; for a JSON document (a pretty-printed object, an
    array of records) its first record when it fits the head; else None."""
    line = _first_line(head)
    try:
        record = None if line is None else json.loads(line)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than Python parses
        record = None
    if record is None or isinstance(record, list):
        text = head.lstrip(BOM).decode("utf-8", errors="replace").lstrip()
        decoder = json.JSONDecoder()
        try:
            if text.startswith("["):
                record = decoder.raw_decode(text, len(text) - len(text[1:].lstrip()))[0]
            elif text.startswith("{"):
                record = decoder.raw_decode(text)[0]
        except (ValueError, RecursionError):
            pass
    return record


def csv_header(head: bytes) -> list[str]:
    """The first non-blank line of a CSV head as column names, stripped, as written ([] when there is none)."""
    line = _first_line(head)
    try:
        return [] if line is None else [cell.strip() for cell in next(csv.reader(io.StringIO(line)))]
    except (csv.Error, StopIteration):
        return []


def has_columns(head: bytes, names, first=(), case_sensitive: bool = False) -> bool:
    """The CSV header has every column in `names` and starts with the columns `first`, in order. Names are
    compared in lower case unless `case_sensitive` (for a normalizer that reads the columns exactly as named)."""
    columns = csv_header(head)
    if not case_sensitive:
        columns = [column.lower() for column in columns]
    return columns[:len(first)] == list(first) and set(names) <= set(columns)
