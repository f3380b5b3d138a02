"""Charts rendered offline by vl-convert from Vega-Lite specs: each function takes the rows of a report query
(lists of dicts) and returns a spec; svg() and png() render one. One sober style for every chart; the display
strings (titles, value labels) come from the queries' _fmt columns, and the amounts become floats here only to be
plotted (the exact figures are in the table or CSV beside each chart)."""
from __future__ import annotations

import hashlib
import json
import math
import re
import struct
import zlib

import vl_convert

WIDE = 900  # CSS pixels: the report page's content column
NARROW = 560  # CSS pixels: the mail's content column
PNG_SCALE = 2  # pixels per CSS pixel in the mail: sharp on high-density screens

INK, MUTED, GRID = "#1f2328", "#59636e", "#e6e8eb"
WEEKEND_BAND, NO_DATA_BAND = "#f3f4f6", "#e1e4e8"
LINE, BUDGET = "#2f5f9e", "#b42318"
FONT = "Arial, Liberation Sans, Helvetica, sans-serif"
# Colour-blind-safe enough and sober (Tableau 10); apps past the tenth are drawn grey.
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
           "#edc948", "#b07aa1", "#9c755f", "#ff9da7", "#bab0ac")
OTHER = "#9aa3ad"
WEEKDAYS = "['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su']"

STYLE = {
    "font": FONT,
    "background": "white",
    "padding": 4,
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": "normal", "labelColor": INK,
             "titleColor": MUTED, "domainColor": "#9aa3ad", "tickColor": "#9aa3ad", "gridColor": GRID},
    "axisX": {"grid": False, "labelAngle": 0, "ticks": False},
    "axisY": {"domain": False, "ticks": False, "labelPadding": 6},
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": "normal", "titleColor": MUTED,
               "labelColor": INK, "symbolType": "square", "labelLimit": 220},
    "title": {"fontSize": 13, "fontWeight": "bold", "color": INK, "anchor": "start", "subtitleFontSize": 11,
              "subtitleColor": MUTED, "offset": 10},
}


def app_colours(names) -> dict[str, str]:
    """A colour per app: the sorted names take the palette in order, so an app keeps its colour across charts."""
    ordered = sorted(set(names))
    return {name: PALETTE[i] if i < len(PALETTE) else OTHER for i, name in enumerate(ordered)}


def svg(spec: dict) -> str:
    """The chart as an SVG document; its ids are prefixed with a digest of the spec, so several charts can be
    inlined in one page without their clip paths colliding, and the same spec gives the same bytes."""
    text = vl_convert.vegalite_to_svg(spec)
    prefix = f"c{_digest(spec)}-"
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', text)
    return re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{prefix}{m.group(1)})", text)


def png(spec: dict) -> bytes:
    """The chart as a PNG at PNG_SCALE pixels per CSS pixel, its image data compressed again at zlib's best level
    (vl-convert compresses for speed: a mail's chart shrinks about fourfold)."""
    return _recompressed(vl_convert.vegalite_to_png(spec, scale=PNG_SCALE))


def _recompressed(data: bytes) -> bytes:
    """The same PNG with its IDAT chunks joined into one, compressed at level 9 (the filtered rows unchanged)."""
    signature, chunks, pos = data[:8], [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        chunks.append((data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]))
        pos += 12 + length
    image = zlib.compress(zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT")), 9)
    out = [signature]
    for kind, body in chunks:
        if kind == b"IDAT":
            if image is None:
                continue
            body, image = image, None
        out.append(struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body)))
    return b"".join(out)


def _digest(spec: dict) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:8]


def _plotted(value) -> float | None:
    return None if value is None else float(value)


def _money_format(peak: float) -> str:
    return "$,.0f" if peak >= 10 else "$,.2f"


def _day_axis(days: list[str], width: int) -> dict:
    """An axis of local days labelled with the day of the month over its weekday, weekends muted; with more days
    than fit, every n-th day."""
    every = max(1, math.ceil(len(days) * 26 / width))
    return {
        "title": None,
        "values": days[::every],
        "labelExpr": f"[toNumber(slice(datum.value, 8)), {WEEKDAYS}[(utcday(toDate(datum.value)) + 6) % 7]]",
        "labelColor": {"condition": {"test": "utcday(toDate(datum.value)) % 6 == 0", "value": MUTED}, "value": INK},
        "labelFontSize": 10,
        "labelLineHeight": 12,
    }


def _frame(width: int, height: int, description: str) -> dict:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": description,
        "width": width,
        "height": height,
        "autosize": {"type": "fit", "contains": "padding"},
        "config": STYLE,
    }


def daily_by_app(rows: list[dict], width: int = WIDE, height: int = 240) -> dict:
    """Cost per local day stacked by app (rows of sql/reports/daily_by_app.sql); a day without data is a grey
    band, each run of them marked "no data" once, weekends a paler band."""
    days = sorted({r["day"].isoformat() for r in rows})
    labelled = _run_middles({r["day"].isoformat() for r in rows if not r["has_data"]}, days)
    values = [{"day": r["day"].isoformat(), "app": r["app"], "cost": _plotted(r["cost_usd"]),
               "has_data": r["has_data"], "weekend": r["is_weekend"], "label": r["day"].isoformat() in labelled}
              for r in rows]
    totals: dict[str, float] = {}
    for v in values:
        totals[v["day"]] = totals.get(v["day"], 0.0) + (v["cost"] or 0.0)
    peak = max(totals.values(), default=0.0)
    colours = app_colours(r["app"] for r in rows if r["app"] is not None)
    x = {"field": "day", "type": "ordinal", "sort": "ascending", "scale": {"domain": days, "paddingInner": 0.2},
         "axis": _day_axis(days, width)}
    bands = {"x": x}
    return {
        **_frame(width, height, "Cost per local day, stacked by app"),
        "data": {"values": values},
        "layer": [
            {"transform": [{"filter": "datum.weekend && datum.has_data"}, {"aggregate": [], "groupby": ["day"]}],
             "mark": {"type": "bar", "color": WEEKEND_BAND}, "encoding": bands},
            {"transform": [{"filter": "!datum.has_data"}],
             "mark": {"type": "bar", "color": NO_DATA_BAND}, "encoding": bands},
            {"transform": [{"filter": "datum.label"}],
             "mark": {"type": "text", "text": "no data", "angle": 270, "fontSize": 10, "color": MUTED,
                      "baseline": "middle"},
             "encoding": {"x": x, "y": {"value": height / 2}}},
            {"transform": [{"filter": "datum.app != null && datum.cost > 0"}],
             "mark": {"type": "bar"},
             "encoding": {
                 "x": x,
                 "y": {"field": "cost", "type": "quantitative", "stack": "zero", "title": "Cost (USD)",
                       "scale": {"domain": [0, peak or 1], "nice": True},
                       "axis": {"format": _money_format(peak), "tickCount": 5}},
                 "color": {"field": "app", "type": "nominal", "title": None,
                           "scale": {"domain": list(colours), "range": list(colours.values())},
                           "legend": {"orient": "top", "direction": "horizontal",
                                      "columns": 4 if width >= WIDE else 3}},
                 "order": {"field": "app", "sort": "ascending"},
             }},
        ],
    }


def apps(rows: list[dict], width: int = NARROW) -> dict:
    """Spend by app as horizontal bars labelled with cost and share, in the table's order (the app_total rows of
    sql/reports/by_app_model.sql)."""
    totals = [r for r in rows if r["row_kind"] == "app_total"]
    values = [{"app": r["app"], "cost": _plotted(r["cost_usd"]) or 0.0,
               "label": f"{r['cost_fmt']} · {r['cost_share_fmt']}"} for r in totals]
    peak = max((v["cost"] for v in values), default=0.0)
    colours = app_colours(v["app"] for v in values)
    y = {"field": "app", "type": "nominal", "title": None, "sort": [v["app"] for v in values],
         "axis": {"labelLimit": 160, "labelFontSize": 12}}
    x = {"field": "cost", "type": "quantitative", "title": None,
         "scale": {"domain": [0, (peak or 1) * 1.45], "nice": False}, "axis": None}
    return {
        **_frame(width, 26 * max(len(values), 1), "Spend by app"),
        "data": {"values": values},
        "encoding": {"y": y},
        "layer": [
            {"mark": {"type": "bar", "height": {"band": 0.7}},
             "encoding": {"x": x, "color": {"field": "app", "type": "nominal", "legend": None,
                                            "scale": {"domain": list(colours), "range": list(colours.values())}}}},
            {"mark": {"type": "text", "align": "left", "dx": 6, "fontSize": 12, "color": INK},
             "encoding": {"x": x, "text": {"field": "label"}}},
        ],
    }


def burndown(rows: list[dict], width: int = WIDE // 2 - 12, height: int = 200) -> list[dict]:
    """One chart per budget (rows of sql/reports/budget_burndown.sql): the month's cumulative spend by day to the
    report day, the budget as a horizontal line, the forecast as a dashed line to the month's end."""
    specs = []
    for name in dict.fromkeys(r["name"] for r in rows):
        mine = [r for r in rows if r["name"] == name]
        first = mine[0]
        days = [r["day"].isoformat() for r in mine]
        values = [{"day": r["day"].isoformat(), "spent": _plotted(r["cumulative_usd"]),
                   "forecast": _plotted(r["forecast_usd"])} for r in mine]
        budget = float(first["budget_usd"])
        peak = max([budget] + [v for r in values for v in (r["spent"], r["forecast"]) if v is not None])
        x = {"field": "day", "type": "ordinal", "sort": "ascending", "scale": {"domain": days, "type": "point",
                                                                              "padding": 0.3},
             "axis": {**_day_axis(days, width), "values": _month_ticks(days)}}
        y_scale = {"domain": [0, peak * 1.08], "nice": True}
        money = {"type": "quantitative", "title": "Spend this month (USD)", "scale": y_scale,
                 "axis": {"format": _money_format(peak), "tickCount": 5}}
        last_forecast = next((v for v in reversed(values) if v["forecast"] is not None), None)
        one = {"values": [{}]}  # a layer drawn once, not once per day
        layers = [
            {"data": one, "mark": {"type": "rule", "color": BUDGET, "strokeWidth": 1.5},
             "encoding": {"y": {"datum": budget, **money}}},
            {"data": one, "mark": {"type": "text", "text": f"budget {first['budget_fmt']}", "align": "left", "baseline": "bottom",
                      "dy": -3, "fontSize": 11, "color": BUDGET},
             "encoding": {"x": {"datum": days[0], **x}, "y": {"datum": budget, **money}}},
            {"transform": [{"filter": "datum.spent != null"}],
             "mark": {"type": "line", "color": LINE, "strokeWidth": 2, "point": {"size": 18, "color": LINE}},
             "encoding": {"x": x, "y": {"field": "spent", **money}}},
            {"transform": [{"filter": "datum.forecast != null"}],
             "mark": {"type": "line", "color": LINE, "strokeWidth": 1.5, "strokeDash": [5, 4]},
             "encoding": {"x": x, "y": {"field": "forecast", **money}}},
        ]
        if last_forecast is not None:
            layers.append(
                {"data": one, "mark": {"type": "text", "text": f"forecast {first['forecast_fmt']}", "align": "right",
                          "baseline": "bottom", "dy": -4, "fontSize": 11, "color": LINE},
                 "encoding": {"x": {"datum": last_forecast["day"], **x},
                              "y": {"datum": last_forecast["forecast"], **money}}})
        specs.append({
            **_frame(width, height, f"Budget burn-down: {first['name_label']}"),
            "title": {"text": first["name_label"],
                      "subtitle": f"{first['mtd_fmt']} of {first['budget_fmt']} to date · {first['state']}"},
            "data": {"values": values},
            "layer": layers,
        })
    return specs


def _run_middles(marked: set[str], days: list[str]) -> set[str]:
    """The middle day of each run of consecutive days in marked (days: all the chart's days, in order)."""
    middles, run = set(), []
    for day in days + [None]:
        if day in marked:
            run.append(day)
        elif run:
            middles.add(run[(len(run) - 1) // 2])
            run = []
    return middles


def _month_ticks(days: list[str]) -> list[str]:
    """The 1st, every 5th day and the last day of a month's days."""
    return [d for i, d in enumerate(days) if i == 0 or i == len(days) - 1 or (i + 1) % 5 == 0 and i < len(days) - 2]
