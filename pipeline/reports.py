"""Spend reports: one SQL query per section, rendered to HTML, Markdown and CSV (DESIGN.md §5)."""
from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from . import charts, fetch_dicts, sql_text, used_params
from .config import Alerts, Findings
from .output import replaced_atomically
from .pricing import catalog_version
from .views import open_views

KINDS = ("monthly", "daily", "period")


@dataclass(frozen=True)
class Section:
    """A report section: sql/reports/<name>.sql, templates/sections/<name>.html and .md, a CSV."""

    name: str
    kinds: tuple[str, ...] = KINDS
    optional: bool = False  # shown only with rows; then no CSV either (a stale one from an earlier render is removed)


# The sections of every report, in page order.
SECTIONS = (
    Section("summary"),
    Section("log_coverage", optional=True),
    Section("by_app_model"),
    Section("api_equivalent", optional=True),
    Section("composition", kinds=("monthly", "period"), optional=True),
    Section("daily", kinds=("monthly", "period")),
    Section("trailing", kinds=("daily",), optional=True),
    Section("budgets", kinds=("daily",), optional=True),
    Section("costliest", kinds=("daily",), optional=True),
    Section("change", kinds=("monthly", "period")),
    Section("drivers", kinds=("monthly", "period"), optional=True),
    Section("savings", kinds=("monthly", "period")),
    Section("findings", kinds=("monthly", "period"), optional=True),
    Section("errors", optional=True),
    Section("reconciliation", kinds=("monthly", "period"), optional=True),
    Section("data_quality_unpriced"),
    Section("data_quality_rejects"),
    Section("data_quality_sources"),
)


@dataclass(frozen=True)
class Chart:
    """A chart drawn in a section: its data from sql/reports/<name>.sql, written beside the page as a CSV, and
    specs(rows) the Vega-Lite specs rendered into the section (pipeline.charts)."""

    name: str
    section: str
    specs: Callable[[list[dict]], list[dict]]


CHARTS = (
    Chart("daily_by_app", "daily", lambda rows: [charts.daily_by_app(rows)]),
    Chart("budget_burndown", "budgets", charts.burndown),
)

# Display columns (see sql/reports/_macros.sql) end in this suffix and are left out of the CSV files.
DISPLAY_SUFFIX = "_fmt"

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

REPORT_NAME = re.compile(
    r"^(?:(?P<monthly>monthly-(?P<month>\d{4}-\d{2}))"
    r"|(?P<daily>daily-(?P<day>\d{4}-\d{2}-\d{2}))"
    r"|(?P<period>period-(?P<start>\d{4}-\d{2}-\d{2})_(?P<end>\d{4}-\d{2}-\d{2})))\.html$"
)

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~&$])")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")


def markdown_escape(value) -> str:
    """Escape a log-derived string for Markdown text and table cells."""
    text = _LINE_BREAKS.sub(" ", str(value))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def template_environment() -> Environment:
    """The Jinja environment of every report template."""
    env = Environment(
        loader=PackageLoader("pipeline.templates", "."),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_escape
    return env


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date

    @property
    def stem(self) -> str:
        if self.kind == "monthly":
            return f"monthly-{self.start:%Y-%m}"
        if self.kind == "daily":
            return f"daily-{self.start:%Y-%m-%d}"
        return f"period-{self.start:%Y-%m-%d}_{self.end:%Y-%m-%d}"

    @property
    def title(self) -> str:
        if self.kind == "monthly":
            return f"Monthly spend report — {MONTH_NAMES[self.start.month - 1]} {self.start.year}"
        if self.kind == "daily":
            return f"Daily spend report — {WEEKDAY_NAMES[self.start.weekday()]} {self.start:%Y-%m-%d}"
        return f"Spend report — {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"

    @property
    def label(self) -> str:
        if self.kind == "daily":
            return f"{self.start:%Y-%m-%d} ({WEEKDAY_NAMES[self.start.weekday()]})"
        return f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"

    @property
    def previous(self) -> tuple[date, date]:
        """The period this one is compared with: the previous month, else as many days just before."""
        if self.kind == "monthly":
            prev_end = self.start - timedelta(days=1)
            return prev_end.replace(day=1), prev_end
        length = (self.end - self.start).days + 1
        return self.start - timedelta(days=length), self.start - timedelta(days=1)

    @property
    def previous_label(self) -> str:
        prev_start, prev_end = self.previous
        if self.kind == "monthly":
            return f"{MONTH_NAMES[prev_start.month - 1]} {prev_start.year}"
        if self.kind == "daily":
            return f"{WEEKDAY_NAMES[prev_start.weekday()]} {prev_start:%Y-%m-%d}"
        return f"{prev_start:%Y-%m-%d} – {prev_end:%Y-%m-%d}"


def checked_period(kind: str, start: date, end: date) -> Period:
    """A Period, or ValueError when the dates do not fit the kind."""
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}; expected one of {', '.join(KINDS)}")
    if end < start:
        raise ValueError(f"report period ends ({end}) before it starts ({start})")
    if kind == "daily" and start != end:
        raise ValueError(f"a daily report covers one day, not {start} to {end}")
    if kind == "monthly":
        last_day = calendar.monthrange(start.year, start.month)[1]
        if start.day != 1 or end != start.replace(day=last_day):
            raise ValueError(f"a monthly report runs from the 1st to the last day of a month, not {start} to {end}")
    return Period(kind, start, end)


def load_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create the display macros (usd, usd6, num, pct …) on the connection."""
    con.execute(sql_text("reports/_macros.sql"))


def run_section(con: duckdb.DuckDBPyConnection, section: str, params: dict):
    """Run sql/reports/<section>.sql with the named parameters it uses; an Arrow table."""
    query = sql_text(f"reports/{section}.sql")
    return con.sql(query, params=used_params(query, params)).to_arrow_table()


def _write_text(path: Path, text: str) -> None:
    with replaced_atomically(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_csv(con: duckdb.DuckDBPyConnection, table, path: Path) -> None:
    """A section's raw columns (the display columns left out) as CSV at path."""
    raw_columns = [name for name in table.column_names if not name.endswith(DISPLAY_SUFFIX)]
    with replaced_atomically(path) as tmp:
        con.from_arrow(table.select(raw_columns)).write_csv(str(tmp), header=True)


def report_meta(settings) -> dict:
    """What a report takes from the settings: the header's facts and the thresholds its sections use."""
    return {
        "catalog_version": catalog_version(),
        "timezone": settings.timezone,
        "generated_at": settings.now().strftime("%Y-%m-%d %H:%M UTC"),
        "findings": settings.findings,
        "budgets": settings.budgets,
        "alerts": settings.alerts,
        "today": settings.today(),
    }


def section_params(period: Period, meta: dict) -> dict:
    """The named parameters of the sql/reports queries for a period (each query binds those it uses); thresholds
    missing from meta take their defaults, and no "today" means no forecast."""
    prev_start, prev_end = period.previous
    findings, alerts, budgets = meta.get("findings", Findings()), meta.get("alerts", Alerts()), meta.get("budgets", ())
    return {
        "start": period.start,
        "end": period.end,
        "prev_start": prev_start,
        "prev_end": prev_end,
        "tz": meta["timezone"],
        "today": meta.get("today"),
        "min_sample": findings.min_sample,
        "min_saving_usd": findings.min_monthly_saving_usd,
        "budget_names": [name for name, _ in budgets],
        "budget_amounts": [str(amount) for _, amount in budgets],
        "trailing_days": alerts.trailing_days,
        "spike_ratio": alerts.spike_ratio,
        "spike_floor_usd": alerts.spike_floor_usd,
    }


def render_report(con, kind: str, start: date, end: date, out_dir: Path, meta: dict) -> list[Path]:
    """Render one report (HTML, Markdown, a CSV per section and per chart, the charts inline as SVG) into out_dir;
    the written paths."""
    period = checked_period(kind, start, end)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    load_macros(con)
    params = section_params(period, meta)

    written: list[Path] = []
    sections: dict[str, list[dict]] = {}
    shown: list[str] = []
    csv_files: dict[str, str] = {}
    svgs: dict[str, list[Markup]] = {}
    for section in SECTIONS:
        if kind not in section.kinds:
            continue
        table = run_section(con, section.name, params)
        sections[section.name] = table.to_pylist()
        csv_path = out_dir / f"{period.stem}.{section.name}.csv"
        if section.optional and not table.num_rows:
            csv_path.unlink(missing_ok=True)
            for chart in (c for c in CHARTS if c.section == section.name):
                (out_dir / f"{period.stem}.{chart.name}.csv").unlink(missing_ok=True)
            continue
        shown.append(section.name)
        write_csv(con, table, csv_path)
        written.append(csv_path)
        csv_files[section.name] = csv_path.name
        for chart in (c for c in CHARTS if c.section == section.name):
            data = run_section(con, chart.name, params)
            csv_path = out_dir / f"{period.stem}.{chart.name}.csv"
            write_csv(con, data, csv_path)
            written.append(csv_path)
            csv_files[chart.name] = csv_path.name
            # vl-convert's SVG is the only markup marked safe: it escapes the labels it draws from the data.
            svgs.setdefault(section.name, []).extend(Markup(charts.svg(spec)) for spec in chart.specs(data.to_pylist()))

    context = {
        "kind": kind,
        "title": period.title,
        "period_label": period.label,
        "previous_label": period.previous_label,
        "stem": period.stem,
        "meta": {
            "catalog_version": meta["catalog_version"],
            "timezone": meta["timezone"],
            "generated_at": meta["generated_at"],
        },
        "summary": sections["summary"][0],
        "sections": sections,
        "shown_sections": shown,
        "section_slots": [section.name for section in SECTIONS],
        "csv_files": csv_files,
        "charts": svgs,
    }
    env = template_environment()
    pages = []
    for suffix in ("html", "md"):
        path = out_dir / f"{period.stem}.{suffix}"
        _write_text(path, env.get_template(f"report.{suffix}").render(context))
        pages.append(path)
    return pages + written


def _index_entry(match: re.Match, names: set[str], out_dir: Path) -> dict:
    html = match.group(0)
    stem = html[: -len(".html")]
    if match.group("monthly"):
        start = date.fromisoformat(match.group("month") + "-01")
        end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
        kind = "monthly"
    elif match.group("daily"):
        start = end = date.fromisoformat(match.group("day"))
        kind = "daily"
    else:
        start, end = date.fromisoformat(match.group("start")), date.fromisoformat(match.group("end"))
        kind = "period"
    period = Period(kind, start, end)
    csvs = [
        {"href": p.name, "section": p.name[len(stem) + 1 : -len(".csv")]}
        for p in sorted(out_dir.glob(f"{stem}.*.csv"))
    ]
    return {
        "kind": kind,
        "stem": stem,
        "start": start,
        "end": end,
        "label": period.title.split(" — ", 1)[-1],
        "period_label": period.label,
        "html": html,
        "markdown": f"{stem}.md" if f"{stem}.md" in names else "",
        "csvs": csvs,
    }


def index_totals(con: duckdb.DuckDBPyConnection, entries: list[dict]) -> dict[str, dict]:
    """Each report's total (sql/reports/index_totals.sql over the views of con), by stem."""
    if not entries:
        return {}
    load_macros(con)
    periods = [{"stem": e["stem"], "first_day": e["start"], "last_day": e["end"]} for e in entries]
    return {row["stem"]: row for row in fetch_dicts(con, sql_text("reports/index_totals.sql"), {"periods": periods})}


def render_index(con: duckdb.DuckDBPyConnection, out_dir: Path) -> Path:
    """Write out_dir/index.html listing every report in the folder with its total (from the views of con), newest
    first, grouped by kind."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = {p.name for p in out_dir.iterdir() if p.is_file()}
    entries = [_index_entry(m, names, out_dir) for m in map(REPORT_NAME.match, sorted(names)) if m]
    totals = index_totals(con, entries)
    for e in entries:
        e["total"] = totals[e["stem"]]
    groups = []
    for kind, heading in (("monthly", "Monthly reports"), ("period", "Period reports"), ("daily", "Daily reports")):
        reports = sorted((e for e in entries if e["kind"] == kind), key=lambda e: (e["end"], e["start"]), reverse=True)
        if reports:
            groups.append({"kind": kind, "heading": heading, "reports": reports})
    path = out_dir / "index.html"
    _write_text(path, template_environment().get_template("index.html").render(groups=groups))
    return path


def render_all(settings, jobs, out_dir: Path | None = None, con=None) -> list[Path]:
    """Render (kind, start, end) reports over the settings' lake (or the views of con) into out_dir (default: the
    home's reports/), then the index of every report there, with totals from the same views."""
    out = Path(out_dir) if out_dir else settings.home / "reports"
    meta = report_meta(settings)
    views = con or open_views(settings)
    try:
        paths = [path for kind, start, end in jobs for path in render_report(views, kind, start, end, out, meta)]
        render_index(views, out)
    finally:
        if con is None:
            views.close()
    return paths
