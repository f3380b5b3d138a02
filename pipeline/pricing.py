"""Pricing: the bundled price catalogue, model aliases, and sql/pricing.sql (DESIGN.md §2 "Money", §3)."""
from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import duckdb

from . import CATALOG_DIR, sql_text

PRICES_CSV = CATALOG_DIR / "prices.csv"
ALIASES_CSV = CATALOG_DIR / "model_aliases.csv"
CSV_OPTIONS = "header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"'"

PRICING_COLUMNS = [
    "canonical_model", "price_id", "price_tier", "price_flags",
    "input_cost_usd", "cache_write_cost_usd", "cache_read_cost_usd", "output_cost_usd", "tool_cost_usd",
    "cost_usd", "cost_without_cache_usd", "cost_without_batch_usd",
]


class CatalogError(ValueError):
    """A price catalogue (bundled or the user's) that cannot be used: one line naming the problem."""


def _header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle), [])


def _raw_prices(layer: str, parameter: str) -> str:
    return f"select '{layer}' as layer, * from read_csv(${parameter}, {CSV_OPTIONS})"


def load_catalog(con: duckdb.DuckDBPyConnection, user_file: Path | str | None = None) -> None:
    """Create temp tables price_catalog and model_aliases from the bundled CSVs (plus the user's prices CSV,
    whose rows win over bundled rows for the dates they cover); raise CatalogError on a bad catalogue."""
    con.execute("SET TimeZone = 'UTC'")
    raw = _raw_prices("bundled", "path")
    params = {"path": str(PRICES_CSV)}
    if user_file is not None:
        user_file = Path(user_file)
        unknown = sorted(set(_header(user_file)) - set(_header(PRICES_CSV)))
        missing = sorted({"provider", "model", "effective_from"} - set(_header(user_file)))
        if unknown or missing:
            detail = f"unknown column {unknown[0]}" if unknown else f"missing column {missing[0]}"
            raise CatalogError(f"prices.user_file: {user_file}: {detail}")
        raw = f"{raw} union all by name {_raw_prices('user', 'user_path')}"
        params["user_path"] = str(user_file)
    create_prices, create_aliases, check = [s for s in sql_text("catalog.sql").split(";\n") if s.strip()]
    try:
        con.execute(f"create or replace temp table price_rows_raw as {raw}", params)
        con.execute(create_prices)
    except duckdb.Error as error:
        raise CatalogError(f"price catalogue: {str(error).splitlines()[0]}") from None
    con.execute(f"create or replace temp table alias_rows_raw as select * from read_csv($path, {CSV_OPTIONS})",
                {"path": str(ALIASES_CSV)})
    con.execute(create_aliases)
    con.execute("drop table price_rows_raw")
    con.execute("drop table alias_rows_raw")
    problems = [row[0] for row in con.execute(check).fetchall()]
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise CatalogError(f"price catalogue: {problems[0]}{more}")


def catalog_version() -> str:
    """The bundled catalogue's version: its newest effective_from plus a hash of both CSVs."""
    digest = hashlib.sha256(PRICES_CSV.read_bytes() + b"\0" + ALIASES_CSV.read_bytes()).hexdigest()
    with open(PRICES_CSV, newline="", encoding="utf-8") as handle:
        newest = max(row["effective_from"] for row in csv.DictReader(handle))
    return f"{newest}+{digest[:12]}"


def price(con: duckdb.DuckDBPyConnection, input_relation: str = "pricing_input") -> duckdb.DuckDBPyRelation:
    """sql/pricing.sql over input_relation (a table or view of canonical usage columns, pricing_input by default);
    loads the bundled catalogue if the connection has none."""
    con.execute("SET TimeZone = 'UTC'")
    loaded = {row[0] for row in con.execute(
        "select table_name from duckdb_tables() where table_name in ('price_catalog', 'model_aliases')").fetchall()}
    if loaded != {"price_catalog", "model_aliases"}:
        load_catalog(con)
    query = sql_text("pricing.sql").replace("select * from pricing_input", f"select * from {input_relation}", 1)
    return con.sql(query)
