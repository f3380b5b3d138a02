import datetime as dt

import pytest

from pipeline.config import load_settings
from pipeline.errors import ConfigError


@pytest.mark.parametrize("text, message", [
    ("colour = 'blue'\n", "unknown key colour"),
    ("[ingest]\nmax_line_bytes = 'big'\n", "ingest.max_line_bytes must be an integer, not 'big'"),
    ("[ingest]\nreject_treshold = 0.1\n", "unknown key ingest.reject_treshold"),
    ("[[sources]]\nformat = 'auto'\n", "sources[0] needs a path"),
    ("[[sources]]\npath = 'x'\nrole = 'backup'\n", "sources.role must be one of primary, mirror, not 'backup'"),
    ("[[attribution]]\napp = 'x'\n", "attribution[0] needs one of api_key, workspace, project, path"),
    ("[smtp]\nhost = 'mail'\npassword = 'hunter2'\n", "passwords are not read from the config file"),
    ("[prices]\nuser_file = 'nope.csv'\n", "prices.user_file: file not found"),
    ("timezone = 'Mars/Olympus'\n", "timezone: unknown time zone 'Mars/Olympus'"),
    ("[budgets]\ntotal = 'lots'\n", "budgets.total must be a number"),
    ("this is not toml\n", "not valid TOML"),
])
def test_a_bad_config_exits_78_with_one_line(tmp_path, run, text, message):
    config = tmp_path / "bad.toml"
    config.write_text(text)
    result = run("sql", "select 1", config=config)
    assert result.exit_code == 78
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("spendlog: config: ")
    assert result.stdout == ""


def test_a_missing_config_file_exits_78(run, tmp_path):
    result = run("sql", "select 1", config=tmp_path / "missing.toml")
    assert result.exit_code == 78
    assert result.stderr == f"spendlog: config: config file not found: {tmp_path / 'missing.toml'}\n"


def test_discovery_order_and_home(tmp_path, monkeypatch):
    (tmp_path / "spendlog.toml").write_text("timezone = 'Europe/Paris'\ndata_dir = 'data'\n")
    settings = load_settings()
    assert settings.timezone == "Europe/Paris" and settings.home == (tmp_path / "data").resolve()
    other = tmp_path / "other.toml"
    other.write_text("timezone = 'Asia/Tokyo'\n")
    monkeypatch.setenv("SPENDLOG_CONFIG", str(other))
    assert load_settings().timezone == "Asia/Tokyo"
    monkeypatch.setenv("SPENDLOG_HOME", str(tmp_path / "env-home"))
    assert load_settings().home == tmp_path / "env-home"
    assert load_settings(home=str(tmp_path / "flag-home")).home == tmp_path / "flag-home"


def test_sources_are_resolved_against_the_config_folder(tmp_path):
    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / "spendlog.toml").write_text(
        "[[sources]]\npath = 'logs/*.jsonl'\napp = 'bot'\nrole = 'mirror'\n"
        "[[attribution]]\napp = 'review'\napi_key = 'review-*'\n")
    settings = load_settings(str(folder / "spendlog.toml"), str(tmp_path / "h"))
    assert settings.sources[0].path == str(folder.resolve() / "logs/*.jsonl")
    assert (settings.sources[0].app, settings.sources[0].role, settings.sources[0].billing) == ("bot", "mirror", "api")
    assert settings.attribution[0].api_key == "review-*"


def test_spendlog_now_freezes_the_clock(monkeypatch):
    monkeypatch.setenv("SPENDLOG_NOW", "2026-03-02T06:00:00+01:00")
    assert load_settings(home="h").now() == dt.datetime(2026, 3, 2, 5, 0, tzinfo=dt.timezone.utc)
    monkeypatch.setenv("SPENDLOG_NOW", "yesterday")
    with pytest.raises(ConfigError, match="SPENDLOG_NOW"):
        load_settings(home="h")


@pytest.mark.parametrize("table, expected", [
    ("[alerts]\nspike_ratio = 0", "alerts.spike_ratio must be more than 0, not 0"),
    ("[alerts]\nspike_floor_usd = -1", "alerts.spike_floor_usd must not be negative, not -1"),
    ("[alerts]\nwebhook_url = \"hooks.slack.com/x\"", "alerts.webhook_url must be an http:// or https:// URL, not 'hooks.slack.com/x'"),
    ("[smtp]\nto = [\"finance\"]", "smtp.to must be a list of mail addresses, not ['finance']"),
    ("[smtp]\nmonthly_send_day = 31", "smtp.monthly_send_day must be 1 to 28, not 31"),
    ("[smtp]\nsecurity = \"tls\"", "smtp.security must be one of starttls, ssl, none, not 'tls'"),
    ("[findings]\nbatch_candidates = [1]", "findings.batch_candidates must be a list of app names, not [1]"),
    ("[findings]\nlong_context_margin = 1", "findings.long_context_margin must be from 0 to under 1, not 1"),
])
def test_alerts_smtp_and_findings_are_checked(tmp_path, table, expected):
    config = tmp_path / "spendlog.toml"
    config.write_text(table + "\n")
    with pytest.raises(ConfigError) as raised:
        load_settings(str(config))
    assert str(raised.value) == expected


def test_the_user_config_is_found_last(tmp_path):
    user_config = tmp_path / "user-home" / ".config" / "spendlog" / "spendlog.toml"
    user_config.parent.mkdir(parents=True)
    user_config.write_text('timezone = "Europe/Paris"\n')
    assert load_settings().timezone == "Europe/Paris"
    (tmp_path / "spendlog.toml").write_text('timezone = "Asia/Tokyo"\n')  # ./spendlog.toml comes first
    assert load_settings().timezone == "Asia/Tokyo"
