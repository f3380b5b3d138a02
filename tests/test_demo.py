import csv
import json
import os
import re
import shlex
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from click.testing import CliRunner

from conftest import ROOT
from pipeline.cli import cli

GOLDEN = ROOT / "tests" / "golden"
NOW = "2026-03-07T06:00:00Z"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One demo run for the module, with a frozen clock; yields (home, CLI output)."""
    home = tmp_path_factory.mktemp("demo") / "spendlog-demo"
    old = os.environ.get("SPENDLOG_NOW")
    os.environ["SPENDLOG_NOW"] = NOW
    try:
        result = CliRunner().invoke(cli, ["--home", str(home), "demo"], catch_exceptions=False)
    finally:
        if old is None:
            del os.environ["SPENDLOG_NOW"]
        else:
            os.environ["SPENDLOG_NOW"] = old
    yield home, result


def sql(home, query):
    result = CliRunner().invoke(cli, ["--home", str(home), "sql", query, "--format", "csv"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return [line.split(",") for line in result.stdout.splitlines()[1:]]


def test_demo_output(demo):
    home, result = demo
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"Ingested 5,080 records from 91 files into {home}",
        "Spend 2026-02-05 to 2026-03-06: $66.46",
        "Reports:",
        f"  {home}/reports/period-2026-02-05_2026-03-06.html",
        f"  {home}/reports/monthly-2026-02.html",
        f"  {home}/reports/daily-2026-02-25.html",
        f"  {home}/reports/index.html lists them all (Markdown and CSV beside them)",
        f'Query it: spendlog --home {home} sql "select app, sum(cost_usd) from spend group by app"',
    ]


def test_demo_counts_and_costs_per_app(demo):
    home, _ = demo
    rows = sql(home, "select app, count(*) filter (where billable and not batch), sum(cost_usd) "
                     "from spend group by all order by app")
    assert rows == [
        ["code-review-bot", "1247", "19.391228000000"],
        ["content-assistant", "342", "20.481440000000"],
        ["email-classifier", "2891", "26.589846400000"],
    ]


@pytest.mark.parametrize("where, expected", [
    # Haiku 4.5, a 1-hour cache write of the classifier's prefix: 1,126 x $1 + 4,216 x $2 + 609 x $5
    ("request_id = 'req_011CFgJ3qS4HNRFi6SkXstq7'", Decimal(1126 * 1 + 4216 * 2 + 609 * 5) / 10**6),
    # Haiku 4.5, a cache read: 2,295 x $1 + 4,216 x $0.10 + 655 x $5
    ("request_id = 'req_011CMcJ76iwJcvbYbqZ1myqT'", (Decimal(2295) + Decimal("421.6") + Decimal(655 * 5)) / 10**6),
    # Opus 4.6 on 2026-02-25 with 208,844 input tokens: over 200K, long-context $10 / $37.50 on every token
    ("request_id = 'req_011C9NZeyanHFK47G4FiPQwf'", (Decimal(208844 * 10) + Decimal("3646") * Decimal("37.5")) / 10**6),
    # Sonnet 4.5 before the 4.6 release: 3,631 x $3 + 1,346 x $15
    ("request_id = 'req_011CpYwsbDeefzE4gLchUoKq'", Decimal(3631 * 3 + 1346 * 15) / 10**6),
    # A batch item on Haiku 4.5: (14,882 x $1 + 380 x $5) x 0.5
    ("request_id = 'msg_0119UAJun8aygYNMW4Ef38V1'", Decimal(14882 + 380 * 5) / 2 / 10**6),
    # A 429: not billed
    ("request_id = 'req_011C4MQ1VAK5kfcgPPkQyGEV'", Decimal(0)),
])
def test_five_whole_requests_priced_by_hand(demo, where, expected):
    home, _ = demo
    [[cost]] = sql(home, f"select cost_usd from priced_usage where {where}")
    assert Decimal(cost) == expected


@pytest.mark.parametrize("report", ["period-2026-02-05_2026-03-06.md", "monthly-2026-02.md", "daily-2026-02-25.md"])
def test_golden_markdown(demo, report):
    """The demo's three reports, byte for byte (frozen clock); SPENDLOG_UPDATE_GOLDEN=1 rewrites them."""
    home, _ = demo
    rendered = (home / "reports" / report).read_text()
    if os.environ.get("SPENDLOG_UPDATE_GOLDEN"):
        (GOLDEN / report).write_text(rendered)
    assert rendered == (GOLDEN / report).read_text()


def test_the_home_remembers_its_config(demo):
    home, _ = demo
    [[app]] = sql(home, "select distinct app from priced_usage where source_file like '%/batch/%'")
    assert app == "email-classifier"


def test_demo_refuses_a_folder_that_is_not_a_spendlog_home(tmp_path):
    (tmp_path / "precious").mkdir()
    (tmp_path / "precious" / "thesis.tex").write_text("…")
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "precious"), "demo"])
    assert result.exit_code == 78
    assert (tmp_path / "precious" / "thesis.tex").exists()


def test_the_readme_notebook_example_runs_and_prints_what_the_readme_shows(demo, monkeypatch, capsys):
    home, _ = demo
    section = (ROOT / "README.md").read_text().split("### From Python", 1)[1]
    code, shown = re.search(r"```python\n(.*?)```\n\n```\n(.*?)```", section, re.S).groups()
    monkeypatch.chdir(home.parent)
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out == shown


def readme_console_examples():
    """(command, output) for every `$ spendlog --home spendlog-demo …` line of the README's console blocks."""
    examples = []
    for block in re.findall(r"```console\n(.*?)```", (ROOT / "README.md").read_text(), re.S):
        for command, output in re.findall(r"^\$ spendlog (.*)\n((?:(?!\$ ).*\n)*)", block, re.M):
            examples.append((command, output))
    return examples


def test_the_readme_examples_run_and_print_what_the_readme_shows(demo, monkeypatch):
    home, _ = demo
    monkeypatch.chdir(home.parent)
    examples = readme_console_examples()
    assert len([c for c, _ in examples if " sql " in c]) >= 5
    for command, shown in examples:
        result = CliRunner().invoke(cli, shlex.split(command), catch_exceptions=False)
        assert (result.exit_code, result.stdout) == (0, shown), command


def test_the_summary_monthly_total_is_the_monthly_reports_total(demo):
    home, _ = demo
    result = CliRunner().invoke(cli, ["--home", str(home), "summary", "monthly", "--json"], catch_exceptions=False)
    [february] = [row for row in json.loads(result.stdout)["rows"] if row["month"] == "2026-02"]
    with open(home / "reports" / "monthly-2026-02.summary.csv", newline="") as handle:
        [report] = csv.DictReader(handle)
    assert Decimal(february["cost_usd"]) == Decimal(report["total_cost_usd"])
    assert february["requests"] == int(report["requests"])
    assert february["input_tokens"] == int(report["input_tokens"])


def test_february_counts_only_the_days_with_data(demo):
    home, _ = demo
    ranges = [(date.fromisoformat(a), date.fromisoformat(b))
              for a, b in sql(home, "select min(day), max(day) from spend group by source_name")]
    february = [date(2026, 2, 1) + timedelta(days=i) for i in range(28)]
    covered = [d for d in february if any(a <= d <= b for a, b in ranges)]
    assert (covered[0], covered[-1], len(covered)) == (date(2026, 2, 5), date(2026, 2, 28), 24)
    per_day = {date.fromisoformat(d): Decimal(c)
               for d, c in sql(home, "select day, sum(cost_usd) from spend where month = '2026-02-01' group by day")}
    average = (sum(per_day.values()) / 24).quantize(Decimal("1e-12"), ROUND_HALF_UP)
    cheapest = min(covered, key=lambda d: (per_day.get(d, 0), d))
    with open(home / "reports" / "monthly-2026-02.summary.csv", newline="") as handle:
        [summary] = csv.DictReader(handle)
    assert (summary["covered_days"], summary["no_data_days"]) == ("24", "4")
    assert Decimal(summary["daily_average_usd"]) == average
    assert summary["cheapest_day"] == cheapest.isoformat()
    md = (home / "reports" / "monthly-2026-02.md").read_text()
    assert (f"| Daily average | ${average.quantize(Decimal('0.01'), ROUND_HALF_UP)} | over 24 days with data, zero days "
            "included; data from 2026-02-05; 4 days without data |") in md
    assert f"| Cheapest day | ${per_day[cheapest].quantize(Decimal('0.01'), ROUND_HALF_UP)} | " in md
    assert "Sunday 2026-02-01" not in md
    with open(home / "reports" / "monthly-2026-02.daily.csv", newline="") as handle:
        daily = list(csv.DictReader(handle))
    assert [d["day"] for d in daily if d["has_data"] == "false"] == ["2026-02-01", "2026-02-02", "2026-02-03",
                                                                      "2026-02-04"]


def test_the_composition_adds_up_to_the_month(demo):
    """February's components (tables of the monthly report's CSV) sum to the month's spend to the 12th decimal, and
    its output line is the summary's output cost."""
    home, _ = demo
    with open(home / "reports" / "monthly-2026-02.composition.csv", newline="") as handle:
        rows = {row["component"]: Decimal(row["cost_usd"]) for row in csv.DictReader(handle)}
    assert list(rows) == ["uncached input", "cache writes", "cache reads", "output", "tool fees"]
    [[total]] = sql(home, "select sum(cost_usd) from spend where month = '2026-02-01'")
    assert sum(rows.values()) == Decimal(total)
    with open(home / "reports" / "monthly-2026-02.summary.csv", newline="") as handle:
        [summary] = list(csv.DictReader(handle))
    assert rows["output"] == Decimal(summary["output_cost_usd"])
