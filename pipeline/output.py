"""Output shared by the commands: values as text and JSON, aligned tables, files replaced atomically."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path


def text(value) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return text(value)


def format_table(columns: list[str], rows: list, right: set[int] | None = None, noun: str = "row") -> str:
    """A plain aligned text table with a count line; numbers (or the columns in right) right-aligned."""
    cells = [["" if v is None else text(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    if right is None:
        numeric = [bool(rows) and all(isinstance(row[i], (int, float, Decimal)) and not isinstance(row[i], bool)
                                      or row[i] is None for row in rows) for i in range(len(columns))]
    else:
        numeric = [i in right for i in range(len(columns))]

    def line(values):
        return "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric)).rstrip()

    out = [line(columns), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(rows)} {noun}{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


@contextlib.contextmanager
def replaced_atomically(path):
    """A temporary path beside path to write to (.<name>.<pid>.tmp): on success it replaces path in one rename (a
    reader sees the old file or the new one, never half of it), on failure it is removed. Temporaries that killed
    processes left in the folder go first (remove_left_temporaries)."""
    path = Path(path)
    remove_left_temporaries(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


TEMPORARY = re.compile(r"\..+\.(\d+)\.tmp")


def remove_left_temporaries(folder: Path) -> None:
    """Delete the temporaries of replaced_atomically in folder whose process is gone (a SIGKILL skips the cleanup)."""
    with contextlib.suppress(FileNotFoundError), os.scandir(folder) as entries:
        for entry in entries:
            found = TEMPORARY.fullmatch(entry.name)
            if found and not _alive(int(found[1])):
                Path(entry.path).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def plain_number(value) -> str:
    """A rate or an amount without trailing zeros (10, 37.5, 0.136725); '' for None."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "0") else text
    return str(value)
