"""The imported price layer (DESIGN.md §3): a pinned genai-prices release turned into rows of the catalogue's columns
and alias rows, offline. The release's `genai_prices/data.py` is parsed, never imported or run, so genai-prices is
no dependency of spendlog. What the catalogue cannot hold is skipped and counted by reason, never guessed
(reference/price-audit-2026-12.md §4)."""
from __future__ import annotations

import ast
import collections
import csv
import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path

from ..errors import FileError, MissingInput
from ..output import plain_number
from ..output import replaced_atomically
from .catalog import ALIAS_COLUMNS, PRICE_COLUMNS

DATA_MODULE = "genai_prices/data.py"
FLOOR_DATE = dt.date(2020, 1, 1)
TOKEN_KEYS = {"input_mtok", "output_mtok", "cache_read_mtok", "cache_write_mtok", "cache_write_5m_mtok",
              "cache_write_1h_mtok", "web_searches_kcount"}
REGEX_SPECIALS = set("\\.^$|?*+()[]{}")


class Call(dict):
    """A constructor call of data.py (Provider, ModelInfo, ModelPrice, …): its keyword arguments, and its name."""

    def __init__(self, name: str, arguments: dict):
        super().__init__(arguments)
        self.name = name


def _value(node: ast.AST):
    """The value of a data.py expression: literals, lists, dicts, Decimal(…), datetime.date/time(…), other calls
    as Call."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List):
        return [_value(item) for item in node.elts]
    if isinstance(node, ast.Dict):
        return {_value(k): _value(v) for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.Call):
        name = ast.unparse(node.func)
        positional = [_value(a) for a in node.args]
        if name == "Decimal":
            return Decimal(positional[0])
        if name == "datetime.date":
            return dt.date(*positional)
        if name == "datetime.time":
            return dt.time(*positional)
        return Call(name, {k.arg: _value(k.value) for k in node.keywords})
    raise FileError(f"{DATA_MODULE} line {node.lineno}", f"cannot read the expression {ast.unparse(node)[:60]!r}")


def read_release(path: Path) -> tuple[str, list[Call]]:
    """The version and the providers of a genai-prices release: a wheel, or a folder holding genai_prices/data.py
    and the wheel's *.dist-info/METADATA (an unpacked wheel)."""
    path = Path(path)
    if path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as wheel:
            names = wheel.namelist()
            metadata = [n for n in names if n.endswith(".dist-info/METADATA")]
            if DATA_MODULE not in names or not metadata:
                raise FileError(str(path), f"not a genai-prices wheel (no {DATA_MODULE} or METADATA)")
            source, meta = wheel.read(DATA_MODULE).decode("utf-8"), wheel.read(metadata[0]).decode("utf-8")
    elif path.is_dir():
        metadata = sorted(path.glob("genai_prices-*.dist-info/METADATA"))
        if not (path / DATA_MODULE).is_file() or not metadata:
            raise FileError(str(path), f"not an unpacked genai-prices wheel (no {DATA_MODULE} or "
                                       "genai_prices-*.dist-info/METADATA)")
        source, meta = (path / DATA_MODULE).read_text("utf-8"), metadata[0].read_text("utf-8")
    elif path.exists():
        raise FileError(str(path), "not a wheel (a zip file) nor a folder")
    else:
        raise MissingInput(f"{path}: no such wheel or folder")
    version = re.search(r"^Version: *(\S+)", meta, re.M)
    if not version:
        raise FileError(str(path), "METADATA names no Version")
    for statement in ast.parse(source).body:
        if isinstance(statement, ast.AnnAssign) and getattr(statement.target, "id", None) == "providers":
            return version.group(1), _value(statement.value)
    raise FileError(str(path), f"{DATA_MODULE} has no providers list")


# --- match clauses → alias patterns -------------------------------------------------------------------------------

def _escape(text: str) -> str:
    return "".join("\\" + c if c in REGEX_SPECIALS else c for c in text.lower())


def clause_patterns(clause: Call) -> tuple[list[str], list[str]]:
    """The alias patterns (full-match regexes on the lowercased model string) of a match clause, one per branch of
    an `or`; and the reasons of the branches that have none."""
    kind = clause.name
    if kind == "ClauseOr":
        patterns, skipped = [], []
        for branch in clause["or_"]:
            p, s = clause_patterns(branch)
            patterns += p
            skipped += s
        return patterns, skipped
    if kind == "ClauseEquals":
        return [_escape(clause["equals"])], []
    if kind == "ClauseStartsWith":
        return [_escape(clause["starts_with"]) + ".*"], []
    if kind == "ClauseEndsWith":
        return [".*" + _escape(clause["ends_with"])], []
    if kind == "ClauseContains":
        return [".*" + _escape(clause["contains"]) + ".*"], []
    if kind == "ClauseRegex":
        regex = clause["regex"]
        if "(?=" in regex or "(?!" in regex or "(?<" in regex:
            return [], ["alias: regex with a lookaround (not RE2)"]
        return [f".*(?:{regex}).*"], []
    return [], [f"alias: {kind.removeprefix('Clause').lower()} clause (no regex form)"]


# --- prices → catalogue rows --------------------------------------------------------------------------------------

def _plain(price) -> Decimal | None:
    return price if isinstance(price, Decimal) or price is None else price["base"]


def _tiers(price) -> list[tuple[int, Decimal]]:
    return [] if isinstance(price, Decimal) or price is None else [(t["start"], t["price"]) for t in price["tiers"]]


def _active(constraint, day: dt.date) -> bool | None:
    """Whether a constraint holds on a day; None for a time-of-day constraint (not mappable)."""
    if constraint is None:
        return True
    if constraint.name == "StartDateConstraint":
        return constraint["start_date"] <= day
    return None


def _prices_on(model: Call, day: dt.date) -> tuple[dict, dict[str, dict], list[str]]:
    """genai-prices' own rule on a day: the base prices (the last conditional price in force, else the first) and
    the prices of each request variant (batch, flex, priority, fast), as {price key: Decimal | TieredPrices}; and
    what was left out."""
    left_out = []
    prices = model.get("prices") or []
    if isinstance(prices, Call):
        base = dict(prices)
    else:
        base = dict(prices[0]["prices"]) if prices else {}
        for conditional in reversed(prices):
            active = _active(conditional.get("constraint"), day)
            if active is None:
                left_out.append("time-of-day price (the all-day price kept)")
            elif active:
                base = dict(conditional["prices"])
                break
    variants: dict[str, dict] = {}
    for variant in model.get("price_variants") or []:
        active = _active(variant.get("constraint"), day)
        if active is None:
            left_out.append("time-of-day variant")
            continue
        if not active:
            continue
        when = tuple(sorted(variant["when"].items()))
        name = {(("processing", "batch"),): "batch", (("service_tier", "flex"),): "flex",
                (("service_tier", "priority"),): "priority", (("service_tier", "fast"),): "priority_fast",
                (("speed", "fast"),): "fast", (("service_tier", "default"),): "default"}.get(when)
        if name is None:
            left_out.append("variant " + ", ".join(f"{k}={v}" for k, v in when))
            continue
        for key, price in variant["prices"].items():
            if price is not None:
                variants.setdefault(name, {}).setdefault(key, price)
    if "priority" not in variants and "priority_fast" in variants:
        variants["priority"] = variants["priority_fast"]
    variants.pop("priority_fast", None)
    if any(p is not None for p in variants.pop("default", {}).values()):
        left_out.append("variant service_tier=default with its own prices")
    return {k: v for k, v in base.items() if v is not None}, variants, left_out


def _fraction(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return (numerator / denominator).normalize()


def _cache_rates(prices: dict) -> dict[str, Decimal | None]:
    """Input, 5m and 1h cache writes and cache reads as genai-prices bills them: a cache key without its own price
    falls back to its parent (1h → write → input; read → input)."""
    write = prices.get("cache_write_5m_mtok", prices.get("cache_write_mtok"))
    return {"input": prices.get("input_mtok"), "output": prices.get("output_mtok"),
            "cache_write_5m": write if write is not None else prices.get("input_mtok"),
            "cache_write_1h": prices.get("cache_write_1h_mtok", write if write is not None else prices.get("input_mtok")),
            "cache_read": prices.get("cache_read_mtok", prices.get("input_mtok"))}


def _levels(prices: dict) -> list[dict]:
    """The effective rates of the standard tier, and of the long-context tier where there is one."""
    levels = [_cache_rates({k: _plain(v) for k, v in prices.items()})]
    if any(_tiers(v) for v in prices.values()):
        levels.append(_cache_rates({k: (_tiers(v)[0][1] if _tiers(v) else v) for k, v in prices.items()}))
    return levels


def _multiplier(levels: list[dict], variant: list[dict], keys: tuple[str, ...]) -> Decimal | None:
    """The one multiplier that turns the list rates of keys into the variant's on every tier, else None."""
    if len(variant) != len(levels):
        return None
    ratios = {_fraction(v[key], level[key]) for level, v in zip(levels, variant) for key in keys
              if level[key] is not None}
    return ratios.pop() if len(ratios) == 1 else None


def price_row(base: dict, variants: dict[str, dict]) -> tuple[dict | None, list[str], str | None]:
    """One catalogue row's rates from a day's prices, the notes on what was left out, and the reason when the day
    cannot be one row at all."""
    notes = sorted(f"{key} not mappable" for key in base if key not in TOKEN_KEYS)
    prices = {k: v for k, v in base.items() if k in TOKEN_KEYS}
    if prices.get("input_mtok") is None and prices.get("output_mtok") is None:
        return None, notes, "no input or output token price (other units only)"
    if all(_plain(v) == 0 and not any(p for _, p in _tiers(v)) for v in prices.values()):
        return None, notes, "free (every price 0)"
    tiered = {k: _tiers(v) for k, v in prices.items() if _tiers(v)}
    if any(len(t) > 1 for t in tiered.values()):
        return None, notes, "several long-context tiers"
    if len({t[0][0] for t in tiered.values()}) > 1:
        return None, notes, "long-context thresholds that differ between prices"
    if "web_searches_kcount" in tiered:
        return None, notes, "a long-context tier on web search"
    flat = _cache_rates({k: _plain(v) for k, v in prices.items()})
    row = {**flat, "web_search_per_1k": _plain(prices.get("web_searches_kcount"))}
    if tiered:
        row["lc_threshold"] = next(iter(tiered.values()))[0][0]
        above = _cache_rates({k: (_tiers(v)[0][1] if _tiers(v) else v) for k, v in prices.items()})
        for key in ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read"):
            row[f"lc_{key}"] = above[key]
    if "fast" in variants:
        fast = _cache_rates({**{k: _plain(v) for k, v in prices.items()},
                             **{k: _plain(v) for k, v in variants["fast"].items()}})
        if any(_tiers(v) for v in variants["fast"].values()):
            return None, notes, "fast mode with a long-context tier"
        if (fast["cache_write_5m"], fast["cache_write_1h"], fast["cache_read"]) != (
                fast["input"] * Decimal("1.25"), fast["input"] * 2, fast["input"] * Decimal("0.1")):
            return None, notes, "fast cache rates not 1.25x / 2x / 0.1x of fast input"
        row["fast_input"], row["fast_output"] = fast["input"], fast["output"]
    levels = _levels(prices)
    if "batch" in variants:
        batch = _levels({**prices, **variants["batch"]})
        multiplier = _multiplier(levels, batch, ("input", "output", "cache_write_5m", "cache_write_1h"))
        cache = _multiplier(levels, batch, ("cache_read",))
        if multiplier is None or cache is None:
            notes.append("batch rates not one multiplier of the list rates: batch left out (batch requests unpriced)")
        else:
            row["batch_multiplier"] = multiplier
            row["batch_cache_read_multiplier"] = cache if cache != multiplier else None
    if "flex" in variants:
        flex = _levels({**prices, **variants["flex"]})
        multiplier = _multiplier(levels, flex, ("input", "output", "cache_write_5m", "cache_write_1h"))
        if multiplier is None:
            notes.append("flex rates not one multiplier of the list rates: flex left out (billed at list price)")
        else:
            row["flex_multiplier"] = multiplier
            if _multiplier(levels, flex, ("cache_read",)) != multiplier:
                notes.append(f"flex cache read not the flex multiplier x list ({plain_number(flex[0]['cache_read'])} "
                             f"published, {plain_number(flat['cache_read'] * multiplier)} billed)")
    if "priority" in variants:
        priority = _cache_rates({**{k: _plain(v) for k, v in prices.items()},
                                 **{k: _plain(v) for k, v in variants["priority"].items()}})
        row["priority_input"], row["priority_output"] = priority["input"], priority["output"]
        row["priority_cache_read"] = priority["cache_read"]
        if any(_tiers(v) for v in variants["priority"].values()):
            notes.append("priority long-context tier not mappable (long-context priority at the long-context list "
                         "price, flagged)")
    return row, notes, None


def _change_days(model: Call) -> list[dt.date]:
    days = {FLOOR_DATE}
    prices = model.get("prices")
    for item in ([] if isinstance(prices, Call) else prices or []) + (model.get("price_variants") or []):
        constraint = item.get("constraint")
        if constraint is not None and constraint.name == "StartDateConstraint" and constraint["start_date"] > FLOOR_DATE:
            days.add(constraint["start_date"])
    return sorted(days)


def convert(version: str, providers: list[Call]) -> tuple[list[dict], list[dict], collections.Counter]:
    """The price rows, the alias rows and the skipped items by reason of a release's providers: one row per model
    and price change (a new row only where the mapped rates change), in the release's order."""
    source = f"genai-prices {version}"
    rows, aliases, skipped = [], [], collections.Counter()
    for provider in providers:
        provider_id = provider["id"].lower()
        seen = set()
        for model in provider.get("models") or []:
            name = model["id"].lower()
            if name in seen:
                skipped[f"model: a second model {provider_id}/{name} (ids differ only in case)"] += 1
                continue
            seen.add(name)
            model_rows, reason = [], None
            for day in _change_days(model):
                base, variants, left_out = _prices_on(model, day)
                rates, notes, reason = price_row(base, variants)
                if reason:
                    break
                cells = {**dict.fromkeys(PRICE_RATE_COLUMNS, ""), **{k: plain_number(v) for k, v in rates.items()},
                         "notes": "; ".join(sorted(set(notes + left_out)))}
                if model_rows and all(model_rows[-1][k] == v for k, v in cells.items()):
                    continue
                if model_rows:
                    model_rows[-1]["effective_to"] = day.isoformat()
                model_rows.append({"provider": provider_id, "model": name, "effective_from": day.isoformat(),
                                   "effective_to": "", **cells, "verified": "V3",
                                   "source": f"{source} {provider['id']}/{model['id']}"})
            if reason:
                skipped[f"model: {reason}"] += 1
                continue
            for note in sorted({n for row in model_rows for n in row["notes"].split("; ") if n}):
                skipped[f"price: {note.split(' (')[0]}"] += 1
            rows += model_rows
            patterns, alias_skips = clause_patterns(model["match"])
            skipped.update(alias_skips)
            for pattern in dict.fromkeys(patterns):
                if pattern != _escape(name):
                    aliases.append({"provider": provider_id, "pattern": pattern, "model": name})
    return rows, aliases, skipped


PRICE_RATE_COLUMNS = [c for c in PRICE_COLUMNS if c not in ("provider", "model", "effective_from", "effective_to",
                                                             "verified", "source", "notes")]


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    """rows as a CSV with columns, written atomically (its folder made if need be)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with replaced_atomically(Path(path)) as temp:
        with open(temp, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows({c: row.get(c, "") for c in columns} for row in rows)


def import_release(release: Path, out: Path, aliases_out: Path) -> tuple[str, list[dict], list[dict], collections.Counter]:
    """Read a genai-prices release and write the imported prices and aliases CSVs."""
    version, providers = read_release(release)
    rows, aliases, skipped = convert(version, providers)
    write_csv(out, PRICE_COLUMNS, rows)
    write_csv(aliases_out, list(ALIAS_COLUMNS), aliases)
    return version, rows, aliases, skipped


def skipped_lines(skipped: collections.Counter) -> list[str]:
    """What the import left out, one line per reason, the most frequent first."""
    if not skipped:
        return ["nothing skipped"]
    return ["skipped, by reason (models; alias: match clauses; model: the whole model left out, price: a price "
            "or variant left out of its rows):"] + [f"{count:6d}  {reason}" for reason, count in
                                          sorted(skipped.items(), key=lambda item: (-item[1], item[0]))]
