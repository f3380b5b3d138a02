"""spendlog init and spendlog nightly: the cron job, its state, its exit codes and its log line."""
import datetime as dt
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from conftest import ROOT, app_record, free_port, lock_held_elsewhere, query, smtp_server, smtp_table, write_jsonl
from pipeline import ingest as ingest_module
from pipeline.cli import cli
from pipeline.config import Settings, load_settings
from pipeline.errors import EXIT_BUSY, EXIT_CONFIG, EXIT_DATA, EXIT_INTERNAL, EXIT_MAIL
from pipeline.nightly import Night

# claude-haiku-4-5: $1 per 1M input tokens, $5 per 1M output tokens (reference/pricing.md). One request of 1M input
# and 200k output tokens costs $1 + $1 = $2.00.
DOLLARS_2 = {"input_tokens": 1_000_000, "output_tokens": 200_000}


def day_records(day: str, n: int = 1, app="chat", **tokens):
    tokens = tokens or DOLLARS_2
    return [app_record(f"req_{app}_{day}_{i}", ts=f"{day}T10:00:{i:02d}.000Z", app=app, **tokens) for i in range(n)]


@pytest.fixture
def cron_home(tmp_path):
    """A config with one [[sources]] glob over tmp/logs and a home beside it; returns (config path, home)."""
    (tmp_path / "logs").mkdir()
    config = tmp_path / "spendlog.toml"
    config.write_text(textwrap.dedent("""\
        data_dir = "home"
        [[sources]]
        path = "logs/**/*.jsonl"
    """))
    return config, tmp_path / "home"


def nightly(config, *args, env=None):
    return CliRunner().invoke(cli, ["--config", str(config), "nightly", *args], catch_exceptions=False, env=env)


def log_lines(home):
    return [json.loads(line) for line in (home / "logs" / "nightly.jsonl").read_text().splitlines()]


SUMMARY = re.compile(r"^nightly (?P<date>\S+): (?P<files>\d+) files ingested \((?P<skipped>\d+) unchanged, "
                     r"(?P<refused>\d+) refused\), (?P<rows>[\d,]+) rows loaded, (?P<rejected>[\d,]+) rejected, "
                     r"(?P<cost>[+-]\$[\d,.]+) spend, (?P<reports>\d+) reports, mail (?P<mail>[^,]+), "
                     r"(?P<alerts>\d+) alerts \((?P<sent>\d+) sent\)(?P<stale>, stale: .*)?; "
                     r"exit (?P<exit>\d+) in [\d.]+ s\n$")


def test_init_writes_a_starter_config_that_loads_with_the_defaults(tmp_path):
    result = CliRunner().invoke(cli, ["init", "conf/spendlog.toml"])
    assert (result.exit_code, result.output) == (0, "wrote conf/spendlog.toml: add a [[sources]] table, then run "
                                                    "`spendlog --config conf/spendlog.toml nightly`\n")
    settings = load_settings(str(tmp_path / "conf" / "spendlog.toml"))
    defaults = Settings(home=settings.home)
    assert settings.home == Path("~/.local/share/spendlog").expanduser().resolve()
    for name in ("timezone", "reject_threshold", "max_line_bytes", "pending_grace_minutes", "duckdb_memory_limit",
                 "sources", "attribution", "user_price_file", "budgets", "alerts", "compare", "smtp"):
        assert getattr(settings, name) == getattr(defaults, name), name


def test_init_refuses_to_overwrite():
    CliRunner().invoke(cli, ["init"])
    result = CliRunner().invoke(cli, ["init"])
    assert (result.exit_code, result.output) == (
        1, "spendlog: spendlog.toml exists; not overwriting it (move it away or name another path)\n")


def config_keys():
    """Every key the config loader knows, as `table.key` (sources and attribution keys as sources.key)."""
    from pipeline import config

    keys = set(config._TOP)
    keys |= {f"{table}.{key}" for table, schema in config._TABLES.items() for key in schema}
    keys |= {f"sources.{key}" for key in config._SOURCE_KEYS} | {f"attribution.{key}" for key in config._ATTRIBUTION_KEYS}
    return keys


def test_the_starter_config_and_the_readme_show_every_key():
    from pipeline import resource

    starter = resource("templates", "spendlog.toml").read_text()
    readme = (ROOT / "README.md").read_text()
    configuration = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    for key in sorted(config_keys()):
        name = key.rpartition(".")[2]
        pattern = re.compile(rf"^#? ?{re.escape(name)} = ", re.M)
        assert pattern.search(starter), f"{key} missing from templates/spendlog.toml"
        assert pattern.search(configuration), f"{key} missing from README's Configuration"
    for table in ("[ingest]", "[[sources]]", "[[attribution]]", "[prices]", "[budgets]", "[alerts]", "[compare]", "[smtp]"):
        assert table in starter and table in configuration, table


def test_nightly_ingests_renders_and_logs(cron_home):
    config, home = cron_home
    write_jsonl(config.parent / "logs" / "a.jsonl", day_records("2026-02-10") + day_records("2026-02-11", 2))
    result = nightly(config, "--date", "2026-02-12")
    assert result.exit_code == 0, result.output
    line = SUMMARY.match(result.output)
    assert line, result.output
    assert line.group("date", "files", "skipped", "rows", "rejected", "cost", "reports", "mail", "alerts") == (
        "2026-02-12", "1", "0", "3", "0", "+$6.00", "2", "not configured", "0")
    assert sorted(p.name for p in (home / "reports").glob("*.html")) == [
        "daily-2026-02-10.html", "daily-2026-02-11.html", "index.html"]
    [record] = log_lines(home)
    assert {k: record[k] for k in ("date", "files", "rows_loaded", "cost_added_usd", "reports_written", "exit")} == {
        "date": "2026-02-12", "files": 1, "rows_loaded": 3, "cost_added_usd": "6.00", "reports_written": 2, "exit": 0}
    assert set(record) >= {"rows_rejected", "mail", "alerts", "alerts_sent", "stale_sources", "seconds", "at"}
    assert record["warehouse_rebuilt"] is True
    assert duckdb.connect(str(home / "warehouse.duckdb"), read_only=True).execute(
        "select count(*), sum(cost_usd) from spend").fetchone() == (3, 6)


def test_a_rerun_loads_nothing_and_renders_nothing(cron_home):
    config, home = cron_home
    write_jsonl(config.parent / "logs" / "a.jsonl", day_records("2026-02-10") + day_records("2026-02-11"))
    nightly(config, "--date", "2026-02-12")
    report = home / "reports" / "daily-2026-02-10.html"
    before = report.stat().st_mtime_ns
    again = SUMMARY.match(nightly(config, "--date", "2026-02-12").output)
    assert again.group("files", "skipped", "rows", "cost", "reports") == ("0", "1", "0", "+$0.00", "0")
    assert report.stat().st_mtime_ns == before
    assert [(r["reports_written"], r["warehouse_rebuilt"]) for r in log_lines(home)] == [(2, True), (0, False)]


def test_a_night_with_nothing_new_reads_the_day_fingerprints_from_the_state(cron_home):
    # the lake's files are the same, so the day fingerprints kept in state/rendered.json are used, not the lake: a
    # fingerprint planted there re-renders its day (and the day after, which compares with it)
    config, home = cron_home
    logs = config.parent / "logs"
    write_jsonl(logs / "a.jsonl", day_records("2026-02-10") + day_records("2026-02-11") + day_records("2026-02-12"))
    nightly(config, "--date", "2026-02-13")
    state_path = home / "state" / "rendered.json"
    state = json.loads(state_path.read_text())
    assert sorted(state["day_fingerprints"]["days"]) == ["2026-02-10", "2026-02-11", "2026-02-12"]
    state["day_fingerprints"]["days"]["2026-02-11"] = "planted"
    state_path.write_text(json.dumps(state))
    assert SUMMARY.match(nightly(config, "--date", "2026-02-13").output).group("reports") == "2"
    # a new file changes the lake's files: the fingerprints are the lake's again, the planted one gone
    write_jsonl(logs / "b.jsonl", day_records("2026-02-12", app="late"))
    assert SUMMARY.match(nightly(config, "--date", "2026-02-13").output).group("reports") == "2"
    assert "planted" not in state_path.read_text()


def test_new_rows_rerender_their_day_and_the_day_after(cron_home):
    config, home = cron_home
    logs = config.parent / "logs"
    write_jsonl(logs / "a.jsonl", day_records("2026-02-10") + day_records("2026-02-11") + day_records("2026-02-12"))
    nightly(config, "--date", "2026-02-13")
    write_jsonl(logs / "late.jsonl", day_records("2026-02-10", app="late"))
    result = nightly(config, "--date", "2026-02-13")
    assert SUMMARY.match(result.output).group("rows", "cost", "reports") == ("1", "+$2.00", "2")
    rendered = json.loads((home / "state" / "rendered.json").read_text())["reports"]
    assert set(rendered) == {"daily-2026-02-10", "daily-2026-02-11", "daily-2026-02-12"}
    newest = max((home / "reports").glob("daily-*.html"), key=lambda p: p.stat().st_mtime_ns)
    assert newest.name in ("daily-2026-02-10.html", "daily-2026-02-11.html")
    assert "late" in (home / "reports" / "daily-2026-02-10.md").read_text()


def test_a_month_is_rendered_once_it_has_ended_and_a_day_without_data_gets_no_report(cron_home):
    config, home = cron_home
    write_jsonl(config.parent / "logs" / "a.jsonl", day_records("2026-02-27") + day_records("2026-02-28"))
    nightly(config, "--date", "2026-02-28")
    assert not (home / "reports" / "monthly-2026-02.html").exists()
    result = nightly(config, "--date", "2026-03-02")
    assert SUMMARY.match(result.output).group("reports") == "2"  # daily 02-28 and February; 03-01 had no data
    assert (home / "reports" / "monthly-2026-02.html").exists()
    assert not (home / "reports" / "daily-2026-03-01.html").exists()


def test_a_period_report_already_rendered_is_rerendered_when_its_rows_change(cron_home):
    config, home = cron_home
    logs = config.parent / "logs"
    write_jsonl(logs / "a.jsonl", day_records("2026-02-10"))
    CliRunner().invoke(cli, ["--config", str(config), "report", "period", "--from", "2026-02-01", "--to", "2026-02-20"])
    nightly(config, "--date", "2026-02-21")
    write_jsonl(logs / "b.jsonl", day_records("2026-02-15", app="other"))
    nightly(config, "--date", "2026-02-21")
    assert "other" in (home / "reports" / "period-2026-02-01_2026-02-20.md").read_text()


def test_dry_run_writes_nothing(cron_home):
    config, home = cron_home
    write_jsonl(config.parent / "logs" / "a.jsonl", day_records("2026-02-10"))
    result = nightly(config, "--date", "2026-02-12", "--dry-run")
    assert (result.exit_code, result.output) == (0, (
        "dry run nightly 2026-02-12: would ingest 1 files (0 unchanged), render 0 reports, mail not due, 0 alerts; "
        "exit 0\n"))
    assert not (home / "lake").exists() or not list((home / "lake").rglob("*.parquet"))
    assert not (home / "logs" / "nightly.jsonl").exists()


def test_one_poison_file_does_not_abort_the_night(cron_home, monkeypatch):
    config, home = cron_home
    logs = config.parent / "logs"
    write_jsonl(logs / "good.jsonl", day_records("2026-02-10"))
    write_jsonl(logs / "poison.jsonl", day_records("2026-02-10", app="poison"))
    lines = ingest_module.READERS["lines"]

    def reader(path, *args):
        if path.name == "poison.jsonl":
            raise duckdb.ConversionException("Conversion Error: cannot read this")
        return lines(path, *args)

    monkeypatch.setitem(ingest_module.READERS, "lines", reader)
    result = nightly(config, "--date", "2026-02-11")
    assert result.exit_code == EXIT_DATA
    assert SUMMARY.match(result.stdout).group("files", "refused", "rows", "reports") == ("1", "1", "1", "1")
    assert (f"spendlog: refused {logs / 'poison.jsonl'}: unreadable: Conversion Error: cannot read this: check that "
            "the file is still there and readable by spendlog; it is read again on the next run\n") in result.stderr
    monkeypatch.setitem(ingest_module.READERS, "lines", lines)
    retry = nightly(config, "--date", "2026-02-11")  # the refused file is not in the manifest: read again
    assert retry.exit_code == 0
    assert SUMMARY.match(retry.stdout).group("files", "skipped", "rows") == ("1", "1", "1")


def test_a_stale_source_exits_65_and_is_flagged(cron_home):
    config, home = cron_home
    path = write_jsonl(config.parent / "logs" / "a.jsonl", day_records("2026-02-10"))
    written = dt.datetime(2026, 2, 11, tzinfo=dt.timezone.utc).timestamp()
    os.utime(path, (written, written))
    fresh = nightly(config, "--date", "2026-02-12", env={"SPENDLOG_NOW": "2026-02-12T11:59:00Z"})  # 35 h 59 min
    assert fresh.exit_code == 0
    stale = nightly(config, "--date", "2026-02-12", env={"SPENDLOG_NOW": "2026-02-12T12:01:00Z"})  # 36 h 1 min
    assert stale.exit_code == EXIT_DATA
    assert SUMMARY.match(stale.stdout).group("stale", "alerts") == (", stale: logs/**/*.jsonl", "1")
    assert "spendlog: stale sources: logs/**/*.jsonl\n" in stale.stderr
    assert log_lines(home)[-1]["alerts"] == ["stale logs/**/*.jsonl"]


def test_a_source_matching_no_file_is_stale(cron_home):
    config, _ = cron_home
    result = nightly(config, "--date", "2026-02-12")
    assert result.exit_code == EXIT_DATA
    assert "stale: logs/**/*.jsonl" in result.stdout


def test_a_bad_config_exits_78(cron_home):
    config, _ = cron_home
    config.write_text(config.read_text() + "\n[alerts]\nspike_ration = 2\n")
    result = nightly(config)
    assert (result.exit_code, result.output) == (EXIT_CONFIG, "spendlog: config: unknown key alerts.spike_ration\n")


def test_an_internal_error_in_one_step_exits_70_and_the_night_goes_on(cron_home, monkeypatch):
    config, home = cron_home
    write_jsonl(config.parent / "logs" / "a.jsonl", day_records("2026-02-10"))

    def broken(*args, **kwargs):
        raise RuntimeError("template exploded")

    monkeypatch.setattr("pipeline.nightly.render_all", broken)
    result = nightly(config, "--date", "2026-02-11")
    assert result.exit_code == EXIT_INTERNAL
    assert "spendlog: reports: internal error: RuntimeError: template exploded\n" in result.stderr
    assert query(load_settings(str(config)), "select count(*) from spend") == [(1,)]
    assert log_lines(home)[-1]["exit"] == EXIT_INTERNAL


@pytest.mark.parametrize("codes, expected", [
    ({EXIT_DATA, EXIT_MAIL}, EXIT_MAIL),
    ({EXIT_DATA, EXIT_INTERNAL, EXIT_MAIL}, EXIT_INTERNAL),
    ({EXIT_BUSY, EXIT_INTERNAL}, EXIT_BUSY),
    ({EXIT_CONFIG, EXIT_BUSY, EXIT_DATA}, EXIT_CONFIG),
    ({EXIT_DATA}, EXIT_DATA),
    (set(), 0),
])
def test_exit_code_precedence(codes, expected):
    night = Night(dt.date(2026, 2, 1))
    night.codes = codes
    assert night.exit_code == expected


def test_a_run_while_another_holds_the_lock_exits_75_and_loses_nothing(cron_home):
    config, home = cron_home
    write_jsonl(config.parent / "logs" / "a.jsonl", day_records("2026-02-10", 3))
    with lock_held_elsewhere(home):
        busy = nightly(config, "--date", "2026-02-11")
    assert busy.exit_code == EXIT_BUSY
    assert f"spendlog: another spendlog run holds {home / 'state' / 'lock'}\n" in busy.stderr
    assert log_lines(home)[-1]["exit"] == EXIT_BUSY
    after = nightly(config, "--date", "2026-02-11")
    assert SUMMARY.match(after.stdout).group("files", "rows", "exit") == ("1", "3", "0")


def test_two_concurrent_nightly_runs(cron_home):
    """Started together: each exits 0 or 75, and the home ends as one clean run leaves it."""
    config, home = cron_home
    for i in range(20):
        write_jsonl(config.parent / "logs" / f"f{i}.jsonl", day_records(f"2026-02-{i + 1:02d}", 5))
    command = [sys.executable, "-m", "pipeline", "--config", str(config), "nightly", "--date", "2026-02-22"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    codes = sorted(run.wait(timeout=120) for run in runs)
    assert codes in ([0, 0], [0, EXIT_BUSY]), [run.stderr.read() for run in runs]
    assert query(load_settings(str(config)), "select count(*), sum(cost_usd) from spend")[0] == (100, 200)
    assert len(log_lines(home)) == 2


def readme_block(heading: str, language: str) -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split(heading, 1)[1]
    return section.split(f"```{language}\n", 1)[1].split("```", 1)[0]


def test_the_readme_crontab_line_parses():
    line = next(l for l in readme_block("### Running it nightly", "crontab").splitlines() if l and not l.startswith("#"))
    fields = line.split(None, 5)
    minute, hour, dom, month, dow, command = fields
    assert minute.isdigit() and 0 <= int(minute) < 60 and hour.isdigit() and 0 <= int(hour) < 24
    assert (dom, month, dow) == ("*", "*", "*")
    assert re.match(r"^(\S+/)?spendlog --config \S+ nightly\b", command), command
    assert ">>" not in command or "2>&1" in command


def test_the_readme_systemd_units_parse():
    import configparser

    units = {}
    for name in ("spendlog-nightly.service", "spendlog-nightly.timer"):
        parser = configparser.ConfigParser(interpolation=None, strict=True)
        parser.optionxform = str
        parser.read_string(readme_block(f"{name}`", "ini"))
        units[name] = parser
    service, timer = units["spendlog-nightly.service"], units["spendlog-nightly.timer"]
    assert service["Service"]["Type"] == "oneshot"
    assert re.search(r"spendlog --config \S+ nightly$", service["Service"]["ExecStart"])
    assert "SuccessExitStatus" not in service["Service"] or "75" in service["Service"]["SuccessExitStatus"]
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d(:\d\d)?", timer["Timer"]["OnCalendar"])
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_last_months_mail_is_sent_once_and_a_failed_send_is_tried_again(cron_home):
    config, home = cron_home
    write_jsonl(config.parent / "logs" / "a.jsonl", day_records("2026-02-10") + day_records("2026-02-11", 2))
    port = free_port()
    config.write_text(config.read_text() + smtp_table(port, monthly_send_day=2))
    assert SUMMARY.match(nightly(config, "--date", "2026-03-01").stdout).group("mail") == "not due"
    down = nightly(config, "--date", "2026-03-02")
    assert down.exit_code == EXIT_MAIL
    assert SUMMARY.match(down.stdout).group("mail") == "failed for 2026-02"
    assert f"spendlog: mail: cannot send mail through 127.0.0.1:{port}: [Errno 111] Connection refused\n" in down.stderr
    assert not (home / "state" / "sent.json").exists()
    with smtp_server(port) as (inbox, _):
        up = nightly(config, "--date", "2026-03-02")
        again = nightly(config, "--date", "2026-03-03")
    assert (up.exit_code, SUMMARY.match(up.stdout).group("mail")) == (0, "sent for 2026-02")
    assert SUMMARY.match(again.stdout).group("mail") == "already sent for 2026-02"
    [received] = inbox.received
    assert received.rcpt_tos == ["finance@example.com"]
    assert received.message["Subject"] == "spendlog: February 2026 spend $6.00 (no data for January)"
    assert list(json.loads((home / "state" / "sent.json").read_text())) == ["2026-02"]
    assert [r["mail"] for r in log_lines(home)] == [
        "not due", "failed for 2026-02", "sent for 2026-02", "already sent for 2026-02"]
    empty_month = nightly(config, "--date", "2026-04-02")  # March has no data: not mailed as a $0 month
    assert SUMMARY.match(empty_month.stdout).group("mail") == "not sent: no data for 2026-03"


def test_rejects_over_the_threshold_exit_65_and_the_good_rows_load(cron_home):
    config, _ = cron_home
    path = write_jsonl(config.parent / "logs" / "a.jsonl", day_records("2026-02-10") + ["{not json"])
    result = nightly(config, "--date", "2026-02-11")
    assert result.exit_code == EXIT_DATA
    assert SUMMARY.match(result.stdout).group("rows", "rejected") == ("1", "1")
    assert f"spendlog: {path}: 1 of 2 records rejected\n" in result.stderr


def test_a_month_is_rendered_again_when_later_data_turns_its_no_data_days_into_zero_days(cron_home):
    config, home = cron_home
    logs = config.parent / "logs"
    write_jsonl(logs / "a.jsonl", day_records("2026-02-25") + day_records("2026-02-26"))
    nightly(config, "--date", "2026-03-01")
    february = home / "reports" / "monthly-2026-02.md"
    assert "| Daily average | $2.00 | over 2 days with data" in february.read_text()  # $4 over 25–26 Feb
    write_jsonl(logs / "b.jsonl", day_records("2026-03-02"))  # 27 and 28 Feb were quiet days, not missing ones
    result = nightly(config, "--date", "2026-03-03")
    assert SUMMARY.match(result.output).group("reports") == "2"  # daily 03-02 and February
    assert "| Daily average | $1.00 | over 4 days with data" in february.read_text()  # $4 over 25–28 Feb
