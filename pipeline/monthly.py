"""The monthly email: a month's report sections as one message (text, HTML with PNG charts by Content-ID, the
app × model CSV), sent once per month and recorded in state/sent.json after the server accepted it."""
from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import zoneinfo
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path

import css_inline

from . import fetch_dicts, sql_text
from . import charts
from .config import Settings
from .lake import Lake
from .mail import deliver, recipients
from .reports import (MONTH_NAMES, checked_period, load_macros, report_meta, run_section, section_params,
                      template_environment, write_csv)
from .views import open_views

SENT_STATE = "sent"  # state/sent.json: {"YYYY-MM": what was sent for that month, and when}
SECTIONS = ("summary", "by_app_model", "daily", "daily_by_app", "change")  # daily_by_app: the daily chart's data
LARGEST_CHANGES = 5
_INLINER = css_inline.CSSInliner(load_remote_stylesheets=False)


@dataclass(frozen=True)
class MonthlyMail:
    """A built mail and what sending it records."""

    message: EmailMessage
    month: str  # YYYY-MM
    figures: dict  # this month's spend_rows, total_cost_usd, total_cost_fmt and fingerprint now
    revisions: list[dict]  # earlier sent months whose figures changed since the recipients were told


def month_label(month: dt.date) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def message_id(settings: Settings, month: dt.date, send_number: int) -> str:
    """The same month, home and send number give the same Message-ID, so a mail sent twice by accident (sent, then
    the record lost) is one message to the recipients' clients."""
    home = hashlib.sha256(str(settings.home).encode()).hexdigest()[:12]
    return f"<spendlog.monthly.{month:%Y-%m}.{send_number}.{home}@{_domain(settings)}>"


def _domain(settings: Settings) -> str:
    return parseaddr(settings.smtp.sender)[1].rpartition("@")[2] or "localhost"


def _sent_on(settings: Settings, at: str) -> str:
    return dt.datetime.fromisoformat(at).astimezone(zoneinfo.ZoneInfo(settings.timezone)).strftime("%Y-%m-%d")


def _subject(summary: dict, figures: dict, month: dt.date, previous: dt.date) -> str:
    before = MONTH_NAMES[previous.month - 1] + ("" if previous.year == month.year else f" {previous.year}")
    if not figures["spend_rows"]:
        return f"spendlog: {month_label(month)}: no spend recorded"
    if not summary["has_previous"]:
        change = f"no data for {before}"
    elif summary["change_pct"] is None:
        change = f"{summary['change_fmt']} vs {before}"
    else:
        change = f"{summary['change_pct_fmt']} vs {before}"
    return f"spendlog: {month_label(month)} spend {summary['total_cost_fmt']} ({change})"


def _charts(daily_by_app: list[dict], by_app_model: list[dict]) -> dict[str, bytes]:
    """The mail's PNG charts: the report page's daily chart and spend by app, at the mail's width."""
    return {"daily": charts.png(charts.daily_by_app(daily_by_app, width=charts.NARROW)),
            "apps": charts.png(charts.apps(by_app_model, width=charts.NARROW))}


def _revisions(settings: Settings, sent: dict, figures: dict[str, dict]) -> list[dict]:
    return [
        {"month": key, "label": month_label(dt.date.fromisoformat(f"{key}-01")),
         "sent_on": _sent_on(settings, record["sends"][-1]["at"]),
         "then": record["total_cost_fmt"], "now": figures[key]["total_cost_fmt"], "figures": figures[key]}
        for key, record in sorted(sent.items())
        if figures[key]["fingerprint"] != record["fingerprint"]
    ]


def compose_monthly(settings: Settings, month: dt.date, to: tuple[str, ...] = (), send_number: int = 1,
                    sent: dict | None = None) -> MonthlyMail:
    """Build the mail of month (its first day) from the monthly report's sections; sent (state/sent.json) names the
    months already mailed, whose revisions the mail reports."""
    sent = Lake(settings.home).read_state(SENT_STATE) if sent is None else sent
    start = month.replace(day=1)
    period = checked_period("monthly", start, start.replace(day=calendar.monthrange(start.year, start.month)[1]))
    prev_start = period.previous[0]
    meta = {**report_meta(settings), "today": None}  # a mailed month has ended: no forecast
    params = section_params(period, meta)
    key = f"{start:%Y-%m}"
    csv_name = f"{period.stem}.by_app_model.csv"
    csv_path = Lake(settings.home).tmp / f".{csv_name}"
    con = open_views(settings)
    try:
        load_macros(con)
        tables = {name: run_section(con, name, params) for name in SECTIONS}
        months = [start, *(dt.date.fromisoformat(f"{k}-01") for k in sent)]
        figures = {f"{row['month']:%Y-%m}": row for row in fetch_dicts(con, sql_text("monthly/months.sql"),
                                                                        {"months": months})}
        write_csv(con, tables["by_app_model"], csv_path)
    finally:
        con.close()
    attachment = csv_path.read_bytes()
    csv_path.unlink()

    rows = {name: table.to_pylist() for name, table in tables.items()}
    summary = rows["summary"][0]
    has_data = figures[key]["spend_rows"] > 0
    ident = message_id(settings, start, send_number)
    cids = {name: ident[1:-1].replace("spendlog.monthly", name, 1) for name in ("daily", "apps")}
    revisions = _revisions(settings, sent, figures)
    subject = _subject(summary, figures[key], start, prev_start)
    context = {
        "subject": subject,
        "title": period.title,
        "month_label": month_label(start),
        "period_label": period.label,
        "previous_label": period.previous_label,
        "has_data": has_data,
        "summary": summary,
        "by_app_model": rows["by_app_model"],
        "daily": rows["daily"],
        "changes": [r for r in rows["change"] if r["row_kind"] == "model"][:LARGEST_CHANGES],
        "revisions": revisions,
        "charts": cids,
        "csv_name": csv_name,
        "meta": meta,
    }
    env = template_environment()

    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.smtp.sender or "spendlog@localhost"
    if to:
        message["To"] = ", ".join(to)
    message["Date"] = format_datetime(settings.now())
    message["Message-ID"] = ident
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(env.get_template("email.txt").render(context))
    message.add_alternative(_INLINER.inline(env.get_template("email.html").render(context)), subtype="html")
    if has_data:
        html = message.get_payload()[1]
        for name, png in _charts(rows["daily_by_app"], rows["by_app_model"]).items():
            html.add_related(png, "image", "png", cid=f"<{cids[name]}>", filename=f"{name}.png",
                             disposition="inline")
    message.add_attachment(attachment, maintype="text", subtype="csv", filename=csv_name)
    return MonthlyMail(message, key, figures[key], revisions)


def build_monthly(settings: Settings, month: dt.date, to: tuple[str, ...] = ()) -> EmailMessage:
    """The mail of month as the next send would build it."""
    sent = Lake(settings.home).read_state(SENT_STATE)
    return compose_monthly(settings, month, to, _send_number(sent, f"{month:%Y-%m}"), sent).message


def _send_number(sent: dict, key: str) -> int:
    return len(sent.get(key, {}).get("sends", [])) + 1


def send_monthly(settings: Settings, month: dt.date, to: tuple[str, ...] | None = None, resend: bool = False,
                 dry_run: Path | None = None) -> dict:
    """Mail month's report once: a month already in state/sent.json is not sent again unless resend; dry_run writes
    the message to that file and sends and records nothing. What happened, as a dict; MailError when the server
    cannot be reached or refuses, and then nothing is recorded."""
    lake = Lake(settings.home)
    key = f"{month:%Y-%m}"
    with lake.lock():
        sent = lake.read_state(SENT_STATE)
        record = sent.get(key)
        last = record["sends"][-1] if record else None
        outcome = {"month": key, "sent": False, "already_sent_at": last["at"] if last else None,
                   "message_id": last["message_id"] if last else None, "to": last["to"] if last else [],
                   "revisions_noted": [], "dry_run": None}
        if record and not resend and not dry_run:
            return outcome
        addresses = tuple(to or settings.smtp.to) if dry_run else recipients(settings, to)
        mail = compose_monthly(settings, month, addresses, _send_number(sent, key), sent)
        outcome.update(message_id=mail.message["Message-ID"], to=list(addresses))
        if dry_run:
            Path(dry_run).write_bytes(mail.message.as_bytes())
            return {**outcome, "dry_run": str(dry_run)}
        deliver(settings, mail.message, addresses)
        _record(sent, mail, settings.now().isoformat(timespec="seconds"), list(addresses))
        lake.write_state(SENT_STATE, sent)
        return {**outcome, "sent": True, "revisions_noted": [r["month"] for r in mail.revisions]}


def _record(sent: dict, mail: MonthlyMail, at: str, to: list[str]) -> None:
    """Record a send, and that its revision notes were said: each month's figures become what its readers know."""
    message_id = mail.message["Message-ID"]
    for revision in mail.revisions:
        record = sent[revision["month"]]
        record.setdefault("revisions_noted", []).append(
            {"at": at, "message_id": message_id, "then": revision["then"], "now": revision["now"]})
        _remember(record, revision["figures"])
    record = sent.setdefault(mail.month, {"sends": []})
    record["sends"].append({"at": at, "message_id": message_id, "to": to})
    _remember(record, mail.figures)


def _remember(record: dict, figures: dict) -> None:
    record.update(spend_rows=figures["spend_rows"], total_cost_usd=str(figures["total_cost_usd"]),
                  total_cost_fmt=figures["total_cost_fmt"], fingerprint=figures["fingerprint"])
