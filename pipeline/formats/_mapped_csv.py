"""A CSV layout of the user's own, from a [csv_formats.NAME] table: the contract config.py validates against and
the Format that sql/normalize/mapped_csv.sql runs with. Not auto-registered: detect() tries these after the
built-in formats."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ..errors import FileError
from ..lines import read_head
from ._sniff import csv_header

# The canonical fields a [csv_formats.NAME] table can map to CSV columns, in the order sql/normalize/mapped_csv.sql
# reads them; the first four are required.
CSV_FIELDS = (
    "ts", "model", "input_tokens", "output_tokens", "provider", "request_id", "app", "api_key", "workspace",
    "project", "user_id", "session_id", "cache_write_5m_tokens", "cache_write_1h_tokens", "cache_read_tokens",
    "reasoning_tokens", "web_search_requests", "batch", "http_status", "latency_ms", "cost_usd",
)
CSV_REQUIRED = CSV_FIELDS[:4]
UNMAPPED = '$."__spendlog_unmapped__"'


@dataclass(frozen=True)
class CsvFormat:
    """A CSV layout of the user's own: [csv_formats.NAME] maps canonical fields to its column names."""
    name: str
    columns: tuple[tuple[str, str], ...]
    provider: str | None = None
    input_includes_cache: bool = False
    timestamp_zone: str | None = None


def declaration(layout: CsvFormat) -> dict:
    """The Format fields of one layout (pipeline/formats/__init__.py builds the Format from them)."""
    mapped = ", ".join(f"{field} = {column}" for field, column in layout.columns)
    return {
        "name": layout.name,
        "description": f"your CSV layout [csv_formats.{layout.name}] in the config: {mapped}",
        "example": ",".join(column for _, column in layout.columns) + " / …",
        "version": 1,
        "sniff": partial(sniff, layout),
        "sql": "normalize/mapped_csv.sql",
        "reader": "csv",
        "sniff_order": 1000,
        "params": partial(params, layout),
    }


def columns_in(layout: CsvFormat, head: bytes) -> dict[str, str] | None:
    """Each mapped field's column as the file spells it (names match case-insensitively), or None when the header
    lacks one of them: a layout reads a file only when every column it maps is there."""
    by_lower = {name.lower(): name for name in csv_header(head)}
    found = {field: by_lower.get(column.lower()) for field, column in layout.columns}
    return None if None in found.values() else found


def sniff(layout: CsvFormat, record, head: bytes) -> bool:
    return columns_in(layout, head) is not None


def params(layout: CsvFormat, path: Path, options: dict) -> dict:
    head = read_head(path)
    found = columns_in(layout, head)
    if found is None:
        present = {name.lower() for name in csv_header(head)}
        missing = ", ".join(column for _, column in layout.columns if column.lower() not in present)
        raise FileError("unrecognised_format", f"the header lacks {missing}, mapped in [csv_formats.{layout.name}]")
    return {
        "paths": [f'$."{found[field]}"' if found.get(field) else UNMAPPED for field in CSV_FIELDS],
        "provider": layout.provider,
        "input_includes_cache": layout.input_includes_cache,
        "timestamp_zone": layout.timestamp_zone,
    }
