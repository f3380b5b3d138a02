"""`spendlog email monthly`: the message a real local SMTP server receives, sent exactly once."""
import csv
import email
import email.policy
import io
import json
import os
import re
import socket
import ssl
import subprocess
from decimal import ROUND_HALF_UP, Decimal

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner

from conftest import smtp_table as shared_smtp_table
from conftest import app_record, free_port, query, smtp_server, write_jsonl
from test_charts import png_size
from pipeline.cli import cli
from pipeline.config import load_settings
from pipeline.demo import run_demo

SENDER = "spendlog@reports.example.com"
TEAM = ("finance@example.com", "eng@example.com")
USER, PASSWORD = "spendlog", "s3cret"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (USER.encode(),
                                                                                            PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (the openssl CLI) and a server TLS context with it."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return cert, context


def smtp_table(port, security="none", user="", to=TEAM) -> str:
    return shared_smtp_table(port, security, user, to, SENDER)


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("mail") / "spendlog-demo"
    old = os.environ.get("SPENDLOG_NOW")
    os.environ["SPENDLOG_NOW"] = "2026-04-02T06:00:00Z"
    try:
        run_demo(home)
    finally:
        os.environ.pop("SPENDLOG_NOW") if old is None else os.environ.update(SPENDLOG_NOW=old)
    return home


@pytest.fixture
def demo(demo_home, monkeypatch):
    """The demo home with nothing mailed yet; demo(*args, port=…) runs `spendlog email monthly …` on it with the
    demo's config plus an [smtp] table (beside the demo's config, so its sources stay the same)."""
    monkeypatch.setenv("SPENDLOG_NOW", "2026-04-02T06:00:00Z")
    (demo_home / "state" / "sent.json").unlink(missing_ok=True)
    config = demo_home / "sample_logs" / "mail.toml"

    def invoke(*args, port=None, **smtp):
        config.write_text((demo_home / "sample_logs" / "spendlog.toml").read_text()
                          + smtp_table(port or free_port(), **smtp))
        return CliRunner().invoke(cli, ["--home", str(demo_home), "--config", str(config), "email", "monthly",
                                        *map(str, args)], catch_exceptions=False)

    invoke.home, invoke.config = demo_home, config
    return invoke


def sent_state(home):
    path = home / "state" / "sent.json"
    return path.read_bytes() if path.exists() else None


def structure(message):
    """(alternative, related, html, text) of a monthly mail, checking its MIME tree on the way."""
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    text, related = alternative.iter_parts()
    assert (text.get_content_type(), related.get_content_type()) == ("text/plain", "multipart/related")
    html = next(related.iter_parts())
    assert html.get_content_type() == "text/html"
    assert attachment.get_content_type() == "text/csv" and attachment.get_content_disposition() == "attachment"
    return related, html.get_content(), text.get_content(), attachment


def test_the_monthly_mail_as_the_server_receives_it(demo):
    with smtp_server() as (inbox, port):
        result = demo("--month", "2026-03", port=port)
    assert result.exit_code == 0, result.stderr
    [got] = inbox.received
    assert (got.mail_from, got.rcpt_tos) == (SENDER, list(TEAM))
    assert result.stdout == f"sent the March 2026 mail to {', '.join(TEAM)} ({got.message['Message-ID']})\n"
    message = got.message
    assert (message["From"], message["To"]) == (SENDER, ", ".join(TEAM))
    assert not got.tls and not got.authenticated

    related, html, text, _ = structure(message)
    images = {part["Content-ID"].strip().strip("<>"): part for part in related.iter_parts()
              if part.get_content_type() == "image/png"}
    cids = re.findall(r'src="cid:([^"]+)"', html)
    assert len(cids) == 2 and sorted(cids) == sorted(images)
    for part in images.values():
        assert png_size(part.get_content())[0] == 1120  # 560 CSS pixels at twice the density
        assert len(part.get_content()) < 80_000

    settings = load_settings(str(demo.config), str(demo.home))
    [(march, february)] = query(settings, "select sum(cost_usd) filter (where month = date '2026-03-01'), "
                                          "sum(cost_usd) filter (where month = date '2026-02-01') from spend")
    change = (march - february) / february * 100
    assert message["Subject"] == f"spendlog: March 2026 spend ${march:,.2f} ({change:+.1f}% vs February)"
    assert f"Total spend    ${march:,.2f}, -${february - march:,.2f} ({change:+.1f}%) vs February 2026" in text
    assert f"${march:,.2f}" in html


def test_the_mail_html_is_small_inlined_and_fetches_nothing(demo, tmp_path):
    for month in ("2026-02", "2026-03"):
        assert demo("--month", month, "--dry-run", tmp_path / f"{month}.eml").exit_code == 0
        message = email.message_from_bytes((tmp_path / f"{month}.eml").read_bytes(), policy=email.policy.default)
        _, html, _, _ = structure(message)
        assert len(html.encode()) < 100_000
        assert "<script" not in html.lower() and "<style" not in html and "<link" not in html
        assert re.findall(r'(?:src|href)="([^"]*)"', html) == re.findall(r'src="(cid:[^"]*)"', html)
        assert 'style="' in html  # the CSS is inlined
        assert "http" not in " ".join(re.findall(r"url\([^)]*\)", html))


def test_the_csv_attachment_is_the_by_app_model_section(demo, tmp_path):
    assert demo("--month", "2026-02", "--dry-run", tmp_path / "feb.eml").exit_code == 0
    message = email.message_from_bytes((tmp_path / "feb.eml").read_bytes(), policy=email.policy.default)
    *_, attachment = structure(message)
    assert attachment.get_filename() == "monthly-2026-02.by_app_model.csv"
    # the same file the monthly report writes (the demo rendered February) …
    assert attachment.get_content().encode() == (demo.home / "reports" / attachment.get_filename()).read_bytes()
    # … whose numbers are the month's spend by app and model
    rows = list(csv.DictReader(io.StringIO(attachment.get_content())))
    got = {(r["app"], r["model"]): (int(r["requests"]), Decimal(r["cost_usd"])) for r in rows if r["row_kind"] == "model"}
    settings = load_settings(str(demo.config), str(demo.home))
    expected = query(settings, """
        select app, coalesce(canonical_model, model, '(no model)'),
               sum(case when grain = 'bucket' then request_count when billable then 1 else 0 end), sum(cost_usd)
        from spend where month = date '2026-02-01'
          and not (grain = 'request' and not billable and cost_usd = 0 and input_tokens + output_tokens = 0)
        group by all""")  # the two failed batch items are errors, not spend rows
    assert got == {(app, model): (requests, cost) for app, model, requests, cost in expected}
    [total] = [r for r in rows if r["row_kind"] == "total"]
    assert Decimal(total["cost_usd"]) == query(settings, "select sum(cost_usd) from spend "
                                                         "where month = date '2026-02-01'")[0][0]


def test_a_month_is_sent_once_unless_resend(demo):
    with smtp_server() as (inbox, port):
        assert demo("--month", "2026-03", port=port).exit_code == 0
        state = sent_state(demo.home)
        again = demo("--month", "2026-03", port=port)
        assert again.exit_code == 0
        assert again.stdout == (f"the March 2026 mail was sent on 2026-04-02 06:00 UTC to {', '.join(TEAM)}; "
                                "--resend sends it again\n")
        assert len(inbox.received) == 1 and sent_state(demo.home) == state
        resent = demo("--month", "2026-03", "--resend", "--to", "cfo@example.com", port=port)
        assert resent.exit_code == 0, resent.stderr
    first, second = inbox.received
    assert second.rcpt_tos == ["cfo@example.com"] and second.message["To"] == "cfo@example.com"
    assert first.message["Message-ID"] != second.message["Message-ID"]
    sends = json.loads(sent_state(demo.home))["2026-03"]["sends"]
    assert [(s["message_id"], s["to"]) for s in sends] == [(first.message["Message-ID"], list(TEAM)),
                                                            (second.message["Message-ID"], ["cfo@example.com"])]


def test_the_message_id_is_deterministic(demo, tmp_path):
    assert demo("--month", "2026-03", "--dry-run", tmp_path / "a.eml").exit_code == 0
    assert demo("--month", "2026-03", "--dry-run", tmp_path / "b.eml").exit_code == 0
    ids = [email.message_from_bytes((tmp_path / f"{n}.eml").read_bytes())["Message-ID"] for n in "ab"]
    assert ids[0] == ids[1]
    assert re.fullmatch(r"<spendlog\.monthly\.2026-03\.1\.[0-9a-f]{12}@reports\.example\.com>", ids[0])
    with smtp_server() as (inbox, port):
        assert demo("--month", "2026-03", port=port).exit_code == 0
        assert demo("--month", "2026-03", "--resend", port=port).exit_code == 0
    assert [r.message["Message-ID"] for r in inbox.received] == [ids[0], ids[0].replace(".1.", ".2.", 1)]
    assert demo("--month", "2026-02", "--dry-run", tmp_path / "feb.eml").exit_code == 0
    assert email.message_from_bytes((tmp_path / "feb.eml").read_bytes())["Message-ID"] == ids[0].replace(
        "2026-03", "2026-02")


@pytest.mark.parametrize("failure", ["not listening", "554 on DATA", "login refused"])
def test_a_failed_send_exits_69_records_nothing_and_the_next_call_sends(demo, certificate, monkeypatch, failure):
    cert, context = certificate
    monkeypatch.setenv("SPENDLOG_SMTP_CAFILE", str(cert))
    monkeypatch.setenv("SPENDLOG_SMTP_PASSWORD", PASSWORD)
    port = free_port()
    if failure == "not listening":
        result = demo("--month", "2026-03", port=port)
        message = f"cannot send mail through 127.0.0.1:{port}: [Errno 111] Connection refused"
    elif failure == "554 on DATA":
        with smtp_server(port, reply="554 5.7.1 Message refused"):
            result = demo("--month", "2026-03", port=port)
        message = f"127.0.0.1:{port} refused the message: 554 5.7.1 Message refused"
    else:
        monkeypatch.setenv("SPENDLOG_SMTP_PASSWORD", "wrong")
        with smtp_server(port, tls_context=context, require_starttls=True, authenticator=authenticator):
            result = demo("--month", "2026-03", port=port, security="starttls", user=USER)
        message = f"127.0.0.1:{port} refused the login of {USER}: 535 5.7.8 Authentication credentials invalid"
        monkeypatch.setenv("SPENDLOG_SMTP_PASSWORD", PASSWORD)
    assert (result.exit_code, result.stdout, result.stderr) == (69, "", f"spendlog: mail: {message}\n")
    assert sent_state(demo.home) is None

    with smtp_server(port, tls_context=context, authenticator=authenticator) as (inbox, _):
        result = demo("--month", "2026-03", port=port, security="starttls", user=USER)
    assert result.exit_code == 0, result.stderr
    assert len(inbox.received) == 1
    assert list(json.loads(sent_state(demo.home))) == ["2026-03"]


def test_starttls_with_a_verified_certificate_and_login(demo, certificate, monkeypatch):
    cert, context = certificate
    monkeypatch.setenv("SPENDLOG_SMTP_PASSWORD", PASSWORD)
    with smtp_server(tls_context=context, require_starttls=True, authenticator=authenticator,
                     auth_required=True) as (inbox, port):
        untrusted = demo("--month", "2026-03", port=port, security="starttls", user=USER)
        assert untrusted.exit_code == 69 and "CERTIFICATE_VERIFY_FAILED" in untrusted.stderr
        monkeypatch.setenv("SPENDLOG_SMTP_CAFILE", str(cert))
        result = demo("--month", "2026-03", port=port, security="starttls", user=USER)
    assert result.exit_code == 0, result.stderr
    [got] = inbox.received
    assert got.tls and got.authenticated


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_with_login(demo, certificate, monkeypatch):
    cert, context = certificate
    monkeypatch.setenv("SPENDLOG_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("SPENDLOG_SMTP_CAFILE", str(cert))
    # aiosmtpd offers AUTH under TLS only after STARTTLS; here the whole connection is TLS (got.tls below)
    with smtp_server(ssl_context=context, authenticator=authenticator, auth_required=True,
                     auth_require_tls=False) as (inbox, port):
        result = demo("--month", "2026-03", port=port, security="ssl", user=USER)
    assert result.exit_code == 0, result.stderr
    [got] = inbox.received
    assert got.tls and got.authenticated


def test_a_user_without_the_password_variable_is_a_config_error(demo):
    result = demo("--month", "2026-03", user=USER)
    assert (result.exit_code, result.stderr) == (78, "spendlog: config: smtp.user is set but "
                                                     "$SPENDLOG_SMTP_PASSWORD is not\n")


def test_a_password_in_the_config_is_refused(run, tmp_path):
    config = tmp_path / "spendlog.toml"
    config.write_text(smtp_table(free_port()) + "password = 'hunter2'\n")
    result = run("email", "monthly", "--month", "2026-03", config=config)
    assert result.exit_code == 78
    assert result.stderr == ("spendlog: config: smtp.password: passwords are not read from the config file; "
                             "set $SPENDLOG_SMTP_PASSWORD\n")


def small_home(run, tmp_path, port):
    """A home with two $2.00 requests in February 2026 and three in March (Haiku 4.5: 1M input tokens at $1 per
    1M, 200K output at $5 per 1M); returns the ingest function and the config."""
    config = tmp_path / "spendlog.toml"
    config.write_text(smtp_table(port))

    def add(name, *timestamps):
        records = [app_record(f"{name}-{i}", ts, input_tokens=1_000_000, output_tokens=200_000, app="bot")
                   for i, ts in enumerate(timestamps)]
        assert run("ingest", write_jsonl(tmp_path / "logs" / f"{name}.jsonl", records), config=config).exit_code == 0

    add("feb", "2026-02-10T10:00:00Z", "2026-02-11T10:00:00Z")
    add("mar", "2026-03-03T10:00:00Z", "2026-03-04T10:00:00Z", "2026-03-05T10:00:00Z")
    return add, config


def test_dry_run_needs_no_server_and_records_nothing(run, home, tmp_path):
    _, config = small_home(run, tmp_path, free_port())  # nothing listens there
    result = run("email", "monthly", "--month", "2026-03", "--dry-run", tmp_path / "mar.eml", config=config)
    assert result.exit_code == 0, result.stderr
    message = email.message_from_bytes((tmp_path / "mar.eml").read_bytes(), policy=email.policy.default)
    assert result.stdout == (f"wrote the March 2026 mail to {tmp_path / 'mar.eml'} ({message['Message-ID']}); "
                             "nothing was sent\n")
    assert message["Subject"] == "spendlog: March 2026 spend $6.00 (+50.0% vs February)"
    assert message["To"] == ", ".join(TEAM)
    assert sent_state(home) is None
    run("email", "monthly", "--month", "2026-04", "--dry-run", tmp_path / "apr.eml", config=config)
    april = email.message_from_bytes((tmp_path / "apr.eml").read_bytes(), policy=email.policy.default)
    assert april["Subject"] == "spendlog: April 2026: no spend recorded"
    assert "No spend was recorded in April 2026." in april.get_body(("plain",)).get_content()


def test_a_report_revised_after_it_was_sent_is_noted_once(run, home, tmp_path, monkeypatch):
    with smtp_server() as (inbox, port):
        add, config = small_home(run, tmp_path, port)
        monkeypatch.setenv("SPENDLOG_NOW", "2026-03-02T06:00:00Z")
        assert run("email", "monthly", "--month", "2026-02", config=config).exit_code == 0
        add("feb-late", "2026-02-20T10:00:00Z")  # February is now $6.00
        monkeypatch.setenv("SPENDLOG_NOW", "2026-04-02T06:00:00Z")
        assert run("email", "monthly", "--month", "2026-03", config=config).exit_code == 0
        monkeypatch.setenv("SPENDLOG_NOW", "2026-04-03T06:00:00Z")
        assert run("email", "monthly", "--month", "2026-03", "--resend", config=config).exit_code == 0
    february, march, march_again = (r.message for r in inbox.received)
    assert february["Subject"] == "spendlog: February 2026 spend $4.00 (no data for January)"
    assert march["Subject"] == "spendlog: March 2026 spend $6.00 (0.0% vs February)"
    note = "The February 2026 report changed after it was sent on 2026-03-02: $4.00 then, $6.00 now."
    for message in (february, march, march_again):
        _, html, text, _ = structure(message)
        assert (note in text, note in html) == ((message is march),) * 2
    feb = json.loads(sent_state(home))["2026-02"]
    assert feb["total_cost_fmt"] == "$6.00"
    assert feb["revisions_noted"] == [{"at": "2026-04-02T06:00:00+00:00", "message_id": march["Message-ID"],
                                       "then": "$4.00", "now": "$6.00"}]


def test_a_server_that_never_answers_times_out_as_one_line(tmp_path):
    """A server that takes the connection and says nothing: after [smtp] timeout_s, MailError (exit 69)."""
    import time
    from email.message import EmailMessage

    from pipeline.config import Settings, Smtp
    from pipeline.errors import MailError
    from pipeline.mail import deliver

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        settings = Settings(home=tmp_path, smtp=Smtp(host="127.0.0.1", port=port, security="none", sender=SENDER,
                                                     to=TEAM, timeout_s=0.5))
        started = time.monotonic()
        with pytest.raises(MailError) as raised:
            deliver(settings, EmailMessage())
    assert str(raised.value) == f"127.0.0.1:{port} did not answer within 0.5 s (smtp.timeout_s)"
    assert raised.value.exit_code == 69
    assert time.monotonic() - started < 5


def test_february_mail_leaves_the_days_before_the_first_log_out(demo, tmp_path):
    assert demo("--month", "2026-02", "--dry-run", tmp_path / "feb.eml").exit_code == 0
    message = email.message_from_bytes((tmp_path / "feb.eml").read_bytes(), policy=email.policy.default)
    _, html, text, _ = structure(message)
    settings = load_settings(str(demo.config), str(demo.home))
    [[total]] = query(settings, "select sum(cost_usd) from spend where month = date '2026-02-01'")
    average = f"${(total / 24).quantize(Decimal('0.01'), ROUND_HALF_UP)}"  # the logs start on Thu 5 Feb: 24 days
    assert f"Daily average  {average} over 24 days with data, zero days included; data from 2026-02-05; " \
           "4 days without data\n" in text
    assert "  Wed 04 Feb    no data\n  Thu 05 Feb" in text
    assert "Grey bands marked “no data” are days without data (2026-02-01 – 2026-02-04): they are not in the average." in html
    assert "calendar days" not in text + html
