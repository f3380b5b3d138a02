"""The usage-log formats spendlog reads: one module each, loaded as a Format (README.md here says how to add one).

A format module holds DESCRIPTION, EXAMPLE, VERSION (bump it when its normalizer changes meaning) and
sniff(record, head), plus only what differs from the defaults: READER ("lines", "csv" or "document"; default
"lines"), SNIFF_ORDER (lower is tried first; default 100) and params(path, options) (default: none). Its name is
its module's name and its SQL is sql/normalize/<name>.sql. Modules whose name starts with _ are helpers; the
user's own CSV layouts ([csv_formats.NAME]) come from _mapped_csv and are tried after the built-in formats.
"""
from __future__ import annotations

import codecs
import importlib
import pkgutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import FileError
from ..lines import READERS, read_head
from . import _mapped_csv
from ._sniff import first_record


def no_params(path: Path, options: dict) -> dict:
    return {}


@dataclass(frozen=True)
class Format:
    """One format: how its files are recognised (sniff on the first record and the 64 KB head), read (reader) and
    normalized (sql, with params(path, options) bound; files of one format with equal params share a statement)."""
    name: str
    description: str
    example: str
    version: int
    sniff: Callable[[object, bytes], bool]
    sql: str = ""  # default: normalize/<name>.sql
    reader: str = "lines"
    sniff_order: int = 100
    params: Callable[[Path, dict], dict] = no_params

    def __post_init__(self):
        if not self.sql:
            object.__setattr__(self, "sql", f"normalize/{self.name}.sql")
        if self.reader not in READERS:
            raise ValueError(f"format {self.name}: reader {self.reader!r} is not one of {', '.join(READERS)}")


OPTIONAL = {"reader": "READER", "sniff_order": "SNIFF_ORDER", "params": "params"}


def from_module(module) -> Format:
    """The Format a module declares: its required names, and the defaults for what it leaves out."""
    if hasattr(module, "NAME") or hasattr(module, "SQL"):
        raise TypeError(f"{module.__name__}: a format's name and SQL file come from its module's name")
    return Format(name=module.__name__.rpartition(".")[2], description=module.DESCRIPTION, example=module.EXAMPLE,
                  version=module.VERSION, sniff=module.sniff,
                  **{field: getattr(module, attr) for field, attr in OPTIONAL.items() if hasattr(module, attr)})


def _load() -> dict[str, Format]:
    found = [from_module(importlib.import_module(f"{__name__}.{info.name}")) for info in pkgutil.iter_modules(__path__)
             if not info.name.startswith("_")]
    return {fmt.name: fmt for fmt in sorted(found, key=lambda fmt: (fmt.sniff_order, fmt.name))}


FORMATS = _load()


def mapped_format(layout: _mapped_csv.CsvFormat) -> Format:
    """The Format of one of the user's CSV layouts (config [csv_formats.NAME])."""
    return Format(**_mapped_csv.declaration(layout))


def all_formats(csv_formats=()) -> dict[str, Format]:
    """The built-in formats, then the user's CSV layouts (config [csv_formats.NAME])."""
    return {**FORMATS, **{layout.name: mapped_format(layout) for layout in csv_formats}}


def detect(path: Path, requested: str | None = None, csv_formats=()) -> Format:
    """The format for a file: `requested` when given, else the first whose sniff accepts the first 64 KB."""
    formats = all_formats(csv_formats)
    if requested and requested != "auto":
        if requested not in formats:
            raise FileError("unrecognised_format", f"unknown format {requested!r}: name one that `spendlog formats` "
                                                   "lists")
        return formats[requested]
    head = read_head(path)
    record = first_record(head)
    for fmt in formats.values():
        if fmt.sniff(record, head):
            return fmt
    raise FileError("unrecognised_format", unrecognised(head))


NAME_IT = "name its format with --format or [[sources]] format (`spendlog formats` lists them)"


def unrecognised(head: bytes) -> str:
    """Why no format matched a file's head, and what to do about it."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return ("no known format matches the first 64 KB: the file is UTF-16 text; convert it to UTF-8 "
                "(`iconv -f UTF-16 -t UTF-8`) and ingest it again")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # the 64 KB cut may split a character
        binary = b"\x00" in head
    except UnicodeDecodeError:
        binary = True
    if binary:
        return ("no known format matches the first 64 KB: the file is binary, not a usage log; move it out of the "
                "folder spendlog reads")
    return f"no known format matches the first 64 KB: {NAME_IT}, or move it out of the folder spendlog reads"
