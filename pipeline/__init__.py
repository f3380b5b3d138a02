"""spendlog: priced, queryable spend data from LLM API usage logs."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = ROOT / "sql"
TEMPLATES_DIR = ROOT / "templates"
CATALOG_DIR = Path(__file__).resolve().parent / "catalog"


def sql_text(name: str) -> str:
    """The text of a file under sql/, e.g. sql_text("normalize/app_log.sql")."""
    return (SQL_DIR / name).read_text(encoding="utf-8")


def run_sql(con, name: str, params: dict | None = None) -> None:
    """Run every statement of sql/<name>, giving each the named parameters it uses."""
    import re

    params = params or {}
    for statement in sql_text(name).split(";\n"):
        if statement.strip() and not all(l.strip().startswith("--") or not l.strip() for l in statement.splitlines()):
            used = set(re.findall(r"\$([A-Za-z_]\w*)", statement))
            con.execute(statement, {k: v for k, v in params.items() if k in used})
