"""Readers while a run writes: `spendlog sql` and the Python API (pipeline.connect) during an ingest in another
process see the whole snapshot before it or the whole one after it — never an error, never part of a run."""
import json
import subprocess
import sys

from click.testing import CliRunner

import pipeline
from conftest import app_record, write_jsonl
from pipeline.cli import cli


def test_sql_and_the_python_api_read_whole_snapshots_during_an_ingest(tmp_path):
    home = tmp_path / "home"
    runner = CliRunner()
    first = write_jsonl(tmp_path / "a.jsonl", [app_record("req_1"), app_record("req_2")])
    assert runner.invoke(cli, ["--home", str(home), "ingest", str(first)]).exit_code == 0
    assert runner.invoke(cli, ["samples", "generate", "--out", str(tmp_path / "samples")]).exit_code == 0
    ingest = subprocess.Popen([sys.executable, "-m", "pipeline", "--home", str(home), "--config",
                               str(tmp_path / "samples" / "spendlog.toml"), "ingest", str(tmp_path / "samples"),
                               "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    by_sql, by_api, during = [], [], 0
    while ingest.poll() is None:
        result = runner.invoke(cli, ["--home", str(home), "sql", "select count(*) as n, count(distinct source_file) "
                                     "as f from usage", "--format", "csv"])
        assert result.exit_code == 0, result.output
        by_sql.append(tuple(int(v) for v in result.stdout.splitlines()[1].split(",")))
        con = pipeline.connect(str(home))
        by_api.append(con.execute("select count(*), count(distinct source_file) from usage").fetchone())
        con.close()
        during += ingest.poll() is None
    out, err = ingest.communicate()
    assert ingest.returncode == 0, err
    summary = json.loads(out)
    after = (2 + summary["rows_loaded"], 1 + summary["files"])
    assert during > 0  # some reads ran while the ingest was running
    assert set(by_sql) <= {(2, 1), after} and set(by_api) <= {(2, 1), after}
    assert by_sql == sorted(by_sql) and by_api == sorted(by_api)  # never back to the old snapshot once the new one is in
