"""The price catalogue: the bundled CSVs (curated and imported) and the user's prices, read, typed and checked
(DESIGN.md §3)."""
from __future__ import annotations

import csv
import functools
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from .. import resource, run_sql, sql_text
from ..errors import CatalogError, UserPricesError

BUNDLED_FILES = {name: resource("catalog", name) for name in ("prices.csv", "model_aliases.csv", "imported_prices.csv",
                                                               "imported_model_aliases.csv")}
PRICES_CSV, ALIASES_CSV = BUNDLED_FILES["prices.csv"], BUNDLED_FILES["model_aliases.csv"]
IMPORTED_PRICES_CSV = BUNDLED_FILES["imported_prices.csv"]
IMPORTED_ALIASES_CSV = BUNDLED_FILES["imported_model_aliases.csv"]
LAYERS = ("bundled", "imported", "user")
REQUIRED_PRICE_COLUMNS = ("provider", "model", "effective_from")
ALIAS_COLUMNS = ("provider", "pattern", "model")
CATALOG_TABLES = ("price_catalog", "price_multipliers", "model_aliases")


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


def _create_from_arrow(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    con.register(f"{name}_arrow", table)
    con.execute(f"create or replace table {name} as select * from {name}_arrow")
    con.unregister(f"{name}_arrow")


def read_catalog(con: duckdb.DuckDBPyConnection, user_file: Path | str | None = None) -> list[Problem]:
    """Create temp tables price_catalog, price_multipliers and model_aliases from the three layers — the bundled
    (curated) CSVs, the imported ones and the user's prices CSV (sql/model/catalog.sql) — and return every problem
    found (sql/model/catalog_problems.sql), bundled ones first, then imported, then the user's; never raises for
    them."""
    con.execute("SET TimeZone = 'UTC'")
    rows, problems, alias_rows = [], [], []
    for path, layer in ((PRICES_CSV, "bundled"), (IMPORTED_PRICES_CSV, "imported"), (user_file, "user")):
        if path is not None:
            more_rows, more_problems = read_csv_rows(Path(path), layer, PRICE_COLUMNS, REQUIRED_PRICE_COLUMNS)
            rows, problems = rows + more_rows, problems + more_problems
    for path, layer in ((ALIASES_CSV, "bundled"), (IMPORTED_ALIASES_CSV, "imported")):
        more_rows, more_problems = read_csv_rows(path, layer, list(ALIAS_COLUMNS), ALIAS_COLUMNS)
        alias_rows, problems = alias_rows + more_rows, problems + more_problems
    _create_from_arrow(con, "price_rows_raw", _arrow(rows, PRICE_COLUMNS))
    _create_from_arrow(con, "alias_rows_raw", _arrow(alias_rows, list(ALIAS_COLUMNS)))
    run_sql(con, "model/catalog.sql")
    layers = {row["source_file"]: row["layer"] for row in rows + alias_rows}
    problems += [Problem(file, line, text, layers.get(file, "bundled"))
                 for file, line, text in con.execute(sql_text("model/catalog_problems.sql")).fetchall()]
    for table in ("price_rows_raw", "alias_rows_raw", "price_rows_typed", "curated_names", "shadowed_imports"):
        con.execute(f"drop table {table}")
    return sorted(problems, key=lambda p: (LAYERS.index(p.layer), p.file, p.line or 0))


@functools.lru_cache(maxsize=4)
def _checked_catalog(bundled: tuple, user_file: str | None, size: int | None, mtime_ns: int | None) -> dict:
    """The catalogue tables as Arrow, read and checked once per process for given files (the user file keyed by its
    size and mtime)."""
    con = duckdb.connect()
    problems = read_catalog(con, user_file)
    if problems:
        user = [p for p in problems if p.layer == "user"]
        shown = user or problems
        more = f" (and {len(shown) - 1} more: `spendlog prices check` lists them)" if len(shown) > 1 else ""
        if user:
            raise UserPricesError(f"prices.user_file {shown[0]}{more}")
        raise CatalogError(f"price catalogue {shown[0]}{more}")
    tables = {name: con.table(name).to_arrow_table() for name in CATALOG_TABLES}
    con.close()
    return tables


def _cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "spendlog" / "catalog"


def _cached_catalog(bundled: tuple, user_file: str | None, size: int | None, mtime_ns: int | None) -> Path | None:
    """A folder of the checked catalogue tables as Parquet (<table>.parquet), shared by every process: named by a
    hash of what they are made from (the CSVs' bytes, the user file's, the code that reads them, DuckDB's version),
    made from _checked_catalog on first use. Only a catalogue without problems is kept there. None when the cache
    cannot be written (the tables then come from _checked_catalog)."""
    digest = hashlib.sha256(duckdb.__version__.encode())
    for part in (*bundled, *([Path(user_file)] if user_file else []), Path(__file__),
                 resource("sql", "model/catalog.sql"), resource("sql", "model/catalog_problems.sql")):
        digest.update(b"\0" + part.read_bytes())
    folder = _cache_root() / digest.hexdigest()[:32]

    def whole() -> bool:
        return all((folder / f"{name}.parquet").is_file() for name in CATALOG_TABLES)

    if whole():
        return folder
    tables = _checked_catalog(bundled, user_file, size, mtime_ns)  # raises on a problem: nothing is cached
    staging = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    try:
        staging.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect()
        for name, table in tables.items():
            con.register("cached_table", table)
            con.execute(f"copy cached_table to '{staging / name}.parquet' (format parquet)")
            con.unregister("cached_table")
        con.close()
        os.replace(staging, folder)
    except (OSError, duckdb.Error):  # unwritable or full, or another process made it first (renamed in whole)
        shutil.rmtree(staging, ignore_errors=True)
    return folder if whole() else None


def load_catalog(con: duckdb.DuckDBPyConnection, user_file: Path | str | None = None) -> None:
    """Give a connection the catalogue — tables price_catalog, price_multipliers and model_aliases (in its current
    database: in memory, or the warehouse file) from the three layers: the user's prices CSV (its rows win on the
    dates they cover), the bundled curated CSVs, the imported ones (only for models the curated ones lack) — and the
    macros that price with it: pricing(input), pricing_steps(input, catalog) (sql/model/pricing.sql),
    price_as_target(model) and price_as(model [, relation]) (sql/prices/price_as.sql). The files are read and
    checked once for all processes (_cached_catalog), else once per process. A bad user file raises
    UserPricesError (a ConfigError), a bad bundled catalogue CatalogError: one line naming the file, the line and the
    problem."""
    stat = Path(user_file).stat() if user_file is not None else None
    key = ((PRICES_CSV, ALIASES_CSV, IMPORTED_PRICES_CSV, IMPORTED_ALIASES_CSV),
           str(user_file) if user_file is not None else None, stat.st_size if stat else None,
           stat.st_mtime_ns if stat else None)
    con.execute("SET TimeZone = 'UTC'")
    folder = _cached_catalog(*key)
    if folder is not None:
        for name in CATALOG_TABLES:
            con.execute(f"create or replace table {name} as select * from read_parquet('{folder / name}.parquet')")
    else:
        for name, table in _checked_catalog(*key).items():
            _create_from_arrow(con, name, table)
    create_pricing_macros(con)


def create_pricing_macros(con: duckdb.DuckDBPyConnection) -> None:
    """The table macros that price with the catalogue tables of the connection."""
    run_sql(con, "model/pricing.sql")
    run_sql(con, "prices/price_as.sql")


@functools.cache
def catalog_version() -> str:
    """The shipped catalogue's version: the newest effective_from of its price rows (curated and imported) plus a
    hash of its four CSVs."""
    digest = hashlib.sha256(b"\0".join(path.read_bytes() for path in BUNDLED_FILES.values())).hexdigest()
    newest = ""
    for path in (PRICES_CSV, IMPORTED_PRICES_CSV):
        with path.open("r", newline="", encoding="utf-8") as handle:
            newest = max([newest] + [row["effective_from"] for row in csv.DictReader(handle)])
    return f"{newest}+{digest[:12]}"
