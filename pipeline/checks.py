"""Declarative checks (sql/checks/*.sql): each query returns no rows on a healthy home, one row per problem."""
from __future__ import annotations

from dataclasses import dataclass

from . import fetch_dicts, resource, sql_text


@dataclass(frozen=True)
class CheckFailure:
    name: str
    description: str
    rows: tuple[dict, ...]


def check_names() -> list[str]:
    """Every check, by its file name under sql/checks/."""
    return sorted(p.name.removesuffix(".sql") for p in resource("sql", "checks").iterdir() if p.name.endswith(".sql"))


def description(name: str) -> str:
    """The first line of the check's header comment."""
    return sql_text(f"checks/{name}.sql").splitlines()[0].removeprefix("--").strip()


def run_check(con, name: str) -> CheckFailure | None:
    rows = fetch_dicts(con, sql_text(f"checks/{name}.sql"))
    return CheckFailure(name, description(name), tuple(rows)) if rows else None


def run_checks(con) -> list[CheckFailure]:
    """Run every check over a connection with the views bound (pipeline.views.open_views); the ones that fail."""
    return [failure for name in check_names() if (failure := run_check(con, name))]


def doctor_lines(failures: list[CheckFailure], shown: int = 5) -> list[str]:
    """`spendlog doctor` as text: every check with ok or FAIL, and the first rows of each failing one."""
    failed = {failure.name: failure for failure in failures}
    lines = []
    for name in check_names():
        failure = failed.get(name)
        lines.append(f"{'FAIL' if failure else 'ok  '}  {name}: {description(name)}")
        if failure:
            lines += [f"        {format_row(row)}" for row in failure.rows[:shown]]
            if len(failure.rows) > shown:
                lines.append(f"        … and {len(failure.rows) - shown:,} more")
    return lines


def format_row(row: dict) -> str:
    return ", ".join(f"{key} {value}" for key, value in row.items())
