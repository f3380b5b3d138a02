import contextlib
import email
import email.policy
import json
import socket
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from pipeline import pricing, sql_text
from pipeline.cli import cli
from pipeline.config import load_settings
from pipeline.views import open_views
from pipeline.ingest import ingest
from pipeline.lake import Lake

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "data" / "formats"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """Tests never see the developer's own config (~/.config/spendlog/spendlog.toml included), home or clock."""
    monkeypatch.setenv("HOME", str(tmp_path / "user-home"))
    for name in ("SPENDLOG_HOME", "SPENDLOG_CONFIG", "SPENDLOG_NOW", "SPENDLOG_DEBUG", "SPENDLOG_SMTP_PASSWORD",
                 "SPENDLOG_SMTP_CAFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


@pytest.fixture
def settings(home):
    return load_settings(None, str(home))


@pytest.fixture
def run(home):
    """Invoke the CLI with --home set; returns the click Result."""
    runner = CliRunner()

    def invoke(*args, config=None):
        prefix = ["--home", str(home)] + (["--config", str(config)] if config else [])
        return runner.invoke(cli, prefix + [str(a) for a in args], catch_exceptions=False)

    return invoke


def app_record(request_id="req_1", ts="2026-02-10T10:00:00.000Z", model="claude-haiku-4-5-20251001",
               input_tokens=100, output_tokens=20, app="test-app", **usage):
    """One spendlog app-log line (a dict) with an Anthropic response."""
    return {
        "ts": ts, "app": app, "request_id": request_id, "http_status": 200, "latency_ms": 500,
        "response": {"id": "msg_" + request_id, "type": "message", "model": model,
                     "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens, **usage}},
    }


def write_jsonl(path: Path, records) -> Path:
    """Write records (dicts, or raw strings/bytes written as they are) one per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        for record in records:
            if isinstance(record, dict):
                record = json.dumps(record)
            if isinstance(record, str):
                record = record.encode()
            handle.write(record + b"\n")
    return path


TOKENS = ("input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, output_tokens, "
          "reasoning_tokens, web_search_requests")


def query(settings, sql, params=None):
    """The rows of a query over the views of settings' home."""
    con = open_views(settings)
    try:
        return con.execute(sql, params or {}).fetchall()
    finally:
        con.close()


def rows(settings, columns, where="true"):
    return query(settings, f"select {columns} from usage where {where} order by source_file, source_line")


def entry(settings, path):
    """A source file's manifest entry (its line accounting)."""
    return Lake(settings.home).read_manifest()["sources"][str(path)]


def assert_accounting(settings):
    """records read = loaded + replaced + duplicates + rejected + ignored, for every file in the manifest that was not
    refused whole (a refused file loads nothing)."""
    for path, e in Lake(settings.home).read_manifest()["sources"].items():
        if e.get("status") == "refused":
            continue
        assert e["records_read"] == (e["rows_loaded"] + e["rows_replaced"] + e["duplicates"] + e["rows_rejected"]
                                     + sum(e["ignored"].values())), path


def fixture(tmp_path, name, folder="in"):
    """A copy of tests/data/formats/<name> under tmp_path/<folder>."""
    target = tmp_path / folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / name, target)
    return target


def ingest_twice(settings, path, fmt_name):
    """Ingest a file (auto-detected), check its format and accounting, and that a second ingest loads nothing."""
    summary = ingest(settings, [str(path)]).as_dict()
    assert summary["file_errors"] == []
    assert entry(settings, path)["format"] == fmt_name
    assert_accounting(settings)
    again = ingest(settings, [str(path)]).as_dict()
    assert (again["files"], again["files_skipped"], again["rows_loaded"]) == (0, 1, 0)
    return summary


HOLD_LOCK = """
import fcntl, sys
handle = open(sys.argv[1], "a+")
fcntl.flock(handle, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.readline()
"""


@contextlib.contextmanager
def lock_held_elsewhere(home: Path):
    """Another process holds the home's lock (within one process the lock is re-entrant)."""
    (home / "state").mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(home / "state" / "lock")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        yield
    finally:
        holder.communicate("\n")


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    message: email.message.EmailMessage
    raw: bytes
    tls: bool
    authenticated: bool


class Inbox:
    """An aiosmtpd handler keeping what it accepts; reply is given to DATA instead when set (e.g. a 554)."""

    def __init__(self, reply=None):
        self.reply, self.received = reply, []

    async def handle_DATA(self, server, session, envelope):
        if self.reply:
            return self.reply
        self.received.append(Received(envelope.mail_from, envelope.rcpt_tos,
                                      email.message_from_bytes(envelope.content, policy=email.policy.default),
                                      envelope.content, bool(session.ssl or server.transport.get_extra_info("ssl_object")),
                                      session.authenticated))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def smtp_table(port, security="none", user="", to=("finance@example.com",), sender="spendlog@example.com",
               monthly_send_day=None) -> str:
    """An [smtp] table for a test server on 127.0.0.1:port (TOML text)."""
    return (f"[smtp]\nhost = '127.0.0.1'\nport = {port}\nsecurity = '{security}'\nfrom = '{sender}'\n"
            f"to = {json.dumps(list(to))}\ntimeout_s = 5\n" + (f"user = '{user}'\n" if user else "")
            + (f"monthly_send_day = {monthly_send_day}\n" if monthly_send_day else ""))


@contextlib.contextmanager
def smtp_server(port=None, reply=None, **kwargs):
    """A real SMTP server on 127.0.0.1; yields (inbox, port)."""
    inbox = Inbox(reply)
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port(), **kwargs)
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


# --- pricing rows in memory (tests/test_pricing.py, tests/test_imported_prices.py) -------------------------------------

PRICE_DEFAULTS = {
    "provider": "anthropic", "model": "claude-haiku-4-5", "ts": "2026-03-20 12:00:00+00", "billable": True,
    "batch": False, "grain": "request", "input_tokens": 0, "cache_write_5m_tokens": 0, "cache_write_1h_tokens": 0,
    "cache_read_tokens": 0, "output_tokens": 0, "web_search_requests": 0,
}
_pricing_connection = None


def pricing_connection():
    """One in-memory connection per test run: usage_schema plus the shipped catalogue and its macros."""
    global _pricing_connection
    if _pricing_connection is None:
        _pricing_connection = duckdb.connect()
        _pricing_connection.execute(sql_text("schema/usage.sql"))
        pricing.load_catalog(_pricing_connection)
    return _pricing_connection


def price_rows(*rows):
    """Price usage rows given as dicts over PRICE_DEFAULTS; returns result dicts in input order."""
    c = pricing_connection()
    c.execute("create or replace temp table pricing_input as select * from usage_schema where false")
    for i, row in enumerate(rows):
        values = {**PRICE_DEFAULTS, "request_id": f"r{i:04d}", **row}
        c.execute(f"insert into pricing_input ({', '.join(values)}) values ({', '.join(['?'] * len(values))})",
                  list(values.values()))
    relation = pricing.price(c)
    return sorted((dict(zip(relation.columns, values)) for values in relation.fetchall()), key=lambda r: r["request_id"])
