"""`spendlog apps`: which attribution rule named the app of how many requests and dollars; what the unattributed
requests have in common."""
from __future__ import annotations

import datetime as dt
import json
import os
import re

from . import fetch_dicts, sql_text
from .output import format_table, jsonable

RULE_COLUMNS = [("rule", "rule"), ("app", "app"), ("requests", "requests_fmt"), ("cost", "cost_fmt"),
                ("not in totals", "not_in_totals_fmt")]
UNATTRIBUTED_COLUMNS = [("kind", "kind"), ("value", "value_fmt"), ("requests", "requests_fmt"), ("cost", "cost_fmt"),
                        ("not in totals", "not_in_totals_fmt")]


def parse_month(value: str | None) -> dt.date | None:
    """The first day of a month written YYYY-MM (None for None); ValueError for anything else."""
    if value is None:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"{value!r} is not a month (YYYY-MM)")
    return dt.date(int(match[1]), int(match[2]), 1)


def attribution_tables(settings, month: dt.date | None, top: int) -> tuple[list[dict], list[dict]]:
    """The rules table and the top unattributed values, each a list of dicts (raw and display columns)."""
    from .priced import bind_config
    from .views import open_views
    from .reports import load_macros

    con = open_views(settings)
    try:
        bind_config(con, settings)
        load_macros(con)
        params = {"month": month, "top": top}
        return (fetch_dicts(con, sql_text("apps/rules.sql"), params),
                fetch_dicts(con, sql_text("apps/unattributed.sql"), params))
    finally:
        con.close()


def table(rows: list[dict], columns: list[tuple[str, str]], noun: str) -> str:
    """A format_table of the display columns; the 'not in totals' column only when some row has one."""
    shown = [(title, key) for title, key in columns
             if key != "not_in_totals_fmt" or any(row[key] for row in rows)]
    right = {i for i, (title, _) in enumerate(shown) if title in ("requests", "cost")}
    return format_table([title for title, _ in shown], [[row[key] for _, key in shown] for row in rows], right, noun)


def dead_rules_lines(rules: list[dict], period: str) -> list[str]:
    dead = [row["rule"] for row in rules if row["row_count"] == 0 and row["rule"] != "unattributed"]
    if not dead:
        return []
    return ([f"Attributed nothing{period}:"] + [f"  {rule}" for rule in dead]
            + ["A glob must match the whole value, and the record's own app, then its source's app, then earlier "
               "rules come first."])


KIND_WORDS = {"api_key": "api keys", "workspace": "workspaces", "project": "projects",
              "no key, workspace or project": "formats with no key, workspace or project"}


def more_line(unattributed: list[dict], top: int) -> str | None:
    more = [f"{top} of {row['kind_values']:,} {KIND_WORDS[row['kind']]}" for row in unattributed
            if row["rank"] == top and row["kind_values"] > top]
    return f"Showing the top {'; '.join(more)}. --top N shows more." if more else None


def suggestion(unattributed: list[dict], config_name: str) -> list[str]:
    """A rule to add for the dearest unattributed api key (else workspace, project, else the files' folder)."""
    for kind in ("api_key", "workspace", "project"):
        rows = [row for row in unattributed if row["kind"] == kind]
        if rows:
            key, value = kind, rows[0]["value"]
            break
    else:
        key, value = "path", os.path.dirname(unattributed[0]["example_file"]) + "/**"
    return [f"To attribute them, add a rule to {config_name} (globs; the first matching rule wins), e.g.:",
            "  [[attribution]]",
            '  app = "your-app"',
            f"  {key} = {json.dumps(value)}"]


def attribution_json(settings, month: dt.date | None, top: int) -> str:
    """`spendlog apps --json`: both tables, raw columns only."""
    rules, unattributed = attribution_tables(settings, month, top)

    def raw(rows):
        return [{k: jsonable(v) for k, v in row.items() if not k.endswith("_fmt")} for row in rows]

    return json.dumps({"month": f"{month:%Y-%m}" if month else None, "rules": raw(rules),
                       "unattributed": raw(unattributed)}, indent=1)


def attribution_text(settings, month: dt.date | None, top: int) -> str:
    """`spendlog apps`: the rules table, dead rules, the top unattributed values and a rule to add."""
    rules, unattributed = attribution_tables(settings, month, top)
    period = f" in {month:%Y-%m}" if month else ""
    out = [f"How apps were attributed{period or ' (all time)'}", "", table(rules, RULE_COLUMNS, "row")]
    dead = dead_rules_lines(rules, period)
    if dead:
        out += [""] + dead
    out += ["", f"Top unattributed{period}", ""]
    if not unattributed:
        out.append("No unattributed requests: every request has an app.")
    else:
        out.append(table(unattributed, UNATTRIBUTED_COLUMNS, "row"))
        more = more_line(unattributed, top)
        if more:
            out.append(more)
        config_name = settings.config_file.name if settings.config_file else "spendlog.toml"
        out += [""] + suggestion(unattributed, config_name)
    return "\n".join(out)
