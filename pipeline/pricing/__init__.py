"""Pricing (DESIGN.md §2 "Money", §3): the catalogue (catalog.py), the engine over DuckDB (engine.py) and the
answers of `spendlog prices` (explain.py)."""
from ..errors import CatalogError, UserPricesError
from .catalog import Problem, catalog_version, load_catalog, read_catalog
from .engine import PRICE_AS_COLUMNS, PRICING_COLUMNS, price, price_as, price_as_model

__all__ = ["CatalogError", "PRICE_AS_COLUMNS", "PRICING_COLUMNS", "Problem", "UserPricesError", "catalog_version",
           "load_catalog", "price", "price_as", "price_as_model", "read_catalog"]
