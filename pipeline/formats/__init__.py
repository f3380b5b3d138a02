"""The usage-log formats spendlog reads: each module has NAME, DESCRIPTION, EXAMPLE, VERSION, sniff() and params()."""
from __future__ import annotations

import json
from pathlib import Path

from ..lines import FileError, read_head
from . import anthropic_batch, app_log

FORMATS = {module.NAME: module for module in (anthropic_batch, app_log)}


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


def detect(path: Path, requested: str | None = None):
    """The format module for a file: `requested` when given, else the first whose sniff accepts the first 64 KB."""
    if requested and requested != "auto":
        if requested not in FORMATS:
            raise FileError("unrecognised_format", f"unknown format {requested!r} (see `spendlog formats`)")
        return FORMATS[requested]
    head = read_head(path)
    record = first_record(head)
    for module in FORMATS.values():
        if module.sniff(record, head):
            return module
    raise FileError("unrecognised_format", "no known format matches the first 64 KB")
