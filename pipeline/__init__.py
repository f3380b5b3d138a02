"""spendlog: priced, queryable spend data from LLM API usage logs.

In a notebook or a script, ``pipeline.connect()`` gives a DuckDB connection with every view of the README.
"""
import functools
import re
from importlib import metadata, resources
from importlib.resources.abc import Traversable

try:
    __version__ = metadata.version("spendlog")
except metadata.PackageNotFoundError:  # imported from a checkout that was never installed
    __version__ = "0+unknown"


def resource(folder: str, name: str) -> Traversable:
    """A file the program reads at run time, shipped in the package (sql/, templates/, pipeline/catalog/):
    resource("sql", "normalize/app_log.sql"), resource("templates", "report.html"), resource("catalog", "prices.csv")."""
    return resources.files(f"pipeline.{folder}").joinpath(name)


@functools.cache
def sql_text(name: str) -> str:
    """The text of a file under sql/, e.g. sql_text("normalize/app_log.sql"); each file is read once per process."""
    return resource("sql", name).read_text(encoding="utf-8")


def sql_statements(name: str) -> list[str]:
    """The statements of sql/<name> (split on ";" at a line end), without comment-only chunks."""
    return [statement for statement in sql_text(name).split(";\n")
            if any(line.strip() and not line.strip().startswith("--") for line in statement.splitlines())]


def sql_named(name: str) -> dict[str, str]:
    """The named statements of sql/<name>, in file order: each follows a line `-- name: NAME`."""
    parts = re.split(r"^-- name: (\w+)\n", sql_text(name), flags=re.M)
    return {key: body.strip().removesuffix(";") for key, body in zip(parts[1::2], parts[2::2])}


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


def connect(home: str | None = None, config: str | None = None):
    """A DuckDB connection to a home's data, for notebooks and scripts: the views usage, priced_usage, spend,
    rejects, prices, ingested_files and daily_spend, and the price_as(model) macro. home and config are found as the
    command line finds them (--home, $SPENDLOG_HOME, data_dir; --config, $SPENDLOG_CONFIG, ./spendlog.toml, ~/.config).
    Stale prices are rebuilt first; then nothing done with the connection changes the home (it is in memory)."""
    from .config import load_settings
    from .views import open_views

    return open_views(load_settings(config, home))
