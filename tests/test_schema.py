"""A home written by the previous release (tests/data/lake-0.2.0, manifest version 1) is read, priced and reported
by this one; the manifest is migrated in memory when read and written as version 2 by the next write, under the
lock; a home from a newer spendlog is refused."""
import json
import shutil

import duckdb
from decimal import Decimal

from click.testing import CliRunner

from conftest import ROOT, app_record, write_jsonl
from pipeline.cli import cli
from pipeline.lake import MANIFEST_VERSION

OLD_HOME = ROOT / "tests" / "data" / "lake-0.2.0"


def old_home(tmp_path):
    """The 0.2.0 home and its input files copied under tmp_path, the home's recorded paths (`@inputs@/…` in the
    fixture) pointed at the copied inputs, as 0.2.0 wrote them for inputs there."""
    home, inputs = tmp_path / "home", tmp_path / "inputs"
    shutil.copytree(OLD_HOME, home, ignore=shutil.ignore_patterns("README.md", "inputs"))
    shutil.copytree(OLD_HOME / "inputs", inputs)
    manifest = home / "state" / "manifest.json"
    manifest.write_text(manifest.read_text().replace("@inputs@", str(inputs)))
    con = duckdb.connect()
    for path in (home / "lake").rglob("*.parquet"):
        con.execute(f"create or replace table t as select * replace (replace(source_file, '@inputs@', "
                    f"'{inputs}') as source_file) from read_parquet('{path}', hive_partitioning = false)")
        con.execute(f"copy t to '{path}' (format parquet, compression zstd)")
    return home


def run(home, *args):
    return CliRunner().invoke(cli, ["--home", str(home), *args], env={"SPENDLOG_NOW": "2026-04-02T06:00:00Z"})


def test_the_previous_releases_home_is_read_priced_and_reported(tmp_path):
    home = old_home(tmp_path)
    result = run(home, "sql", "select count(*), sum(cost_usd) from priced_usage", "--format", "csv")
    assert result.exit_code == 0, result.output
    # the 10 rows 0.2.0 loaded, priced again by this release (its pricing SQL changed, so the stale priced table is
    # rebuilt, a write under the lock, which also writes the manifest migrated) to what 0.2.0 priced them: $0.7316667
    assert result.output.splitlines()[1] == "10,0.731666700000"
    manifest = json.loads((home / "state" / "manifest.json").read_text())
    assert manifest["version"] == MANIFEST_VERSION == 2 and manifest["priced_stamp"] != "3e56dfa441e0721f"
    result = run(home, "sql", "select status, count(*) from ingested_files group by all", "--format", "csv")
    assert result.output.splitlines()[1:] == ["loaded,4"]
    result = run(home, "sql", "select source_line, reason from rejects", "--format", "csv")
    assert result.output.splitlines()[1:] == ["5,invalid_json"]  # its detail as 0.2.0 stored it: none
    assert run(home, "report", "monthly", "--month", "2026-03").exit_code == 0
    assert "| Total spend | $0.73 |" in (home / "reports" / "monthly-2026-03.md").read_text()
    # its input files, read again by this release, are the ones it already holds: nothing new, nothing lost
    result = run(home, "ingest", str(tmp_path / "inputs"), "--json")
    assert result.exit_code == 0, result.output
    again = json.loads(result.stdout)
    assert (again["files_skipped"], again["rows_loaded"], again["rows_rejected"]) == (4, 0, 0)
    result = run(home, "sql", "select count(*), sum(cost_usd) from priced_usage", "--format", "csv")
    assert result.output.splitlines()[1] == "10,0.731666700000"


def test_an_ingest_migrates_the_manifest_and_keeps_the_rows(tmp_path):
    home = old_home(tmp_path)
    new = write_jsonl(tmp_path / "new.jsonl", [app_record("req_new", ts="2026-03-21T10:00:00Z")])
    assert run(home, "ingest", str(new)).exit_code == 0
    manifest = json.loads((home / "state" / "manifest.json").read_text())
    assert manifest["version"] == MANIFEST_VERSION == 2
    assert {entry["status"] for entry in manifest["sources"].values()} == {"loaded"}
    result = run(home, "sql", "select count(*) from usage", "--format", "csv")
    assert result.output.splitlines()[1] == "11"


def test_a_home_from_a_newer_spendlog_is_refused_with_one_line(tmp_path):
    home = old_home(tmp_path)
    path = home / "state" / "manifest.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "version": MANIFEST_VERSION + 1}))
    result = run(home, "sql", "select 1")
    assert result.exit_code == 78
    assert result.stderr == (f"spendlog: home: {path} has manifest version {MANIFEST_VERSION + 1}, newer than this "
                             f"spendlog reads ({MANIFEST_VERSION}): upgrade spendlog\n")
