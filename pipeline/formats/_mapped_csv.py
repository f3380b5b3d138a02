"""A CSV layout of the user's own, from a [csv_formats.NAME] table: the format object sql/normalize/mapped_csv.sql
runs with. Not auto-registered: detect() tries these after the built-in formats."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from ..config import CSV_FIELDS, CsvFormat
from ..lines import FileError, read_head

UNMAPPED = '$."__spendlog_unmapped__"'


def header(head: bytes) -> list[str]:
    """The first non-blank line of a CSV head as column names, as written ([] when there is none)."""
    text = head.lstrip(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    for line in text.splitlines():
        if line.strip():
            try:
                return [cell.strip() for cell in next(csv.reader(io.StringIO(line)))]
            except (csv.Error, StopIteration):
                return []
    return []


class MappedCsv:
    """The format-module interface (see pipeline/formats/__init__.py) over one CsvFormat."""

    SQL = "normalize/mapped_csv.sql"
    READER = "csv"
    VERSION = 1
    SNIFF_ORDER = 1000

    def __init__(self, layout: CsvFormat):
        self.layout = layout
        self.NAME = layout.name
        mapped = ", ".join(f"{field} = {column}" for field, column in layout.columns)
        self.DESCRIPTION = f"your CSV layout [csv_formats.{layout.name}] in the config: {mapped}"
        self.EXAMPLE = ",".join(column for _, column in layout.columns) + " / …"

    def columns_in(self, head: bytes) -> dict[str, str] | None:
        """Each mapped field's column as the file spells it (names match case-insensitively), or None when the
        header lacks one of them: a layout reads a file only when every column it maps is there."""
        by_lower = {name.lower(): name for name in header(head)}
        found = {field: by_lower.get(column.lower()) for field, column in self.layout.columns}
        return None if None in found.values() else found

    def sniff(self, record, head: bytes) -> bool:
        return self.columns_in(head) is not None

    def params(self, path: Path, options: dict) -> dict:
        head = read_head(path)
        found = self.columns_in(head)
        if found is None:
            present = {name.lower() for name in header(head)}
            missing = ", ".join(column for _, column in self.layout.columns if column.lower() not in present)
            raise FileError("unrecognised_format", f"the header lacks {missing}, mapped in [csv_formats.{self.NAME}]")
        return {
            "paths": [f'$."{found[field]}"' if found.get(field) else UNMAPPED for field in CSV_FIELDS],
            "provider": self.layout.provider,
            "input_includes_cache": self.layout.input_includes_cache,
            "timestamp_zone": self.layout.timestamp_zone,
        }
