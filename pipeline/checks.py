"""Declarative checks (sql/checks/*.sql): each query returns no rows on a healthy home, one row per problem."""
from __future__ import annotations

from dataclasses import dataclass

from . import SQL_DIR, fetch_dicts, sql_text


@dataclass(frozen=True)
class CheckFailure:
    name: str
    description: str
    rows: tuple[dict, ...]


def check_names() -> list[str]:
    return sorted(path.stem for path in (SQL_DIR / "checks").glob("*.sql"))


def description(name: str) -> str:
    """The first line of the check's header comment."""
    return sql_text(f"checks/{name}.sql").splitlines()[0].removeprefix("--").strip()


def run_check(con, name: str) -> CheckFailure | None:
    rows = fetch_dicts(con, sql_text(f"checks/{name}.sql"))
    return CheckFailure(name, description(name), tuple(rows)) if rows else None


def run_checks(con) -> list[CheckFailure]:
    """Run every check over a connection with the views bound (pipeline.derived.open_views); the ones that fail."""
    return [failure for name in check_names() if (failure := run_check(con, name))]
