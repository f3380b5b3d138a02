"""Spend reports: one SQL query per section, rendered to HTML, Markdown and CSV (DESIGN.md §5)."""
from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from . import charts, fetch_dicts, resource, sql_named, sql_text, used_params
from .config import Alerts, Findings, default_equivalents
from .errors import CatalogError, ConfigError
from .output import replaced_atomically
from .pricing import catalog_version, price_as_model
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
    Section("breakdown", optional=True),  # a report made with --by
    Section("api_equivalent", optional=True),
    Section("composition", kinds=("monthly", "period"), optional=True),
    Section("daily", kinds=("monthly", "period")),
    Section("trailing", kinds=("daily",), optional=True),
    Section("budgets", kinds=("daily",), optional=True),
    Section("costliest", kinds=("daily",), optional=True),
    Section("change", kinds=("monthly", "period")),
    Section("drivers", kinds=("monthly", "period"), optional=True),
    Section("savings", kinds=("monthly", "period")),
    Section("whatif", kinds=("monthly", "period"), optional=True),
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
    r"|(?P<period>period-(?P<start>\d{4}-\d{2}-\d{2})_(?P<end>\d{4}-\d{2}-\d{2})))"
    r"(?:-by-(?P<by>[A-Za-z0-9_-]+))?\.html$"
)

DIMENSIONS = ("app", "model", "api_key", "workspace", "project", "user")  # and tag:NAME
HEADINGS = {"day": "Date", "month": "Month", "app": "App", "model": "Model", "api_key": "API key",
            "workspace": "Workspace", "project": "Project", "user": "User"}
_FILE_NAME_SAFE = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class Breakdown:
    """A --by dimension: one of DIMENSIONS, or a tag (dimension "tag", tag its name)."""

    dimension: str
    tag: str | None = None

    @classmethod
    def parse(cls, value: str) -> Breakdown:
        """app, model, api_key, workspace, project, user or tag:NAME; ValueError otherwise."""
        if value in DIMENSIONS:
            return cls(value)
        if value.startswith("tag:") and value[4:]:
            return cls("tag", value[4:])
        raise ValueError(f"{value!r} is not one of {', '.join(DIMENSIONS)} or tag:NAME")

    @classmethod
    def from_slug(cls, slug: str) -> Breakdown:
        """The breakdown a report's file name names (see slug)."""
        return cls("tag", slug[4:]) if slug.startswith("tag-") else cls.parse(slug)

    @property
    def spec(self) -> str:
        """As given to --by."""
        return f"tag:{self.tag}" if self.tag else self.dimension

    @property
    def slug(self) -> str:
        """Its part of a report's file name: the dimension, or tag-NAME."""
        return f"tag-{self.tag}" if self.tag else self.dimension

    @property
    def heading(self) -> str:
        """A column heading: API key, Workspace, tag:NAME …"""
        return self.spec if self.tag else HEADINGS[self.dimension]

    @property
    def noun(self) -> str:
        """In a sentence: API key, workspace, tag NAME …"""
        if self.tag:
            return f"tag {self.tag}"
        return "API key" if self.dimension == "api_key" else self.dimension

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


@functools.cache
def _report_templates() -> Environment:
    """The environment reports and the index render with, made once per process: Jinja compiles each template
    once per environment, and a nightly renders dozens of reports."""
    return template_environment()


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date
    by: Breakdown | None = None  # a report made with --by: its own file, with a section by that dimension

    @property
    def stem(self) -> str:
        if self.kind == "monthly":
            stem = f"monthly-{self.start:%Y-%m}"
        elif self.kind == "daily":
            stem = f"daily-{self.start:%Y-%m-%d}"
        else:
            stem = f"period-{self.start:%Y-%m-%d}_{self.end:%Y-%m-%d}"
        return f"{stem}-by-{self.by.slug}" if self.by else stem

    @property
    def title(self) -> str:
        if self.kind == "monthly":
            title = f"Monthly spend report — {MONTH_NAMES[self.start.month - 1]} {self.start.year}"
        elif self.kind == "daily":
            title = f"Daily spend report — {WEEKDAY_NAMES[self.start.weekday()]} {self.start:%Y-%m-%d}"
        else:
            title = f"Spend report — {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"
        return f"{title}, by {self.by.noun}" if self.by else title

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


def checked_period(kind: str, start: date, end: date, by: Breakdown | None = None) -> Period:
    """A Period, or ValueError when the dates do not fit the kind (or the breakdown cannot name a file)."""
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
    if by and by.tag and not _FILE_NAME_SAFE.fullmatch(by.tag):
        raise ValueError(f"a report's file name holds the tag's name, so tag:{by.tag!r} must be 1 to 64 letters, "
                         "digits, - or _ (spendlog summary --by takes any tag)")
    return Period(kind, start, end, by)


def period_of_file(match: re.Match) -> Period:
    """The Period of a report's HTML file name, matched by REPORT_NAME."""
    by = Breakdown.from_slug(match.group("by")) if match.group("by") else None
    if match.group("monthly"):
        start = date.fromisoformat(match.group("month") + "-01")
        return Period("monthly", start, start.replace(day=calendar.monthrange(start.year, start.month)[1]), by)
    if match.group("daily"):
        day = date.fromisoformat(match.group("day"))
        return Period("daily", day, day, by)
    return Period("period", date.fromisoformat(match.group("start")), date.fromisoformat(match.group("end")), by)


def load_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create the display macros (usd, usd6, num, pct …) on the connection."""
    con.execute(sql_text("reports/_macros.sql"))


def prepare_period_rows(con: duckdb.DuckDBPyConnection, params: dict, prepared: set | None = None) -> None:
    """The temp table period_rows: the period's spend rows (sql/reports/period_rows.sql); made once per report when
    render_report passes its set of prepared tables (prepared), else every time."""
    if prepared is not None and "period_rows" in prepared:
        return
    query = sql_text("reports/period_rows.sql")
    con.execute(query, used_params(query, params))
    if prepared is not None:
        prepared.add("period_rows")


def compare_lines(con: duckdb.DuckDBPyConnection, models: list[str], compare) -> list[tuple]:
    """(model, equivalent, origin, position) for each model in use: its [compare] entry (names resolved through
    the catalogue), else its defaults (config.COMPARE_DEFAULTS); (model, None, origin, 0) when it has none."""
    def resolved(name: str) -> str:
        try:
            return price_as_model(con, name)
        except CatalogError as error:
            raise ConfigError(f"compare: {error}".replace("price_as: ", "")) from None

    configured = {resolved(model): [resolved(name) for name in names] for model, names in compare}
    lines = []
    for model in models:
        origin = "config" if model in configured else "default"
        equivalents = configured[model] if model in configured else default_equivalents(model)
        lines += [(model, name, origin, i) for i, name in enumerate(equivalents)] or [(model, None, origin, 0)]
    return lines


def prepare_whatif(con: duckdb.DuckDBPyConnection, params: dict, prepared: set | None = None) -> None:
    """The what-if section's tables (sql/reports/whatif_prepare.sql): period_rows (groups that price alike) priced on
    every model in use (all of them) and on every equivalent (the rows of the models it stands for), every target in
    one statement."""
    prepare_period_rows(con, params, prepared)
    statements = sql_named("reports/whatif_prepare.sql")
    models = [model for (model,) in con.execute(statements["models_in_use"]).fetchall()]
    lines = compare_lines(con, models, params.get("compare", ()))
    con.execute(statements["create_priced"])
    con.execute(statements["create_compare"])
    pairs = []
    for target in sorted(set(models) | {equivalent for _, equivalent, _, _ in lines if equivalent}):
        sources = models if target in models else sorted({model for model, eq, _, _ in lines if eq == target})
        pairs += [{"target": target, "model": model} for model in sources]
    if pairs:
        con.execute(statements["price_on_targets"], {"pairs": pairs})
    if lines:
        con.executemany(statements["add_compare"],
                        [dict(zip(("model", "equivalent", "origin", "position"), line)) for line in lines])


# The sections whose query reads temp tables made for the period first.
PREPARE = {"drivers": prepare_period_rows, "whatif": prepare_whatif}


def run_section(con: duckdb.DuckDBPyConnection, section: str, params: dict, prepared: set | None = None):
    """Run sql/reports/<section>.sql with the named parameters it uses, after creating the section's own macros
    (sql/reports/_<section>.sql) where it has them and its PREPARE step; an Arrow table. prepared: the temp tables
    already made for this report's params (render_report's, so the sections of one report share them)."""
    if resource("sql", f"reports/_{section}.sql").is_file():
        con.execute(sql_text(f"reports/_{section}.sql"))
    if section in PREPARE:
        PREPARE[section](con, params, prepared)
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
        "compare": settings.compare,
    }


def section_params(period: Period, meta: dict) -> dict:
    """The named parameters of the sql/reports queries for a period (each query binds those it uses); thresholds
    missing from meta take their defaults, and no "today" means no forecast; "compare" ([compare]) is read by
    prepare_whatif, not bound."""
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
        "routing_max_output_tokens": findings.routing_max_output_tokens,
        "batch_candidates": list(findings.batch_candidates),
        "long_context_margin": findings.long_context_margin,
        "budget_names": [name for name, _ in budgets],
        "budget_amounts": [str(amount) for _, amount in budgets],
        "trailing_days": alerts.trailing_days,
        "spike_ratio": alerts.spike_ratio,
        "spike_floor_usd": alerts.spike_floor_usd,
        "by": period.by.dimension if period.by else None,
        "tag": period.by.tag if period.by else None,
        "compare": meta.get("compare", ()),
    }


def render_report(con, kind: str, start: date, end: date, out_dir: Path, meta: dict,
                  by: Breakdown | None = None) -> list[Path]:
    """Render one report (HTML, Markdown, a CSV per section and per chart, the charts inline as SVG) into out_dir;
    the written paths."""
    load_macros(con)
    return _render_report(con, kind, start, end, out_dir, meta, by)


def _render_report(con, kind: str, start: date, end: date, out_dir: Path, meta: dict,
                   by: Breakdown | None = None) -> list[Path]:
    """render_report on a connection that has the display macros (load_macros) already."""
    period = checked_period(kind, start, end, by)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    params = section_params(period, meta)

    written: list[Path] = []
    sections: dict[str, list[dict]] = {}
    shown: list[str] = []
    csv_files: dict[str, str] = {}
    svgs: dict[str, list[Markup]] = {}
    prepared: set[str] = set()
    for section in SECTIONS:
        if kind not in section.kinds:
            continue
        table = run_section(con, section.name, params, prepared)
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
        "by_heading": period.by.heading if period.by else "",
        "by_noun": period.by.noun if period.by else "",
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
    env = _report_templates()
    pages = []
    for suffix in ("html", "md"):
        path = out_dir / f"{period.stem}.{suffix}"
        _write_text(path, env.get_template(f"report.{suffix}").render(context))
        pages.append(path)
    return pages + written


def _index_entry(match: re.Match, names: set[str], out_dir: Path) -> dict:
    html = match.group(0)
    period = period_of_file(match)
    stem = period.stem
    csvs = [
        {"href": p.name, "section": p.name[len(stem) + 1 : -len(".csv")]}
        for p in sorted(out_dir.glob(f"{stem}.*.csv"))
    ]
    return {
        "kind": period.kind,
        "stem": stem,
        "start": period.start,
        "end": period.end,
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
    _write_text(path, _report_templates().get_template("index.html").render(groups=groups))
    return path


def render_all(settings, jobs, out_dir: Path | None = None, con=None) -> list[Path]:
    """Render (kind, start, end[, by]) reports over the settings' lake (or the views of con) into out_dir (default: the
    home's reports/), then the index of every report there, with totals from the same views."""
    out = Path(out_dir) if out_dir else settings.home / "reports"
    meta = report_meta(settings)
    views = con or open_views(settings)
    try:
        load_macros(views)
        paths = [path for job in jobs for path in _render_report(views, *job[:3], out, meta, *job[3:])]
        render_index(views, out)
    finally:
        if con is None:
            views.close()
    return paths
