import json
from decimal import Decimal

import duckdb
import pytest
from click.testing import CliRunner

from conftest import FIXTURES, ROOT, app_record, lock_held_elsewhere, write_jsonl
from pipeline.cli import cli


def all_commands(group=cli, prefix=()):
    for name, command in group.commands.items():
        path = prefix + (name,)
        if hasattr(command, "commands"):
            yield from all_commands(command, path)
        else:
            yield path


def test_every_command_has_help_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    runner = CliRunner()
    for path in all_commands():
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Usage: " in result.output
        assert f"spendlog {' '.join(path)}" in readme, f"README does not document {' '.join(path)}"


def test_ingest_json_summary_and_exit_codes(run, tmp_path):
    logs = write_jsonl(tmp_path / "logs" / "a.jsonl", [app_record("req_1"), app_record("req_2")])
    result = run("ingest", logs.parent, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "files": 1, "files_skipped": 0, "file_errors": [], "records_read": 2, "rows_loaded": 2,
        "rows_replaced": 0, "duplicates": 0, "rows_rejected": 0, "ignored": 0, "pending": []}
    result = run("ingest", logs.parent)
    assert result.exit_code == 0
    assert result.stdout == ("0 files ingested, 1 unchanged: 0 records read, 0 loaded, 0 replaced, "
                             "0 duplicates, 0 rejected, 0 ignored\n")


def test_ingest_names_a_last_line_left_for_the_next_run(run, tmp_path):
    live = tmp_path / "live.jsonl"
    live.write_text(json.dumps(app_record("req_1")) + "\n" + json.dumps(app_record("req_2")))  # no newline yet
    result = run("ingest", live)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "1 files ingested, 0 unchanged: 1 records read, 1 loaded, 0 replaced, 0 duplicates, 0 rejected, 0 ignored",
        f"left for the next run: {live} line 2, its last, has no newline yet (written less than [ingest] "
        "pending_grace_minutes ago)"]


def test_ingest_exits_65_on_a_refused_file_and_66_on_a_missing_path(run, tmp_path):
    (tmp_path / "weird.jsonl").write_text('{"hello": "world"}\n')
    result = run("ingest", tmp_path / "weird.jsonl")
    assert result.exit_code == 65
    assert result.stderr == (f"refused {tmp_path / 'weird.jsonl'}: unrecognised_format: no known format matches the "
                             "first 64 KB: name its format with --format or [[sources]] format (`spendlog formats` "
                             "lists them), or move it out of the folder spendlog reads\n")
    result = run("ingest", tmp_path / "nope")
    assert result.exit_code == 66
    assert result.stderr == f"spendlog: no such file or folder: {tmp_path / 'nope'}\n"


def test_a_missing_file_that_is_not_an_input_path_is_an_internal_error_not_66(run, tmp_path, monkeypatch):
    import pipeline.views

    def broken(settings):
        raise FileNotFoundError("[Errno 2] No such file or directory: 'site-packages/pipeline/sql/model/views.sql'")

    monkeypatch.setattr(pipeline.views, "open_views", broken)
    result = run("sql", "select 1")
    assert result.exit_code == 70
    assert result.stderr.startswith("spendlog: internal error: FileNotFoundError: ")


def test_ingest_exits_65_when_rejects_pass_the_threshold(run, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [app_record(f"req_{i}") for i in range(9)] + ["not json"])
    result = run("ingest", path, "--json")
    assert result.exit_code == 65
    assert json.loads(result.stdout)["rows_rejected"] == 1


def test_a_second_writer_gets_exit_75(run, home, tmp_path):
    logs = write_jsonl(tmp_path / "a.jsonl", [app_record("req_1")])
    with lock_held_elsewhere(home):
        result = run("ingest", logs)
    assert result.exit_code == 75
    assert result.stderr.startswith("spendlog: busy: another spendlog run holds")


def test_sql_formats(run, tmp_path):
    run("ingest", write_jsonl(tmp_path / "a.jsonl", [app_record("req_1"), app_record("req_2", input_tokens=1000)]))
    query = "select request_id, input_tokens, cost_usd from spend order by 1"
    result = run("sql", query, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ("request_id,input_tokens,cost_usd\n"
                             "req_1,100,0.000200000000\n"
                             "req_2,1000,0.001100000000\n")
    rows = json.loads(run("sql", query, "--format", "json").stdout)
    assert rows == [{"request_id": "req_1", "input_tokens": 100, "cost_usd": "0.000200000000"},
                    {"request_id": "req_2", "input_tokens": 1000, "cost_usd": "0.001100000000"}]
    table = run("sql", query).stdout
    assert table.splitlines()[0].split() == ["request_id", "input_tokens", "cost_usd"]
    assert table.endswith("(2 rows)\n")


def test_sql_error_is_one_line(run):
    result = run("sql", "select nope from usage")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "nope" in result.stderr


def test_views_exist_on_an_empty_home(run):
    for view in ("usage", "priced_usage", "spend", "rejects", "prices", "ingested_files", "daily_spend"):
        result = run("sql", f"select count(*) as n from {view}", "--format", "csv")
        assert result.exit_code == 0, (view, result.stderr)


def test_formats_lists_every_format():
    from pipeline.formats import FORMATS

    result = CliRunner().invoke(cli, ["formats"])
    assert result.exit_code == 0
    assert result.output == "".join(f"{name}\n    {FORMATS[name].description}\n    e.g. {FORMATS[name].example}\n"
                                    for name in sorted(FORMATS))


def test_fixture_folder_ingests_with_detection(run):
    result = run("ingest", FIXTURES, "--json", config=FIXTURES / "spendlog.toml")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["files"], summary["rows_loaded"], summary["duplicates"], summary["ignored"]) == (27, 68, 5, 9)
    assert summary["rows_rejected"] == 0 and summary["file_errors"] == []


def test_samples_generate_every_kind(tmp_path):
    runner = CliRunner()
    for kind, folder in (("claude-code", "projects"), ("openai", "openai")):
        result = runner.invoke(cli, ["samples", "generate", "--out", str(tmp_path / kind), "--kind", kind])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["scale"] == 1
        assert (tmp_path / kind / folder).is_dir()
    result = runner.invoke(cli, ["samples", "generate", "--out", str(tmp_path / "x"), "--kind", "nope"])
    assert result.exit_code == 2


def test_sql_reads_the_query_from_a_file_or_stdin(run, tmp_path):
    run("ingest", write_jsonl(tmp_path / "a.jsonl", [app_record("req_1"), app_record("req_2", input_tokens=1000)]))
    query = tmp_path / "q.sql"
    query.write_text("select count(*) as n, sum(input_tokens) as input from usage;\n")
    expected = "n,input\n2,1100\n"
    assert run("sql", "-f", query, "--format", "csv").stdout == expected
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), "sql", "-", "--format", "csv"],
                                input=query.read_text())
    assert (result.exit_code, result.stdout) == (0, expected)


@pytest.mark.parametrize("args", [(), ("select 1", "-f", "q.sql")])
def test_sql_wants_exactly_one_query(run, tmp_path, args):
    (tmp_path / "q.sql").write_text("select 1")
    result = run("sql", *args)
    assert result.exit_code == 2
    assert result.stderr == "spendlog: sql: give the query as an argument, with -f FILE, or as - to read standard input\n"


def test_sql_writes_files_by_extension_or_format(run, tmp_path):
    run("ingest", write_jsonl(tmp_path / "a.jsonl", [app_record("req_1"), app_record("req_2", input_tokens=1000)]))
    query = "select request_id, input_tokens, cost_usd from spend order by 1"
    for name in ("out.csv", "out.parquet", "out.json", "table.txt"):
        result = run("sql", query, "--out", tmp_path / name)
        assert (result.exit_code, result.stdout) == (0, ""), result.stderr
    assert (tmp_path / "out.csv").read_text() == ("request_id,input_tokens,cost_usd\n"
                                                  "req_1,100,0.000200000000\n"
                                                  "req_2,1000,0.001100000000\n")
    parquet = duckdb.sql(f"select * from '{tmp_path / 'out.parquet'}'")
    assert parquet.types == ["VARCHAR", "BIGINT", "DECIMAL(38,12)"]
    assert parquet.fetchall() == [("req_1", 100, Decimal("0.0002")), ("req_2", 1000, Decimal("0.0011"))]
    assert (tmp_path / "out.json").read_text() == run("sql", query, "--format", "json").stdout
    assert (tmp_path / "table.txt").read_text() == run("sql", query).stdout
    run("sql", query, "--out", tmp_path / "data.txt", "--format", "csv")
    assert (tmp_path / "data.txt").read_text() == (tmp_path / "out.csv").read_text()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp file left


def test_sql_parquet_only_to_a_file_and_errors_leave_no_file(run, tmp_path):
    result = run("sql", "select 1", "--format", "parquet")
    assert (result.exit_code, result.stderr) == (2, "spendlog: sql: parquet is written to a file: add --out FILE.parquet\n")
    result = run("sql", "select nope from usage", "--out", tmp_path / "x.parquet")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "nope" in result.stderr
    assert list(tmp_path.glob("*x.parquet*")) == []
