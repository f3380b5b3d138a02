"""The pricing engine: the table macros of sql/model/pricing.sql over any relation of canonical usage rows, and
what-if pricing on another model (sql/prices/price_as.sql)."""
from __future__ import annotations

import duckdb

from ..errors import CatalogError
from .catalog import CATALOG_TABLES, load_catalog

PRICING_COLUMNS = [
    "canonical_model", "price_id", "price_tier", "price_flags",
    "input_cost_usd", "cache_write_cost_usd", "cache_read_cost_usd", "output_cost_usd", "tool_cost_usd",
    "cost_usd", "cost_without_cache_usd", "cost_without_batch_usd",
]
PRICE_AS_COLUMNS = ["price_as_model", "price_as_price_id", "price_as_tier", "cost_as_usd", "price_as_flags"]


def _ensure_catalog(con: duckdb.DuckDBPyConnection) -> None:
    names = ", ".join(f"'{t}'" for t in CATALOG_TABLES)
    loaded = {row[0] for row in con.execute(
        f"select table_name from duckdb_tables() where table_name in ({names})").fetchall()}
    if loaded != set(CATALOG_TABLES):
        load_catalog(con)


def price(con: duckdb.DuckDBPyConnection, input_relation: str = "pricing_input",
          internals: bool = False) -> duckdb.DuckDBPyRelation:
    """The rows of input_relation (a table or view of canonical usage columns) priced by sql/model/pricing.sql;
    with internals, its working columns too. Loads the bundled catalogue if the connection has none."""
    _ensure_catalog(con)
    if internals:
        return con.sql("select * from pricing_steps($input, 'price_catalog')", params={"input": input_relation})
    return con.sql("select * from pricing($input)", params={"input": input_relation})


def price_as_model(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """The catalogue model that name (a catalogue name or any alias) prices as; CatalogError for an unknown name."""
    _ensure_catalog(con)
    try:
        # the provider column raises the error: it must be selected
        return con.execute("select provider, model from price_as_target($target)", {"target": name}).fetchall()[0][1]
    except duckdb.InvalidInputException as error:
        raise CatalogError(str(error).split("Error: ", 1)[-1].splitlines()[0]) from None


def price_as(con: duckdb.DuckDBPyConnection, target_model: str,
             relation: str = "priced_usage") -> duckdb.DuckDBPyRelation:
    """The rows of relation priced as if they had run on target_model (a catalogue name or any alias): every
    column of relation plus price_as_model, price_as_price_id, price_as_tier, cost_as_usd and price_as_flags.

    The target's price row at each request's UTC date; before its first row its earliest row (flag
    price_as_earliest), after its last its latest (price_as_latest). Cache writes at the target's write rates, or
    its input rate where it has none (OpenAI, Gemini); cache reads likewise; its own long-context threshold decides
    the tier. Batch, speed, service tier and inference_geo are the request's; US-only inference on a target
    without a US multiplier is priced at x1 (flag price_as_no_geo). Raises CatalogError for an unknown target."""
    price_as_model(con, target_model)
    return con.sql("select * from price_as($target, relation := $relation)",
                   params={"target": target_model, "relation": relation})
