"""The daily report's trailing average, budgets and costliest requests, and the summary's per-request cost and
partial-period note (worked by hand)."""
import textwrap

from click.testing import CliRunner

from conftest import app_record, write_jsonl
from pipeline.cli import cli

HAIKU = "claude-haiku-4-5-20251001"  # 1M input + 200k output tokens: $1 + $1 = $2.00 a request


def daily_report(tmp_path, budgets, report=("daily", "--date", "2026-02-10"), now=None):
    records = [app_record(f"d{d}", ts=f"2026-02-{d:02d}T09:00:00Z", app="a", model=HAIKU, input_tokens=1_000_000,
                          output_tokens=200_000) for d in range(1, 11)]
    records += [app_record(f"x{i}", ts=f"2026-02-10T1{i}:30:00Z", app="a", model=HAIKU, input_tokens=1_000_000,
                           output_tokens=200_000) for i in range(2)]
    write_jsonl(tmp_path / "logs" / "a.jsonl", records)
    config = tmp_path / "spendlog.toml"
    config.write_text(textwrap.dedent(f"""\
        data_dir = "home"
        [[sources]]
        path = "logs/*.jsonl"
        {budgets}
    """))
    runner = CliRunner()
    assert runner.invoke(cli, ["--config", str(config), "ingest", str(tmp_path / "logs")]).exit_code == 0
    result = runner.invoke(cli, ["--config", str(config), "report", *report], env={"SPENDLOG_NOW": now} if now else None)
    assert result.exit_code == 0, result.output
    [page] = (tmp_path / "home" / "reports").glob("*.md")
    return page.read_text()


def section(markdown, heading):
    return markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_budgets_month_to_date_and_forecast(tmp_path):
    # Month to date through 02-10: 9 × $2 + $6 = $24. Trailing 7 days with data (02-04 … 02-10): $18, 18 days left:
    # forecast $24 + $18 × 18 / 7 = $70.29. Total $25: forecast over; app a $100: on track, 24.0% used.
    markdown = daily_report(tmp_path, "[budgets]\ntotal = 25\na = 100")
    assert section(markdown, "Budgets") == textwrap.dedent("""\

        | Budget | Per month | Month to date | Used | Forecast for the month | |
        |---|---:|---:|---:|---:|---|
        | Total | $25.00 | $24.00 | 96.0% | $70.29 | forecast over |
        | a | $100.00 | $24.00 | 24.0% | $70.29 | on track |

        Forecast: month to date plus the trailing daily average (7 days with data of the last 7) times the 18 days left in the month. The HTML page charts each budget's burn-down; by day: `daily-2026-02-10.budget_burndown.csv`.
    """)


def test_no_budgets_no_section(tmp_path):
    assert "## Budgets" not in daily_report(tmp_path, "")


def test_the_five_costliest_requests(tmp_path):
    rows = section(daily_report(tmp_path, ""), "The five costliest requests").splitlines()
    assert rows[3:6] == [
        "| 09:00 | a | claude-haiku-4-5 | $2.000000 | standard tier · input 1,000,000 tokens \\$1.000000 · output "
        "200,000 tokens \\$1.000000 | d10 |",
        "| 10:30 | a | claude-haiku-4-5 | $2.000000 | standard tier · input 1,000,000 tokens \\$1.000000 · output "
        "200,000 tokens \\$1.000000 | x0 |",
        "| 11:30 | a | claude-haiku-4-5 | $2.000000 | standard tier · input 1,000,000 tokens \\$1.000000 · output "
        "200,000 tokens \\$1.000000 | x1 |",
    ]
    assert rows[6] == ""


def test_the_day_against_its_trailing_average(tmp_path):
    # 02-10: $6 against the $2 average of 02-03 … 02-09 (7 days with data): 3.0×, not more than 3×: no spike
    assert section(daily_report(tmp_path, ""), "Against the trailing average") == textwrap.dedent("""\

        | | Spend | Trailing average | Ratio | |
        |---|---:|---:|---:|---|
        | **Total** | **$6.00** | **$2.00** | **3.0×** |  |
        | a | $6.00 | $2.00 | 3.0× |  |

        The average of the 7 days with data among the 7 before; a spike is more than 3× it and at least $1.00 (`[alerts]`).
    """)


def test_cost_per_request_and_a_partial_comparison(tmp_path):
    # 02-06 … 02-15 against 01-27 … 02-05. Data runs 02-01 … 02-10: 5 days without data in each period.
    # Now: 5 × $2 + 2 × $2 = $14 over 7 requests = $2.000000 a request, $2,000.00 per 1,000; then 5 × $2 = $10.
    markdown = daily_report(tmp_path, "", ("period", "--from", "2026-02-06", "--to", "2026-02-15"))
    rows = section(markdown, "Summary").splitlines()
    assert rows[3] == ("| Total spend | $14.00 | +$4.00 (+40.0%) vs 2026-01-27 – 2026-02-05; partial: both periods "
                       "have days without data (5 now, 5 then) |")
    assert "| Cost per request | $2.000000 | $2,000.00 per 1,000 requests |" in rows


def test_a_month_still_running_gets_a_forecast(tmp_path):
    # Made on 2026-02-11: $24 over the 10 days with data (02-01 … 02-10), $2.40 a day; 18 days after 02-10 to 02-28:
    # $24 + 18 × $2.40 = $67.20.
    rows = section(daily_report(tmp_path, "", ("monthly", "--month", "2026-02"), now="2026-02-11T08:00:00Z"),
                   "Summary").splitlines()
    assert ("| Forecast to 2026-02-28 | $67.20 | the spend so far plus the daily average so far times the 18 days "
            "left |") in rows


def test_an_ended_month_gets_no_forecast(tmp_path):
    markdown = daily_report(tmp_path, "", ("monthly", "--month", "2026-02"), now="2026-03-02T08:00:00Z")
    assert "Forecast" not in section(markdown, "Summary")
