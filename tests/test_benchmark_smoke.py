"""The scale benchmark (benchmarks/run.py) runs end to end at its tiny size. No timing is asserted: only that it
exits 0 and that its JSON holds every step, each with a time."""
import json
import subprocess
import sys

from conftest import ROOT

EXPECTED = {
    "base.article", "ingest.article", "base.claude_code", "ingest.claude_code", "base.openrouter_csv",
    "ingest.openrouter_csv", "base.reprice", "reprice", "base.monthly", "report.monthly", "nightly.first",
    "nightly.idle", "nightly.new", "dedupe.empty", "dedupe.lake", "query.1", "query.2", "query.3", "query.4",
    "query.5", "cli.sql", "sim.first", "sim.query.first", "sim.rest", "sim.query.last", "ccusage",
    "ccusage.spendlog",
}
OPTIONAL = {"ccusage", "ccusage.spendlog"}  # skipped when ccusage (an npm package) is not installed


def test_tiny_benchmark_runs_every_step(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--tiny", "--workdir", str(tmp_path / "work"),
         "--json", str(out)],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text())
    steps = {step["id"]: step for step in report["steps"]}
    assert set(steps) == EXPECTED
    for name, step in steps.items():
        if name in OPTIONAL and step["skipped"]:
            continue
        assert step["error"] is None, (name, step["error"])
        assert step["runs"] == 1 and step["wall_s"] > 0, name
        assert step["peak_rss_mib"] > 0, name
    assert steps["sim.rest"]["info"]["nights"] == 2
    assert steps["ingest.article"]["info"]["rows_loaded"] > 0
    assert "wall s" in done.stdout and "DuckDB" in done.stdout  # the table, with the machine's facts
