"""Alerts: spend spikes, budgets, stale sources and unpriced rows, by mail and webhook, once per condition and day."""
import datetime as dt
import http.server
import json
import textwrap
import threading

import pytest
from click.testing import CliRunner

from conftest import app_record, free_port, smtp_server, smtp_table, write_jsonl
from pipeline.alerts import check_alerts
from pipeline.cli import cli
from pipeline.config import load_settings
from pipeline.errors import EXIT_MAIL
from pipeline.ingest import ingest
from pipeline.views import open_views

# claude-haiku-4-5 at $1 / $5 per 1M input / output tokens: 1M input + 200k output = $2.00 a request.
TWO_DOLLARS = {"input_tokens": 1_000_000, "output_tokens": 200_000}


def requests_on(day: str, n: int, app="chat", model="claude-haiku-4-5-20251001"):
    return [app_record(f"{app}_{day}_{i}", ts=f"{day}T09:{i // 60:02d}:{i % 60:02d}Z", app=app, model=model,
                       **TWO_DOLLARS) for i in range(n)]


def make_home(tmp_path, records, extra=""):
    logs = tmp_path / "logs"
    write_jsonl(logs / "a.jsonl", records)
    config = tmp_path / "spendlog.toml"
    config.write_text(textwrap.dedent("""\
        data_dir = "home"
        [[sources]]
        path = "logs/*.jsonl"
    """) + textwrap.dedent(extra))
    settings = load_settings(str(config))
    ingest(settings, [str(logs)])
    return config, settings


def alerts_on(settings, today, stale=()):
    con = open_views(settings)
    try:
        return check_alerts(settings, con, dt.date.fromisoformat(today), list(stale))
    finally:
        con.close()


def a_week_then(day_8: int):
    """$2 a day on 2026-02-01 … 07 (one request each), then day_8 requests on 2026-02-08."""
    records = [r for d in range(1, 8) for r in requests_on(f"2026-02-{d:02d}", 1)]
    return records + requests_on("2026-02-08", day_8)


def test_a_spike_over_ratio_and_floor(tmp_path):
    _, settings = make_home(tmp_path, a_week_then(7))  # $14 against a $2 average: 7×, over 3×
    found = alerts_on(settings, "2026-02-09")
    assert [(a.key, a.text) for a in found] == [
        ("spike total", "spend spike: total spent $14.00 on 2026-02-08, 7.0× its average of $2.00 over 7 earlier "
                        "days with data"),
        ("spike app chat", "spend spike: app chat spent $14.00 on 2026-02-08, 7.0× its average of $2.00 over 7 "
                           "earlier days with data"),
    ]


def test_no_spike_at_the_ratio_exactly_or_under_the_floor(tmp_path):
    _, settings = make_home(tmp_path, a_week_then(3))  # $6 = 3 × $2: not more than 3×
    assert alerts_on(settings, "2026-02-09") == []
    _, cheap = make_home(tmp_path / "b", a_week_then(7), extra="[alerts]\nspike_floor_usd = 14.01\n")
    assert alerts_on(cheap, "2026-02-09") == []


def test_days_without_data_are_not_zero_days_in_the_baseline(tmp_path):
    """Data on 02-01 and 02-05 only: the baseline is their $2 average, not $4 over 7 days."""
    records = requests_on("2026-02-01", 1) + requests_on("2026-02-05", 1) + requests_on("2026-02-08", 3)
    _, settings = make_home(tmp_path, records, extra="[alerts]\nspike_ratio = 2.0\n")
    assert [a.text for a in alerts_on(settings, "2026-02-09")][0] == (
        "spend spike: total spent $6.00 on 2026-02-08, 3.0× its average of $2.00 over 2 earlier days with data")


def test_a_new_app_without_history_does_not_spike(tmp_path):
    records = a_week_then(1) + requests_on("2026-02-08", 5, app="new-app")
    _, settings = make_home(tmp_path, records)
    assert [a.key for a in alerts_on(settings, "2026-02-09")] == ["spike total"]  # $12 vs $2; new-app has no baseline


def test_budgets_breached_and_forecast(tmp_path):
    # February: $2 a day on 01-07 and $2 on 08 = $16 through 02-08; the trailing 7 days with data average $2, so
    # $16 + 20 days left × $2 = $56 by the 28th.
    _, settings = make_home(tmp_path, a_week_then(1),
                            extra='[budgets]\ntotal = 15\nchat = 55\n"other" = 56\n')
    found = {a.key: a.text for a in alerts_on(settings, "2026-02-09")}
    assert found == {
        "budget total breached": "budget breached: total spent $16.00 in 2026-02 through 2026-02-08, over its "
                                 "budget of $15.00",
        "budget app chat forecast": "budget forecast to be breached: app chat spent $16.00 in 2026-02 through "
                                    "2026-02-08; at its trailing daily average, $56.00 by the month's end, over its "
                                    "budget of $55.00",
    }


def test_unpriced_rows_are_flagged(tmp_path):
    records = requests_on("2026-02-08", 2, model="claude-mystery-9") + requests_on("2026-02-08", 1)
    _, settings = make_home(tmp_path, records)
    assert [a.text for a in alerts_on(settings, "2026-02-09")] == [
        "unpriced rows: 2 billable rows on 2026-02-08 have no price and are not in any total: claude-mystery-9 (2); "
        "add them to [prices] user_file (spendlog prices check)"]


def test_stale_sources_become_alerts(tmp_path):
    _, settings = make_home(tmp_path, requests_on("2026-02-08", 1))
    assert [(a.key, a.text) for a in alerts_on(settings, "2026-02-09", ["logs/*.jsonl"])] == [
        ("stale logs/*.jsonl", "stale source: logs/*.jsonl has no file written in the last 36 hours")]


class Webhook:
    """A local HTTP server that records JSON posts and answers with self.status."""

    def __init__(self):
        self.posts, self.status = [], 200
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.posts.append((self.headers["Content-Type"], json.loads(body)))
                self.send_response(hook.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/T000/B000"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def webhook():
    hook = Webhook()
    yield hook
    hook.close()


def nightly(config, day):
    return CliRunner().invoke(cli, ["--config", str(config), "nightly", "--date", day], catch_exceptions=False)


def test_alerts_go_to_the_webhook_and_by_mail_once_a_day(tmp_path, webhook):
    with smtp_server() as (inbox, port):
        alerts_by_mail_and_webhook(tmp_path, webhook, inbox, port)


def alerts_by_mail_and_webhook(tmp_path, webhook, inbox, port):
    config, _ = make_home(tmp_path, a_week_then(7), extra=f"""\
        [alerts]
        webhook_url = "{webhook.url}"
    """ + smtp_table(port, to=("ops@example.com",), monthly_send_day=28))
    first = nightly(config, "2026-02-09")
    assert first.exit_code == 0, first.output
    assert "2 alerts (2 sent)" in first.stdout
    [(content_type, body)] = webhook.posts
    assert content_type == "application/json"
    assert body == {"text": "spendlog alerts:\n"
                            "• spend spike: total spent $14.00 on 2026-02-08, 7.0× its average of $2.00 over 7 "
                            "earlier days with data\n"
                            "• spend spike: app chat spent $14.00 on 2026-02-08, 7.0× its average of $2.00 over 7 "
                            "earlier days with data"}
    [received] = inbox.received
    recipients, message = received.rcpt_tos, received.message
    assert recipients == ["ops@example.com"]
    assert message["Subject"] == "spendlog alert: spend spike and 1 more"
    assert "- spend spike: app chat spent $14.00 on 2026-02-08" in message.get_content()

    again = nightly(config, "2026-02-09")
    assert "2 alerts (0 sent)" in again.stdout
    assert (len(webhook.posts), len(inbox.received)) == (1, 1)
    state = json.loads((tmp_path / "home" / "state" / "alerts.json").read_text())
    assert set(state["2026-02-09"]) == {"spike total", "spike app chat"}
    assert set(state["2026-02-09"]["spike total"]) == {"mail", "webhook"}


def test_a_failing_webhook_exits_69_and_is_tried_again(tmp_path, webhook):
    config, _ = make_home(tmp_path, a_week_then(7), extra=f'[alerts]\nwebhook_url = "{webhook.url}"\n')
    webhook.status = 500
    failed = nightly(config, "2026-02-09")
    assert failed.exit_code == EXIT_MAIL
    assert "spendlog: alerts: 127.0.0.1:" in failed.stderr and "refused the alert: HTTP 500" in failed.stderr
    webhook.status = 200
    retried = nightly(config, "2026-02-09")
    assert (retried.exit_code, len(webhook.posts)) == (0, 2)
    assert "2 alerts (2 sent)" in retried.stdout


def test_an_unreachable_webhook_is_one_line(tmp_path):
    port = free_port()
    config, _ = make_home(tmp_path, a_week_then(7), extra=f'[alerts]\nwebhook_url = "http://127.0.0.1:{port}/x"\n')
    result = nightly(config, "2026-02-09")
    assert result.exit_code == EXIT_MAIL
    assert f"spendlog: alerts: cannot post the alert to 127.0.0.1:{port}: [Errno 111] Connection refused\n" in result.stderr
