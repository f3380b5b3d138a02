"""What `spendlog prices` answers: the catalogue's problems, the prices in force, how one request was priced."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb

from .. import fetch_dicts, sql_named
from ..lake import Lake, bind_usage, connect
from ..output import format_table
from ..output import plain_number
from .catalog import create_pricing_macros, load_catalog, read_catalog

FLAG_WORDS = {
    "usage_missing": "the request was billed but its usage is unknown (a stream aborted before its usage arrived)",
    "batch_and_fast": "it says both batch and fast mode, which the Batch API does not offer: a data error",
    "geo_not_supported": "it says US-only inference (inference_geo us) on a model with no US-only price: a data error",
    "tier_unknown": "a usage bucket without context_window on a model with a long-context tier: priced at the "
                    "standard rates",
    "priority_list_price": "the priority tier has no published per-token price for this model: priced at list price",
    "fast_at_standard": "it says fast mode, which this model has no rates for on that day: priced at standard speed",
}
LAYER_WORDS = {"bundled": "bundled catalogue", "imported": "imported layer", "user": "your prices"}
COMPONENTS = [
    ("input", "input"), ("cache write 5m", "cache_write_5m"), ("cache write 1h", "cache_write_1h"),
    ("cache read", "cache_read"), ("output", "output"),
]


# --- check --------------------------------------------------------------------------------------------------------

def check_problems(settings) -> tuple[list[str], dict]:
    """Every catalogue problem (both layers, gaps, alias clashes) and every lake model without a price at a date
    where it occurs, one line each; and the counts. Reads the lake's usage rows: never re-prices."""
    con = connect(settings)
    problems = [str(p) for p in read_catalog(con, settings.user_price_file)]
    create_pricing_macros(con)
    lake = Lake(settings.home)
    bind_usage(con, lake, lake.read_manifest())
    check = sql_named("prices/check.sql")
    con.execute(check["lake_keys"])
    con.execute(check["lake_keys_priced"])
    problems += [row[0] for row in con.execute(check["problems"]).fetchall()]
    summary = fetch_dicts(con, check["counts"])[0]
    con.close()
    return problems, summary


# --- list ---------------------------------------------------------------------------------------------------------

def prices_in_force(settings, at: dt.date, provider: str | None, source: str | None = None) -> list[dict]:
    """The price row in force on a UTC date for every catalogue model (of one provider, or all; from one layer —
    bundled, imported or user — or all)."""
    con = duckdb.connect()
    load_catalog(con, settings.user_price_file)
    statements = sql_named("prices/list.sql")
    con.execute(statements["input"], {"at": at, "provider": provider})
    rows = fetch_dicts(con, statements["prices"], {"source": source})
    con.close()
    return rows


def prices_table(settings, day: dt.date, provider: str | None, source: str | None = None) -> str:
    """`spendlog prices list` as text: a heading line and the table of prices_in_force."""
    rows = prices_in_force(settings, day, provider, source)
    headers = ["provider", "model", "input", "output", "write 5m", "write 1h", "read", "long context", "batch",
               "contract", "since", "layer", "source"]
    cells = []
    for r in rows:
        long_context = ""
        if r["lc_threshold"] is not None:
            long_context = f">{r['lc_threshold']:,}: {plain_number(r['lc_input'])} / {plain_number(r['lc_output'])}"
        contract = "" if r["contract_multiplier"] == 1 else f"×{plain_number(r['contract_multiplier'])}"
        cells.append([r["provider"], r["model"], plain_number(r["input"]), plain_number(r["output"]), plain_number(r["cache_write_5m"]),
                      plain_number(r["cache_write_1h"]), plain_number(r["cache_read"]), long_context,
                      f"×{plain_number(r['batch_multiplier'])}" if r["batch_multiplier"] is not None else "", contract,
                      str(r["effective_from"]), r["layer"], r["source"] or ""])
    heading = (f"Prices in force on {day} (UTC), USD per 1M tokens; long context: input above the threshold, "
               "input / output")
    return heading + "\n" + format_table(headers, cells, right={2, 3, 4, 5, 6}, noun="model")


# --- explain ------------------------------------------------------------------------------------------------------

def explain_rows(con, request_id: str) -> list[dict]:
    """The rows of request_id in priced_usage, priced again by sql/model/pricing.sql with its working columns."""
    statements = sql_named("prices/explain.sql")
    con.execute(statements["input"], {"request_id": request_id})
    return fetch_dicts(con, statements["rows"])


def _when(ts) -> str:
    if ts is None:
        return "no time"
    ts = ts.astimezone(dt.timezone.utc)
    millis = f".{ts.microsecond // 1000:03d}" if ts.microsecond else ""
    return f"{ts:%Y-%m-%d %H:%M:%S}{millis} UTC"


def _in_force(start: dt.date, end: dt.date | None) -> str:
    return f"from {start} on" if end is None else f"{start} to {end - dt.timedelta(days=1)}"


def _model_line(r: dict) -> str:
    if r["canonical_model"] is None:
        return f"'{r['model']}' matches no catalogue model or alias"
    if r["logged_as_canonical"]:
        return f"{r['canonical_model']}: the logged name is the catalogue name"
    patterns = " and ".join(r["alias_patterns"] or [])
    return f"{r['canonical_model']}, by the alias in {patterns}"


def _tier_line(r: dict) -> str:
    total = (f"total input {r['total_input_tokens']:,} ({r['input_tokens']:,} uncached + "
             f"{r['cache_write_5m_tokens'] + r['cache_write_1h_tokens']:,} cache writes + "
             f"{r['cache_read_tokens']:,} cache reads)")
    threshold = r["lc_threshold"]
    if r["fast"]:
        above = f"; total input above {threshold:,}: the fast long-context rates" if r["fast_long_context"] else ""
        return f"fast: the request ran in fast mode, at the fast rates{above}"
    why = []
    if r["fast_requested"]:
        why.append(f"speed fast was logged but {r['canonical_model']} has no fast rates on this date: "
                   "billed at standard speed")
    if r["grain"] == "bucket" and threshold is not None:
        window = r["context_window"]
        if r["tier_unknown"]:
            why.append(f"a usage bucket without a context_window that decides the {threshold:,} threshold")
        else:
            why.append(f"a usage bucket with context_window {window}"
                       f"{', above' if r['above_threshold'] else ', not above'} the {threshold:,} threshold")
    elif threshold is None:
        why.append(f"{total}; {r['canonical_model']} has no long-context tier on this date")
    elif r["above_threshold"]:
        why.append(f"{total} is above the {threshold:,} threshold, so every token is billed at the "
                   "long-context rates")
    else:
        why.append(f"{total} is not above the {threshold:,} threshold")
    if r["priority_rates"]:
        why.append("service tier priority: the priority rates")
    return f"{r['price_tier']}: " + "; ".join(why)


def _multiplied(final: Decimal, factors: list[tuple[Decimal, str]]) -> str:
    applied = [f"× {plain_number(m)} {name}" for m, name in factors if m != 1]
    return f" {' '.join(applied)} = ${plain_number(final)}" if applied else ""


def _component_lines(r: dict) -> list[tuple[str, str]]:
    lines = []
    for label, key in COMPONENTS:
        tokens = r[f"{key}_tokens"]
        if not tokens:
            continue
        rate = r[f"{key}_rate"]
        if rate is None:
            lines.append((label, f"{tokens:,} tokens, but the price row has no {key} rate"))
            continue
        batch = r["batch_cache_read_multiplier"] if key == "cache_read" else r["batch_multiplier"]
        flex = r["flex_cache_read_multiplier"] if key == "cache_read" else r["flex_multiplier"]
        factors = [(batch, "batch"), (r["geo_multiplier"], "US-only"), (flex, "flex"),
                   (r["contract_total_multiplier"], "contract")]
        lines.append((label, f"{tokens:,} tokens × ${plain_number(rate)} per 1M = ${plain_number(r[f'{key}_base'])}"
                             + _multiplied(r[f"{key}_cost"], factors)))
    searches = r["web_search_requests"]
    if searches:
        rate = r["web_search_rate"]
        if rate is None:
            lines.append(("web search", f"{searches:,} searches, but the price row has no web search rate"))
        else:
            lines.append(("web search", f"{searches:,} searches × ${plain_number(rate)} per 1K = ${plain_number(r['web_search_base'])}"
                                        + _multiplied(r["web_search_cost"], [(r["contract_total_multiplier"], "contract")])
                                        + " (never batch-discounted)"))
    return lines or [("tokens", "none")]


def _multiplier_line(r: dict) -> str:
    parts = []
    if r["batch"]:
        parts.append(f"batch ×{plain_number(r['batch_multiplier'])} on token charges (a Batch API request)")
        if r["batch_cache_read_multiplier"] != r["batch_multiplier"]:
            parts.append(f"×{plain_number(r['batch_cache_read_multiplier'])} on cache reads")
    if r["us_geo"] and "geo_not_supported" in r["price_flags"]:
        parts.append("US-only inference logged, but the price row has no US-only multiplier")
    elif r["us_geo"]:
        parts.append(f"US-only inference ×{plain_number(r['geo_multiplier'])} on token charges")
    if r["service_tier"] == "flex":
        parts.append(f"flex ×{plain_number(r['flex_multiplier'])}")
        if r["flex_cache_read_multiplier"] != r["flex_multiplier"]:
            parts.append(f"×{plain_number(r['flex_cache_read_multiplier'])} on cache reads")
    if r["contract_total_multiplier"] != 1:
        parts.append(f"contract ×{plain_number(r['contract_total_multiplier'])} on every charge")
    if not parts:
        return "none (not a batch request, no US-only inference, no flex tier, no contract)"
    return "; ".join(parts)


def _contract_line(r: dict) -> str | None:
    parts = []
    if r["row_contract_multiplier"] is not None:
        parts.append(f"×{plain_number(r['row_contract_multiplier'])} on the price row itself")
    if r["contract_id"] is not None:
        source = f": {r['contract_source']}" if r["contract_source"] else ""
        parts.append(f"×{plain_number(r['contract_multiplier'])} from {r['contract_id']} "
                     f"({r['contract_file']} line {r['contract_line']}{source})")
    return "; ".join(parts) or None


def _flag_words(r: dict) -> list[str]:
    words = []
    for flag in r["price_flags"]:
        if flag == "no_price":
            if r["canonical_model"] is None:
                words.append(f"the model '{r['model']}' matches no catalogue model or alias")
            else:
                words.append(f"{r['canonical_model']} has no price row on {r['price_date']}")
        elif flag == "no_rate:batch":
            words.append("it is a Batch API request but the price row has no batch_multiplier")
        elif flag.startswith("no_rate:"):
            component = flag.split(":", 1)[1].replace("_", " ")
            words.append(f"it has {component} usage but the price row has no {component} rate")
        else:
            words.append(FLAG_WORDS.get(flag, flag))
    return words


def explain_lines(r: dict) -> list[str]:
    """One request row explained, as text lines."""
    which = f" (row {r['explain_row']} of {r['explain_rows']})" if r["explain_rows"] > 1 else ""
    app = f", app {r['app']}" if r.get("app") else ""
    lines = [f"{r['request_id']}{which}: {_when(r['ts'])}{app}"]

    def add(label: str, text: str) -> None:
        lines.append(f"  {label:<15}{text}")

    where = f"{r['source_format']}: {r['source_file']} line {r['source_line']}"
    grain = f", a usage bucket of {r['request_count']:,} requests" if r["grain"] == "bucket" and r["request_count"] else ""
    model = f"model '{r['model']}'" if r["model"] is not None else "no model"
    add("logged", f"{r['provider'] or 'no provider'} {model} ({where}{grain})")
    if r["status"] == "free" and r["billable"] is not False:
        if r["recorded_cost_basis"] == "stated":
            add("no usage", "a row with no tokens to price (a money-only cost export)")
            add("total", f"stated by the source: ${plain_number(r['recorded_cost_usd'])} (reported_cost_usd); the catalogue "
                         "would price it $0: nothing else prices this UTC day and biller, so cost_usd is the stated "
                         "cost (cost_basis stated)")
            return lines
        stated = (f"; the export states ${plain_number(r['reported_cost_usd'])} (reported_cost_usd), kept for reconciliation"
                  if r["reported_cost_usd"] is not None else "")
        add("no usage", f"a row with no tokens to price (a money-only cost export): cost_usd is $0{stated}")
        return lines
    if r["status"] == "free":
        status = f"HTTP {r['http_status']}" if r["http_status"] else "no usage billed"
        error = f" {r['error_type']}" if r["error_type"] else ""
        add("not billable", f"{status}{error}: costs $0 (errors, rate limits and failed batch items are not billed)")
        return lines
    add("model", _model_line(r))
    if r["price_id"] is not None:
        layer = LAYER_WORDS[r["price_layer"]]
        source = f": {r['price_source']}" if r["price_source"] else ""
        add("price row", f"{r['price_id']}, in force {_in_force(r['price_from'], r['price_to'])} "
                         f"({layer}, {r['price_file']} line {r['price_line']}{source})")
        add("tier", _tier_line(r))
        contract = _contract_line(r)
        if contract:
            add("contract", contract)
        for label, text in _component_lines(r):
            add(label, text)
        add("multipliers", _multiplier_line(r))
    stated = r["recorded_cost_basis"] == "stated"
    if r["status"] == "priced":
        recorded = r["recorded_catalogue_cost_usd"] if stated else r["recorded_cost_usd"]
        stored = ("the catalogue_cost_usd in priced_usage" if stated else "the cost_usd in priced_usage")
        if r["cost_usd"] != recorded:
            stored = f"but priced_usage says ${plain_number(recorded)} (priced with another catalogue)"
        add("catalogue" if stated else "total", f"${plain_number(r['cost_usd'])}, {stored}")
        notes = _flag_words(r)
        if notes:
            add("note", "; ".join(notes))
    elif not stated:
        add("unpriced", "cost_usd is NULL: " + "; ".join(_flag_words(r)))
    else:
        add("catalogue", "cannot price it: " + "; ".join(_flag_words(r)))
    if stated:
        catalogue = (f"the catalogue would price it ${plain_number(r['cost_usd'])}" if r["status"] == "priced"
                     else "the catalogue cannot price it")
        add("total", f"stated by the source: ${plain_number(r['recorded_cost_usd'])} (reported_cost_usd); {catalogue}: "
                     f"{r['billed_by']} bills the request and states what it charged, so cost_usd is the stated "
                     "cost (cost_basis stated)")
    elif r["reported_cost_usd"] is not None:
        add("stated", f"the source states ${plain_number(r['reported_cost_usd'])} (reported_cost_usd), kept for "
                      "reconciliation: the catalogue prices a provider's own usage (cost_basis catalogue)")
    if r["status"] == "priced":
        add("what if", f"without caching ${plain_number(r['cost_without_cache_usd'])}, "
                       f"without batch ${plain_number(r['cost_without_batch_usd'])}"
                       + (" (at the catalogue's price)" if stated else ""))
    return lines
