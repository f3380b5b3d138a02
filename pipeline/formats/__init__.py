"""The usage-log formats spendlog reads, one module each.

A format module has NAME, VERSION (bump it when its normalizer changes meaning), SQL (its file under sql/),
DESCRIPTION, EXAMPLE, READER ("lines", "csv" or "document"; default "lines"), SNIFF_ORDER (lower is tried
first; default 100), sniff(record, head) and params(path, options). Files of one format with equal params are
normalized by one statement: the SQL reads each line's file_id, source_file and file_mtime from checked_lines. Modules whose name starts with _ are helpers;
the user's own CSV layouts ([csv_formats.NAME]) come from _mapped_csv and are tried after the built-in formats.
"""
from __future__ import annotations

import importlib
import json
import pkgutil
from pathlib import Path

from ..lines import FileError, read_head


def _load() -> dict:
    modules = [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)
               if not info.name.startswith("_")]
    modules.sort(key=lambda m: (getattr(m, "SNIFF_ORDER", 100), m.NAME))
    return {module.NAME: module for module in modules}


FORMATS = _load()


def first_record(head: bytes) -> object | None:
    """The first non-blank line of the head parsed as JSON, or None."""
    text = head.lstrip(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    for line in text.splitlines():
        if line.strip():
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


def all_formats(csv_formats=()) -> dict:
    """The built-in formats, then the user's CSV layouts (config [csv_formats.NAME])."""
    from ._mapped_csv import MappedCsv

    return {**FORMATS, **{layout.name: MappedCsv(layout) for layout in csv_formats}}


def detect(path: Path, requested: str | None = None, csv_formats=()):
    """The format for a file: `requested` when given, else the first whose sniff accepts the first 64 KB."""
    formats = all_formats(csv_formats)
    if requested and requested != "auto":
        if requested not in formats:
            raise FileError("unrecognised_format", f"unknown format {requested!r} (see `spendlog formats`)")
        return formats[requested]
    head = read_head(path)
    record = first_record(head)
    for module in formats.values():
        if module.sniff(record, head):
            return module
    raise FileError("unrecognised_format", "no known format matches the first 64 KB")
