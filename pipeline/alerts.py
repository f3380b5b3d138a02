"""Alerts (DESIGN.md §6 [alerts], [budgets]): a spend spike, a budget breached or forecast to be, a stale source, a
day's unpriced rows. Sent by mail ([smtp]) and to a Slack-compatible webhook, each at most once per condition and
day (state/alerts.json)."""
from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from . import fetch_dicts, sql_text
from .config import Settings
from .errors import MailError, WebhookError
from .lake import Lake
from .mail import deliver
from .reports import load_macros

WEBHOOK_TIMEOUT_S = 10
KEEP_DAYS = 62  # state/alerts.json forgets older days


@dataclass(frozen=True)
class Alert:
    key: str  # the condition: the same key on the same day is sent once
    text: str


def check_alerts(settings: Settings, con, today: dt.date, stale: list[str]) -> list[Alert]:
    """The conditions flagged for yesterday (the last whole local day before today) and the stale sources."""
    day = today - dt.timedelta(days=1)
    found = []
    a = settings.alerts
    load_macros(con)
    for row in fetch_dicts(con, sql_text("reports/trailing.sql"), {
            "start": day, "trailing_days": a.trailing_days, "spike_ratio": a.spike_ratio,
            "spike_floor_usd": a.spike_floor_usd}):
        if row["spike"]:
            found.append(Alert(f"spike {row['scope']}", (
                f"spend spike: {row['scope']} spent {row['day_cost_fmt']} on {day}, {row['ratio_fmt']} its average "
                f"of {row['average_fmt']} over {row['trailing_days_with_data']} earlier days with data")))
    if settings.budgets:
        names, amounts = zip(*settings.budgets)
        for row in fetch_dicts(con, sql_text("reports/budgets.sql"), {
                "start": day, "budget_names": list(names), "budget_amounts": [str(x) for x in amounts],
                "trailing_days": a.trailing_days}):
            if row["state"] == "on track":
                continue
            scope = "total" if row["name"] == "total" else f"app {row['name']}"
            if row["state"] == "over budget":
                found.append(Alert(f"budget {scope} breached", (
                    f"budget breached: {scope} spent {row['mtd_fmt']} in {day:%Y-%m} through {day}, over its "
                    f"budget of {row['budget_fmt']}")))
            else:
                found.append(Alert(f"budget {scope} forecast", (
                    f"budget forecast to be breached: {scope} spent {row['mtd_fmt']} in {day:%Y-%m} through {day}; "
                    f"at its trailing daily average, {row['forecast_fmt']} by the month's end, over its budget of "
                    f"{row['budget_fmt']}")))
    for label in stale:
        found.append(Alert(f"stale {label}", (
            f"stale source: {label} has no file written in the last {a.stale_after_hours:g} hours")))
    unpriced = fetch_dicts(con, sql_text("alerts/unpriced.sql"), {"day": day})
    if unpriced:
        models = ", ".join(f"{r['model']} ({r['unpriced_rows']:,})" for r in unpriced)
        found.append(Alert("unpriced", (
            f"unpriced rows: {sum(r['unpriced_rows'] for r in unpriced):,} billable rows on {day} have no price "
            f"and are not in any total: {models}; add them to [prices] user_file (spendlog prices check)")))
    return found


def send_alerts(settings: Settings, lake: Lake, alerts: list[Alert], today: dt.date) -> list[Alert]:
    """Deliver each alert not yet delivered today on each configured channel (mail, webhook); the alerts delivered
    now. A channel that fails raises MailError/WebhookError after the others are tried and recorded."""
    channels = [name for name, on in (("mail", bool(settings.smtp.host)),
                                      ("webhook", bool(settings.alerts.webhook_url))) if on]
    state = lake.read_state("alerts")
    day = today.isoformat()
    done = state.setdefault(day, {})
    delivered, errors = [], []
    for channel in channels:
        due = [alert for alert in alerts if channel not in done.get(alert.key, {})]
        if not due:
            continue
        try:
            if channel == "mail":
                deliver(settings, alert_message(settings, due, today))
            else:
                post_webhook(settings.alerts.webhook_url, due)
        except MailError as exc:
            errors.append(exc)
            continue
        at = settings.now().isoformat(timespec="seconds")
        for alert in due:
            done.setdefault(alert.key, {})[channel] = at
        delivered += [alert for alert in due if alert not in delivered]
    cutoff = (today - dt.timedelta(days=KEEP_DAYS)).isoformat()
    lake.write_state("alerts", {d: v for d, v in state.items() if d >= cutoff and v})
    if errors:
        raise errors[0]
    return delivered


def alert_message(settings: Settings, alerts: list[Alert], today: dt.date) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"spendlog alert: {alerts[0].text.split(':')[0]}" + (
        f" and {len(alerts) - 1} more" if len(alerts) > 1 else "")
    message["From"] = settings.smtp.sender
    message["To"] = ", ".join(settings.smtp.to)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid("spendlog.alert", settings.smtp.sender.rpartition("@")[2] or None)
    message.set_content(f"spendlog, nightly run of {today}:\n\n" + "\n".join(f"- {a.text}" for a in alerts)
                        + f"\n\nHome: {settings.home}\n")
    return message


def post_webhook(url: str, alerts: list[Alert]) -> None:
    """A Slack-compatible incoming-webhook post: JSON {"text": …}."""
    body = json.dumps({"text": "spendlog alerts:\n" + "\n".join(f"• {a.text}" for a in alerts)}).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    host = urllib.request.urlparse(url).netloc
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise WebhookError(f"{host} refused the alert: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise WebhookError(f"cannot post the alert to {host}: {getattr(exc, 'reason', exc)}") from None
