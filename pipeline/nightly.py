"""The nightly job (DESIGN.md §6): under the lock, collect garbage, ingest what is new in [[sources]], re-price if
stale, render the reports whose rows changed, send last month's mail once, check freshness, raise alerts; one
summary line and one JSON line in logs/nightly.jsonl. A failing step is recorded and the night goes on."""
from __future__ import annotations

import calendar
import datetime as dt
import glob
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from . import __version__, sql_text
from .alerts import check_alerts, send_alerts
from .config import Settings
from .errors import (EXIT_BUSY, EXIT_CONFIG, EXIT_DATA, EXIT_INTERNAL, EXIT_IOERR, EXIT_MAIL, EXIT_OK, Busy,
                     SpendlogError, disk_full_message)
from .ingest import discover, ingest, triage
from .lake import Lake
from .monthly import send_monthly
from .pricing import catalog_version
from .reports import REPORT_NAME, checked_period, load_macros, period_of_file, render_all
from .views import open_views
from .warehouse import refresh_warehouse

PRECEDENCE = (EXIT_CONFIG, EXIT_BUSY, EXIT_IOERR, EXIT_INTERNAL, EXIT_MAIL, EXIT_DATA, EXIT_OK)


@dataclass
class Night:
    """What one run did; becomes the summary line and the JSON line."""

    today: dt.date
    dry_run: bool = False
    started: float = field(default_factory=time.monotonic)
    codes: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    ingest: dict = field(default_factory=dict)
    cost_added: Decimal = Decimal(0)
    reports: list[str] = field(default_factory=list)
    mail: str = "not due"
    alerts: list[str] = field(default_factory=list)  # the conditions flagged
    alerts_sent: list[str] = field(default_factory=list)  # those sent now (each condition once a day)
    stale: list[str] = field(default_factory=list)
    warehouse_rebuilt: bool = False

    def fail(self, code: int, message: str) -> None:
        self.codes.add(code)
        self.problems.append(message)

    @property
    def exit_code(self) -> int:
        return next(code for code in PRECEDENCE if code in self.codes or code == EXIT_OK)

    def record(self, settings: Settings) -> dict:
        return {
            "at": settings.now().isoformat(timespec="seconds"),
            "date": self.today.isoformat(),
            "dry_run": self.dry_run,
            "files": self.ingest.get("files", 0),
            "files_skipped": self.ingest.get("files_skipped", 0),
            "file_errors": len(self.ingest.get("file_errors", [])),
            "rows_loaded": self.ingest.get("rows_loaded", 0),
            "rows_replaced": self.ingest.get("rows_replaced", 0),
            "duplicates": self.ingest.get("duplicates", 0),
            "rows_rejected": self.ingest.get("rows_rejected", 0),
            "cost_added_usd": str(self.cost_added.quantize(Decimal("0.01"))),
            "reports_written": len(self.reports),
            "mail": self.mail,
            "alerts": self.alerts,
            "alerts_sent": self.alerts_sent,
            "stale_sources": self.stale,
            "warehouse_rebuilt": self.warehouse_rebuilt,
            "problems": self.problems,
            "exit": self.exit_code,
            "seconds": round(time.monotonic() - self.started, 2),
        }

    def summary_line(self, settings: Settings) -> str:
        r = self.record(settings)
        if self.dry_run:
            return (f"dry run nightly {r['date']}: would ingest {r['files']} files ({r['files_skipped']} unchanged), "
                    f"render {r['reports_written']} reports, mail {r['mail']}, {len(self.alerts)} alerts"
                    f"{', stale: ' + ', '.join(self.stale) if self.stale else ''}; exit {r['exit']}")
        sign = "-" if self.cost_added < 0 else "+"
        return (
            f"nightly {r['date']}: {r['files']} files ingested "
            f"({r['files_skipped']} unchanged, {r['file_errors']} refused), {r['rows_loaded']:,} rows loaded, "
            f"{r['rows_rejected']:,} rejected, {sign}${abs(self.cost_added.quantize(Decimal('0.01'))):,} spend, "
            f"{r['reports_written']} reports, mail {r['mail']}, {len(self.alerts)} alerts ({len(self.alerts_sent)} sent)"
            f"{', stale: ' + ', '.join(self.stale) if self.stale else ''}; exit {r['exit']} in {r['seconds']} s"
        )


def previous_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def run_nightly(settings: Settings, today: dt.date | None = None, dry_run: bool = False) -> Night:
    """One night's run; never raises for what a step can record (see Night.codes)."""
    night = Night(today or settings.today(), dry_run)
    lake = Lake(settings.home)
    try:
        with lake.lock():
            _steps(settings, lake, night)
    except Busy as exc:
        night.fail(EXIT_BUSY, str(exc))
    if not dry_run:
        _append_log(lake, night.record(settings))
    return night


def _step(night: Night, name: str, action):
    """Run one step; a failure is recorded with its exit code and the night goes on."""
    try:
        return action()
    except SpendlogError as exc:
        night.fail(exc.exit_code, f"{name}: {exc}")
    except Exception as exc:  # noqa: BLE001 - one broken step must not stop the others
        if os.environ.get("SPENDLOG_DEBUG"):
            raise
        if disk_full_message(exc):
            night.fail(EXIT_IOERR, f"{name}: {disk_full_message(exc)}")
            return None
        night.fail(EXIT_INTERNAL, f"{name}: internal error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    return None


def _steps(settings: Settings, lake: Lake, night: Night) -> None:
    files_by_source = {source.label: discover(sorted(glob.glob(source.path, recursive=True)))
                       for source in settings.sources}
    night.stale = _stale_sources(settings, files_by_source)
    if night.stale:
        night.fail(EXIT_DATA, f"stale sources: {', '.join(night.stale)}")
    files = list(dict.fromkeys(p for found in files_by_source.values() for p in found))
    if night.dry_run:
        _dry_run(settings, lake, night, files)
        return
    lake.collect_garbage()
    before = _step(night, "spend before", lambda: _total(settings))
    summary = _step(night, "ingest", lambda: ingest(settings, [str(p) for p in files]))
    if summary:
        night.ingest = summary.as_dict()
        for error in night.ingest["file_errors"]:
            night.fail(EXIT_DATA, f"refused {error['path']}: {error['error']}")
        for result in summary.over_threshold(settings.reject_threshold):
            night.fail(EXIT_DATA, f"{result.path}: {result.rows_rejected} of {result.records_read} records rejected")
    con = _step(night, "re-price", lambda: open_views(settings))
    if con is None:
        return
    try:
        after = _step(night, "spend after", lambda: _total(settings, con))
        if before is not None and after is not None:
            night.cost_added = after - before
        rendered = _step(night, "reports", lambda: _render_changed(settings, lake, con, night.today))
        night.reports = [p.name for p in rendered or [] if p.suffix == ".html"]
        night.warehouse_rebuilt = bool(_step(night, "warehouse", lambda: refresh_warehouse(settings)))
        _step(night, "mail", lambda: _send_monthly(settings, con, night))
        fired = _step(night, "alerts", lambda: check_alerts(settings, con, night.today, night.stale)) or []
        night.alerts = [alert.key for alert in fired]
        sent = _step(night, "alerts", lambda: send_alerts(settings, lake, fired, night.today)) or []
        night.alerts_sent = [alert.key for alert in sent]
    finally:
        con.close()


def _total(settings: Settings, con=None) -> Decimal:
    views = con or open_views(settings)
    try:
        return views.execute(sql_text("nightly/spend_total.sql")).fetchone()[0]
    finally:
        if con is None:
            views.close()


def _stale_sources(settings: Settings, files_by_source: dict[str, list[Path]]) -> list[str]:
    """Sources with no file, or whose newest file was last written longer ago than [alerts] stale_after_hours."""
    limit = settings.now().timestamp() - settings.alerts.stale_after_hours * 3600
    return [label for label, files in files_by_source.items() if max(map(_mtime, files), default=0) < limit]


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # deleted since it was listed
        return 0


# --- reports --------------------------------------------------------------------------------------------------

def day_fingerprints(con, lake: Lake, cached: dict) -> tuple[dict[dt.date, str], dict]:
    """Each local day's fingerprint (sql/nightly/day_fingerprints.sql), and what to keep of them in the state. The
    lake's files are immutable and every write names a new one, so while the priced and rejects files are the same
    the fingerprints are too: a night with nothing new reads them from the state instead of scanning the lake."""
    tables = lake.read_manifest()["tables"]
    key = hashlib.sha256(json.dumps([tables["priced"], tables["rejects"]]).encode()).hexdigest()
    if cached.get("key") == key:
        return {dt.date.fromisoformat(day): fp for day, fp in cached["days"].items()}, cached
    days = dict(con.execute(sql_text("nightly/day_fingerprints.sql")).fetchall())
    return days, {"key": key, "days": {str(day): fp for day, fp in days.items()}}


def covered_days(con, fingerprints: dict[dt.date, str]) -> set[dt.date]:
    """The days with data (between the first and the last day of spend of some source), of every day with rows."""
    if not fingerprints:
        return set()
    load_macros(con)
    params = {"start": min(fingerprints), "end": max(fingerprints)}
    return {day for (day,) in con.execute(sql_text("nightly/covered_days.sql"), params).fetchall()}


def candidate_reports(fingerprints: dict[dt.date, str], today: dt.date, reports_dir: Path) -> list[tuple]:
    """Every report the home should have by today: the daily report of each past day with data (a day without
    data gets none: it is not a $0 day), the monthly report of each ended month with data, and every period report
    or report made with --by already in the folder."""
    jobs = [("daily", d, d) for d in sorted(fingerprints) if d < today]
    for year, month in sorted({(d.year, d.month) for d in fingerprints}):
        end = dt.date(year, month, calendar.monthrange(year, month)[1])
        if end < today:
            jobs.append(("monthly", dt.date(year, month, 1), end))
    if reports_dir.is_dir():
        for match in filter(None, map(REPORT_NAME.match, sorted(p.name for p in reports_dir.iterdir()))):
            period = period_of_file(match)
            if period.kind == "period" or period.by:
                jobs.append((period.kind, period.start, period.end, period.by))
    return jobs


def report_fingerprint(job: tuple, fingerprints: dict[dt.date, str], version: str, covered: set[dt.date]) -> str:
    """What a report shows: the rows of its days and of the period it compares with, which of its days have data,
    the program and catalogue."""
    period = checked_period(*job)
    start = period.previous[0]
    days = [start + dt.timedelta(days=i) for i in range((period.end - start).days + 1)]
    parts = [version] + [f"{d}={fingerprints[d]}" for d in days if d in fingerprints]
    parts += [f"{d} has data" for d in days if d >= period.start and d in covered]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def reports_to_render(settings: Settings, lake: Lake, con, today: dt.date, state: dict) -> tuple[list[tuple], dict]:
    """The reports whose rows changed since they were rendered (or never were), by state/rendered.json's `state`, and
    the new state."""
    fingerprints, kept = day_fingerprints(con, lake, state.get("day_fingerprints", {}))
    covered = covered_days(con, fingerprints)
    version = f"{__version__} {catalog_version()} {settings.timezone}"
    done = state.get("reports", {})
    reports_dir = settings.home / "reports"
    jobs, new = [], dict(done)
    for job in candidate_reports(fingerprints, today, reports_dir):
        stem = checked_period(*job).stem
        fingerprint = report_fingerprint(job, fingerprints, version, covered)
        if done.get(stem) != fingerprint or not (reports_dir / f"{stem}.html").exists():
            jobs.append(job)
            new[stem] = fingerprint
    return jobs, {"reports": new, "day_fingerprints": kept}


def _render_changed(settings: Settings, lake: Lake, con, today: dt.date) -> list[Path]:
    before = lake.read_state("rendered")
    jobs, state = reports_to_render(settings, lake, con, today, before)
    paths = render_all(settings, jobs, con=con) if jobs else []
    if state != before:
        lake.write_state("rendered", state)
    return paths


# --- mail -----------------------------------------------------------------------------------------------------

def _send_monthly(settings: Settings, con, night: Night) -> None:
    """Last month's report, on the first run on or after [smtp] monthly_send_day, once; not for a month without
    data."""
    if not settings.smtp.host:
        night.mail = "not configured"
        return
    if night.today.day < settings.smtp.monthly_send_day:
        return
    month = previous_month(night.today)
    if not con.execute(sql_text("nightly/month_has_rows.sql"), {"month": month}).fetchone()[0]:
        night.mail = f"not sent: no data for {month:%Y-%m}"
        return
    night.mail = f"failed for {month:%Y-%m}"
    result = send_monthly(settings, month)
    night.mail = f"sent for {month:%Y-%m}" if result["sent"] else f"already sent for {month:%Y-%m}"


# --- dry run --------------------------------------------------------------------------------------------------

def _dry_run(settings: Settings, lake: Lake, night: Night, files: list[Path]) -> None:
    """What a run would do, writing nothing: files to read, reports to render, whether the mail is due."""
    from .priced import stamp

    manifest = lake.read_manifest()
    at = settings.now().isoformat()
    outcomes = [triage(path, None, settings, {}, manifest, at)[0] for path in files]  # as ingest decides
    new = sum(result is None or not result.skipped for result in outcomes)
    night.ingest = {"files": new, "files_skipped": len(files) - new}
    if manifest["tables"]["usage"] and manifest.get("priced_stamp") == stamp(settings):
        con = open_views(settings)
        try:
            jobs, _ = reports_to_render(settings, lake, con, night.today, lake.read_state("rendered"))
            night.reports = [f"{checked_period(*job).stem}.html" for job in jobs]
            night.alerts = [a.key for a in check_alerts(settings, con, night.today, night.stale)]
        finally:
            con.close()
    if settings.smtp.host and night.today.day >= settings.smtp.monthly_send_day:
        month = f"{previous_month(night.today):%Y-%m}"
        night.mail = f"already sent for {month}" if month in lake.read_state("sent") else f"due for {month}"


def _append_log(lake: Lake, record: dict) -> None:
    logs = lake.home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / "nightly.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())

