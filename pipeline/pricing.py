"""Pricing: the bundled price catalogue, the user's prices, model aliases, sql/pricing.sql and what-if pricing
(DESIGN.md §2 "Money", §3)."""
from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from . import resource, sql_statements, sql_text
from .config import ConfigError

BUNDLED_FILES = {name: resource("catalog", name) for name in ("prices.csv", "model_aliases.csv")}
PRICES_CSV, ALIASES_CSV = BUNDLED_FILES["prices.csv"], BUNDLED_FILES["model_aliases.csv"]
REQUIRED_PRICE_COLUMNS = ("provider", "model", "effective_from")
ALIAS_COLUMNS = ("provider", "pattern", "model")
CATALOG_TABLES = ("price_catalog", "price_multipliers", "model_aliases")

PRICING_COLUMNS = [
    "canonical_model", "price_id", "price_tier", "price_flags",
    "input_cost_usd", "cache_write_cost_usd", "cache_read_cost_usd", "output_cost_usd", "tool_cost_usd",
    "cost_usd", "cost_without_cache_usd", "cost_without_batch_usd",
]
PRICE_AS_COLUMNS = ["price_as_model", "price_as_price_id", "price_as_tier", "cost_as_usd", "price_as_flags"]


class CatalogError(ValueError):
    """A price catalogue (bundled or the user's) that cannot be used: one line naming the problem."""


class UserPricesError(CatalogError, ConfigError):
    """A bad `[prices] user_file`: a configuration error, so the CLI exits 78."""


@dataclass(frozen=True)
class Problem:
    """One catalogue problem: its file, its line (1-based, the header is line 1; None for the whole file), what."""

    file: str
    line: int | None
    text: str
    layer: str = "bundled"

    def __str__(self) -> str:
        return f"{self.file}: line {self.line}: {self.text}" if self.line else f"{self.file}: {self.text}"


def _header(path) -> list[str]:
    with path.open("r", newline="", encoding="utf-8-sig") as handle:
        return [column.strip().lower() for column in next(csv.reader(handle), [])]


PRICE_COLUMNS = _header(PRICES_CSV)


def display_name(path) -> str:
    """A catalogue file as problems and explanations name it: bundled files by their place in the repository."""
    bundled = [name for name, file in BUNDLED_FILES.items() if file == path]
    return f"pipeline/catalog/{bundled[0]}" if bundled else str(path)


def _numbered_records(handle):
    """(first physical line, values) for every CSV record that is not blank."""
    reader = csv.reader(handle, strict=True)
    line = 1
    for values in reader:
        if any(value.strip() for value in values):
            yield line, values
        line = reader.line_num + 1


def read_csv_rows(path: Path, layer: str, known: list[str], required: tuple[str, ...]) -> tuple[list[dict], list[Problem]]:
    """The data rows of a catalogue CSV as dicts of stripped strings (None when empty) with source_file,
    source_line and layer, and the problems of its shape: unknown, missing or repeated columns, ragged rows."""
    name = display_name(path)
    try:
        with path.open("r", newline="", encoding="utf-8-sig") as handle:
            records = list(_numbered_records(handle))
    except UnicodeDecodeError as error:
        return [], [Problem(name, None, f"not UTF-8 text (byte {error.start})", layer)]
    except csv.Error as error:
        return [], [Problem(name, None, f"not readable as CSV: {error}", layer)]
    if not records:
        return [], [Problem(name, None, "no header row", layer)]
    header_line, header = records[0]
    header = [column.strip().lower() for column in header]
    problems = [Problem(name, header_line, f"unknown column {column}", layer) for column in header if column not in known]
    problems += [Problem(name, header_line, f"missing column {column}", layer) for column in required if column not in header]
    problems += [Problem(name, header_line, f"column {column} appears twice", layer)
                 for column in sorted({c for c in header if header.count(c) > 1})]
    if problems:
        return [], problems
    rows = []
    for line, values in records[1:]:
        if len(values) > len(header):
            problems.append(Problem(name, line, f"{len(values)} values for {len(header)} columns", layer))
            continue
        cells = {column: value.strip() or None for column, value in zip(header, values)}
        rows.append({**dict.fromkeys(known), **cells, "source_file": name, "source_line": line, "layer": layer})
    return rows, problems


def _arrow(rows: list[dict], columns: list[str]) -> pa.Table:
    schema = pa.schema([(c, pa.string()) for c in columns]
                       + [("source_file", pa.string()), ("source_line", pa.int64()), ("layer", pa.string())])
    return pa.Table.from_pylist(rows, schema=schema)


def read_catalog(con: duckdb.DuckDBPyConnection, user_file: Path | str | None = None) -> list[Problem]:
    """Create temp tables price_catalog, price_multipliers and model_aliases from the bundled CSVs and the user's
    prices CSV, and return every problem found (sql/catalog.sql), bundled ones first; never raises for them."""
    con.execute("SET TimeZone = 'UTC'")
    rows, problems = read_csv_rows(PRICES_CSV, "bundled", PRICE_COLUMNS, REQUIRED_PRICE_COLUMNS)
    if user_file is not None:
        user_rows, user_problems = read_csv_rows(Path(user_file), "user", PRICE_COLUMNS, REQUIRED_PRICE_COLUMNS)
        rows, problems = rows + user_rows, problems + user_problems
    alias_rows, alias_problems = read_csv_rows(ALIASES_CSV, "bundled", list(ALIAS_COLUMNS), ALIAS_COLUMNS)
    problems += alias_problems
    price_table = _arrow(rows, PRICE_COLUMNS)  # noqa: F841 - read by name below
    alias_table = _arrow(alias_rows, list(ALIAS_COLUMNS))  # noqa: F841
    con.execute("create or replace temp table price_rows_raw as select * from price_table")
    con.execute("create or replace temp table alias_rows_raw as select * from alias_table")
    *statements, check = sql_statements("catalog.sql")
    for statement in statements:
        con.execute(statement)
    layers = {row["source_file"]: row["layer"] for row in rows}
    problems += [Problem(file, line, text, layers.get(file, "bundled"))
                 for file, line, text in con.execute(check).fetchall()]
    for table in ("price_rows_raw", "alias_rows_raw", "price_rows_typed"):
        con.execute(f"drop table {table}")
    rank = {"bundled": 0, "user": 1}
    return sorted(problems, key=lambda p: (rank[p.layer], p.file, p.line or 0))


def load_catalog(con: duckdb.DuckDBPyConnection, user_file: Path | str | None = None) -> None:
    """Create temp tables price_catalog, price_multipliers and model_aliases from the bundled CSVs plus the user's
    prices CSV (its rows win over bundled rows for the dates they cover). A bad user file raises UserPricesError
    (a ConfigError), a bad bundled catalogue CatalogError: one line naming the file, the line and the problem."""
    problems = read_catalog(con, user_file)
    if not problems:
        return
    user = [p for p in problems if p.layer == "user"]
    shown = user or problems
    more = f" (and {len(shown) - 1} more: `spendlog prices check` lists them)" if len(shown) > 1 else ""
    if user:
        raise UserPricesError(f"prices.user_file {shown[0]}{more}")
    raise CatalogError(f"price catalogue {shown[0]}{more}")


def catalog_version() -> str:
    """The bundled catalogue's version: its newest effective_from plus a hash of both CSVs."""
    digest = hashlib.sha256(PRICES_CSV.read_bytes() + b"\0" + ALIASES_CSV.read_bytes()).hexdigest()
    with PRICES_CSV.open("r", newline="", encoding="utf-8") as handle:
        newest = max(row["effective_from"] for row in csv.DictReader(handle))
    return f"{newest}+{digest[:12]}"


def _ensure_catalog(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("SET TimeZone = 'UTC'")
    names = ", ".join(f"'{t}'" for t in CATALOG_TABLES)
    loaded = {row[0] for row in con.execute(
        f"select table_name from duckdb_tables() where table_name in ({names})").fetchall()}
    if loaded != set(CATALOG_TABLES):
        load_catalog(con)


def pricing_query(input_relation: str = "pricing_input", catalog: str = "price_catalog",
                  internals: bool = False) -> str:
    """The text of sql/pricing.sql reading input_relation and the catalogue table `catalog`; with internals, the
    working columns (`_price`, rates `_r_*`, multipliers `_m_*`, components `_b_*` before and `_c_*` after the
    multipliers …) are kept, for `spendlog prices explain` and price_as."""
    query = sql_text("pricing.sql").replace("select * from pricing_input", f"select * from {input_relation}", 1)
    if catalog != "price_catalog":
        query = query.replace("price_catalog", catalog)
    if internals:
        keep_all = "columns(lambda c: not starts_with(c, '_')),"
        assert keep_all in query
        query = query.replace(keep_all, "*,", 1)
    return query


def price(con: duckdb.DuckDBPyConnection, input_relation: str = "pricing_input",
          internals: bool = False) -> duckdb.DuckDBPyRelation:
    """sql/pricing.sql over input_relation (a table or view of canonical usage columns, pricing_input by default);
    loads the bundled catalogue if the connection has none."""
    _ensure_catalog(con)
    return con.sql(pricing_query(input_relation, internals=internals))


def create_price_as_macro(con: duckdb.DuckDBPyConnection) -> None:
    """Create the table macros price_as(target_model [, relation := 'priced_usage']) and
    price_as_target(target_model) (sql/prices/price_as.sql) on a connection with the catalogue loaded."""
    pricing = pricing_query("price_as_input", catalog="price_as_catalog", internals=True)
    for statement in sql_statements("prices/price_as.sql"):
        con.execute(statement.replace("select * from price_as_pricing", pricing, 1))


def price_as(con: duckdb.DuckDBPyConnection, target_model: str,
             relation: str = "priced_usage") -> duckdb.DuckDBPyRelation:
    """The rows of relation priced as if they had run on target_model (a catalogue name or any alias): every
    column of relation plus price_as_model, price_as_price_id, price_as_tier, cost_as_usd and price_as_flags.

    The target's price row at each request's UTC date; before its first row its earliest row (flag
    price_as_earliest), after its last its latest (price_as_latest). Cache writes at the target's write rates, or
    its input rate where it has none (OpenAI, Gemini); cache reads likewise; its own long-context threshold decides
    the tier. Batch, speed, service tier and inference_geo are the request's; US-only inference on a target
    without a US multiplier is priced at x1 (flag price_as_no_geo). Raises CatalogError for an unknown target."""
    _ensure_catalog(con)
    create_price_as_macro(con)
    try:
        con.execute("select * from price_as_target($target)", {"target": target_model}).fetchall()
    except duckdb.InvalidInputException as error:
        raise CatalogError(str(error).split("Error: ", 1)[-1].splitlines()[0]) from None
    return con.sql("select * from price_as($target, relation := $relation)",
                   params={"target": target_model, "relation": relation})
