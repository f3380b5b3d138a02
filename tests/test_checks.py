import json
import os
import shutil

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from pipeline.checks import CheckFailure, check_names, run_check, run_checks
from pipeline.checks import description as run_description
from pipeline.cli import cli
from pipeline.config import load_settings
from pipeline.views import open_views
from pipeline.ingest import ingest

CONFIG = FIXTURES / "spendlog.toml"


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo") / "home"
    old = os.environ.pop("SPENDLOG_NOW", None)
    os.environ["SPENDLOG_NOW"] = "2026-03-07T06:00:00Z"
    try:
        result = CliRunner().invoke(cli, ["--home", str(home), "demo"], catch_exceptions=False)
    finally:
        del os.environ["SPENDLOG_NOW"]
        if old is not None:
            os.environ["SPENDLOG_NOW"] = old
    assert result.exit_code == 0, result.stderr
    return home


@pytest.fixture(scope="module")
def formats_home(tmp_path_factory):
    """A home holding an ingest of every format fixture."""
    home = tmp_path_factory.mktemp("formats") / "home"
    summary = ingest(load_settings(str(CONFIG), str(home)), [str(FIXTURES)]).as_dict()
    assert not summary["file_errors"] and summary["rows_rejected"] == 0
    return home


@pytest.fixture
def con(formats_home):
    connection = open_views(load_settings(str(CONFIG), str(formats_home)))
    yield connection
    connection.close()


def tamper(con, view, query):
    """Bind a view's name to the rows of a query, which may read the view as it was."""
    con.execute(f"create temp table tampered_{view} as {query}")
    con.execute(f"create or replace temp view {view} as select * from tampered_{view}")


def first_row(con, view, where="true"):
    return con.execute(f"select source_file, source_line from {view} where {where} "
                       f"order by source_file, source_line limit 1").fetchall()[0]


def test_the_checks():
    assert check_names() == [
        "accounting_balances", "billable_with_tokens_is_priced_or_flagged", "canonical_rows_are_complete",
        "costs_are_decimal_and_nonnegative", "in_totals_rows_have_a_day", "one_usage_row_per_dedupe_key",
        "reject_reason_in_vocabulary", "row_fingerprint_matches_row", "usage_rows_match_accounting",
    ]


def test_every_check_passes_on_the_demo(demo_home):
    con = open_views(load_settings(None, str(demo_home)))
    assert run_checks(con) == []
    assert con.execute("select count(*) from usage").fetchall() == [(5080,)]


def test_every_check_passes_on_every_format(con):
    assert run_checks(con) == []
    formats = con.execute("select count(distinct source_format) from usage").fetchall()[0][0]
    assert formats == con.execute("select count(distinct format) from ingested_files where rows_loaded > 0").fetchall()[0][0]
    assert formats >= 21


def test_reject_reason_in_vocabulary(con):
    tamper(con, "rejects", "select * from rejects union all by name "
                           "select 'logs/a.jsonl' as source_file, 7 as source_line, 'app_log' as source_format, "
                           "'looked_odd' as reason")
    assert run_checks(con) == [CheckFailure(
        "reject_reason_in_vocabulary", "Every reject's reason is one of DESIGN.md §4's fixed vocabulary.",
        ({"source_file": "logs/a.jsonl", "source_line": 7, "source_format": "app_log", "reason": "looked_odd"},))]


def test_one_usage_row_per_dedupe_key(con):
    file, line = first_row(con, "usage_files")
    key = con.execute(f"select dedupe_key from usage_files where source_file = '{file}' and source_line = {line}").fetchall()[0][0]
    tamper(con, "usage_files", f"select * from usage_files union all "
                               f"select * from usage_files where source_file = '{file}' and source_line = {line}")
    failure = run_check(con, "one_usage_row_per_dedupe_key")
    assert failure.rows == ({"dedupe_key": key, "rows": 2, "locations": [f"{file}:{line}", f"{file}:{line}"]},)
    assert failure.description.startswith("The lake holds at most one usage row per dedupe key")


def test_accounting_balances(formats_home, tmp_path):
    home = tmp_path / "copy"
    shutil.copytree(formats_home, home)
    manifest_path = home / "state" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    path = sorted(manifest["sources"])[0]
    entry = manifest["sources"][path]
    entry["duplicates"] += 1
    manifest_path.write_text(json.dumps(manifest))
    con = open_views(load_settings(str(CONFIG), str(home)))
    assert run_checks(con) == [CheckFailure(
        "accounting_balances",
        "Every ingested file's records read = loaded + replaced + duplicates + rejected + ignored (DESIGN.md §4, §7).",
        ({"path": path, "records_read": entry["records_read"], "rows_loaded": entry["rows_loaded"],
          "rows_replaced": entry["rows_replaced"], "duplicates": entry["duplicates"],
          "rows_rejected": entry["rows_rejected"], "ignored": sum(entry["ignored"].values()), "unaccounted": -1},))]


def test_usage_rows_match_accounting(con):
    file, line = first_row(con, "usage_files")
    loaded, replaced = con.execute(
        f"select rows_loaded, rows_replaced from ingested_files where path = '{file}'").fetchall()[0]
    tamper(con, "usage_files", f"select * from usage_files where (source_file, source_line) <> ('{file}', {line})")
    assert run_checks(con) == [CheckFailure(
        "usage_rows_match_accounting",
        "Every ingested file has as many usage rows in the lake as its accounting says it loaded or replaced.",
        ({"path": file, "rows_loaded": loaded, "rows_replaced": replaced, "usage_rows": loaded + replaced - 1},))]


def test_billable_with_tokens_is_priced_or_flagged(con):
    file, line = first_row(con, "priced_usage", "billable and output_tokens > 0 and cost_usd is not null")
    tamper(con, "priced_usage", f"select * replace (case when (source_file, source_line) = ('{file}', {line}) "
                                f"then null else cost_usd end as cost_usd) from priced_usage")
    failure = run_check(con, "billable_with_tokens_is_priced_or_flagged")
    assert [(row["source_file"], row["source_line"]) for row in failure.rows] == [(file, line)]
    assert [f.name for f in run_checks(con)] == ["billable_with_tokens_is_priced_or_flagged"]


def test_a_flagged_row_needs_no_cost(con):
    file, line = first_row(con, "priced_usage", "billable and output_tokens > 0 and cost_usd is not null")
    tamper(con, "priced_usage", f"select * replace (case when (source_file, source_line) = ('{file}', {line}) "
                                f"then null else cost_usd end as cost_usd, "
                                f"case when (source_file, source_line) = ('{file}', {line}) "
                                f"then ['no_rate:output'] else price_flags end as price_flags) from priced_usage")
    assert run_check(con, "billable_with_tokens_is_priced_or_flagged") is None


def test_in_totals_rows_have_a_day(con):
    file, line = first_row(con, "spend")
    tamper(con, "priced_usage", f"select * replace (case when (source_file, source_line) = ('{file}', {line}) "
                                f"then null else day end as day) from priced_usage")
    failure = run_check(con, "in_totals_rows_have_a_day")
    assert [(row["source_file"], row["source_line"], row["day"]) for row in failure.rows] == [(file, line, None)]
    assert [f.name for f in run_checks(con)] == ["in_totals_rows_have_a_day"]


def test_costs_are_decimal(con):
    tamper(con, "priced_usage", "select * replace (cost_usd::double as cost_usd) from priced_usage")
    failure = run_check(con, "costs_are_decimal_and_nonnegative")
    assert failure.rows == ({"problem": "wrong type", "column_name": "cost_usd", "column_type": "DOUBLE",
                             "source_file": None, "source_line": None, "amount": None},)


def test_costs_are_nonnegative(con):
    file, line = first_row(con, "priced_usage", "output_cost_usd > 0")
    tamper(con, "priced_usage", f"select * replace (case when (source_file, source_line) = ('{file}', {line}) "
                                f"then -output_cost_usd else output_cost_usd end as output_cost_usd) from priced_usage")
    failure = run_check(con, "costs_are_decimal_and_nonnegative")
    assert [(r["problem"], r["column_name"], r["source_file"], r["source_line"]) for r in failure.rows] == [
        ("negative", "output_cost_usd", file, line)]
    assert failure.rows[0]["amount"] < 0


def test_row_fingerprint_matches_row(con):
    file, line = first_row(con, "usage_files")
    stored = con.execute(f"select row_fingerprint from usage_files where source_file = '{file}' "
                         f"and source_line = {line}").fetchall()[0][0]
    tamper(con, "usage_files", f"select * replace (case when (source_file, source_line) = ('{file}', {line}) "
                               f"then 'another-model' else model end as model) from usage_files")
    failure = run_check(con, "row_fingerprint_matches_row")
    assert [(r["source_file"], r["source_line"], r["row_fingerprint"]) for r in failure.rows] == [(file, line, stored)]
    assert failure.rows[0]["expected"] != stored
    assert [f.name for f in run_checks(con)] == ["row_fingerprint_matches_row"]


@pytest.mark.parametrize("change", ["null as ts", "'minute' as grain", "ts as bucket_end, 'bucket' as grain"])
def test_canonical_rows_are_complete(con, change):
    file, line = first_row(con, "usage_files", "grain = 'request'")
    column = change.rsplit(" as ", 1)[1]
    replaced = ", ".join(
        f"case when (source_file, source_line) = ('{file}', {line}) then {part.split(' as ')[0]} "
        f"else {part.split(' as ')[1]} end as {part.split(' as ')[1]}" for part in change.split(", "))
    tamper(con, "usage_files", f"select * replace ({replaced}) from usage_files")
    failure = run_check(con, "canonical_rows_are_complete")
    assert [(r["source_file"], r["source_line"]) for r in failure.rows] == [(file, line)], column


def test_doctor_says_ok_for_every_check_on_a_healthy_home(formats_home):
    result = CliRunner().invoke(cli, ["--config", str(CONFIG), "--home", str(formats_home), "doctor"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [f"ok    {name}: {run_description(name)}" for name in check_names()]


def test_doctor_names_the_failing_check_and_its_rows_and_exits_1(formats_home, tmp_path):
    home = tmp_path / "copy"
    shutil.copytree(formats_home, home)
    manifest_path = home / "state" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    path = sorted(manifest["sources"])[0]
    manifest["sources"][path]["rows_loaded"] += 2
    manifest_path.write_text(json.dumps(manifest))
    result = CliRunner().invoke(cli, ["--config", str(CONFIG), "--home", str(home), "doctor"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    failing = [line for line in lines if line.startswith("FAIL")]
    assert failing == [f"FAIL  accounting_balances: {run_description('accounting_balances')}",
                       f"FAIL  usage_rows_match_accounting: {run_description('usage_rows_match_accounting')}"]
    assert lines[lines.index(failing[0]) + 1].startswith(f"        path {path}, records_read ")
    assert result.stderr == "spendlog: doctor: 2 checks failed\n"
