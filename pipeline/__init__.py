"""spendlog: priced, queryable spend data from LLM API usage logs."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = ROOT / "sql"
TEMPLATES_DIR = ROOT / "templates"
CATALOG_DIR = Path(__file__).resolve().parent / "catalog"


def sql_text(name: str) -> str:
    """The text of a file under sql/, e.g. sql_text("normalize/app_log.sql")."""
    return (SQL_DIR / name).read_text(encoding="utf-8")


def sql_statements(name: str) -> list[str]:
    """The statements of sql/<name> (split on ";" at a line end), without comment-only chunks."""
    return [statement for statement in sql_text(name).split(";\n")
            if any(line.strip() and not line.strip().startswith("--") for line in statement.splitlines())]


def used_params(sql: str, params: dict) -> dict:
    """The named parameters ($name) that a statement uses, outside its comments."""
    used = set(re.findall(r"\$([A-Za-z_]\w*)", re.sub(r"--[^\n]*", "", sql)))
    return {name: value for name, value in params.items() if name in used}


def run_sql(con, name: str, params: dict | None = None) -> None:
    """Run every statement of sql/<name>, giving each the named parameters it uses."""
    for statement in sql_statements(name):
        con.execute(statement, used_params(statement, params or {}))


def fetch_dicts(con, sql: str, params: dict | None = None) -> list[dict]:
    """The rows of a query as dicts, given the named parameters it uses."""
    cursor = con.execute(sql, used_params(sql, params or {}))
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]
