"""A full disk during staging, DuckDB's spill or the manifest write commits nothing: the previous snapshot stays
intact, the run exits 74 with one line, and the next run, with space again, loads what was left."""
import errno
import json

import duckdb
import pytest
from click.testing import CliRunner

from conftest import app_record, assert_accounting, query, write_jsonl
from pipeline.cli import cli
from pipeline.config import load_settings

ENOSPC_DUCKDB = 'IO Error: Could not write file "x.parquet": No space left on device'


def fail_staging(monkeypatch):
    def full(*_args, **_kwargs):
        raise duckdb.IOException(ENOSPC_DUCKDB)
    monkeypatch.setattr("pipeline.ingest.write_partitioned", full)


def fail_spill(monkeypatch):
    def full(*_args, **_kwargs):
        raise duckdb.IOException("IO Error: Could not write to temporary file: No space left on device")
    monkeypatch.setattr("pipeline.ingest.normalize_files", full)


def fail_manifest(monkeypatch):
    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr("pipeline.lake.write_json", full)


@pytest.mark.parametrize("fault", [fail_staging, fail_spill, fail_manifest])
def test_a_full_disk_commits_nothing_and_says_so_in_one_line(tmp_path, monkeypatch, fault):
    home = tmp_path / "home"
    first = write_jsonl(tmp_path / "a.jsonl", [app_record("req_1"), app_record("req_2")])
    second = write_jsonl(tmp_path / "b.jsonl", [app_record("req_3")])
    runner = CliRunner()
    assert runner.invoke(cli, ["--home", str(home), "ingest", str(first)]).exit_code == 0
    settings = load_settings(None, str(home))
    before = query(settings, "select request_id from usage order by 1")
    manifest = (home / "state" / "manifest.json").read_text()

    with monkeypatch.context() as patch:
        fault(patch)
        result = runner.invoke(cli, ["--home", str(home), "ingest", str(second)])
    assert result.exit_code == 74, result.output
    assert result.stderr == ("spendlog: disk: no space left on the device; nothing was committed, the home is as the "
                             "last run left it: free some space and run again\n")
    assert (home / "state" / "manifest.json").read_text() == manifest
    assert query(settings, "select request_id from usage order by 1") == before == [("req_1",), ("req_2",)]

    result = runner.invoke(cli, ["--home", str(home), "ingest", str(second), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows_loaded"] == 1
    assert query(settings, "select count(*) from usage") == [(3,)]
    assert_accounting(settings)
    assert not any((home / "lake" / ".staging").rglob("*.parquet"))  # the failed run's staged files are collected


def test_nightly_on_a_full_disk_exits_74_and_the_next_night_catches_up(tmp_path, monkeypatch):
    write_jsonl(tmp_path / "logs" / "a.jsonl", [app_record("req_1", ts="2026-02-10T10:00:00Z")])
    config = tmp_path / "spendlog.toml"
    config.write_text('data_dir = "home"\n[[sources]]\npath = "logs/*.jsonl"\n')
    runner = CliRunner()

    def night():
        return runner.invoke(cli, ["--config", str(config), "nightly"], env={"SPENDLOG_NOW": "2026-02-12T06:00:00Z"})

    with monkeypatch.context() as patch:
        fail_staging(patch)
        result = night()
    assert result.exit_code == 74, result.output
    assert "ingest: disk: no space left on the device" in result.output
    assert night().exit_code == 0
    assert query(load_settings(str(config)), "select request_id from usage") == [("req_1",)]
