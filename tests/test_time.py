"""Local days across daylight-saving changes (Europe/Paris): a run just after local midnight on the change night
reports the right "yesterday", the 23- and 25-hour days hold exactly their rows, and the reports agree with
`spendlog sql` on `day`."""
import textwrap

from click.testing import CliRunner

from conftest import app_record, write_jsonl
from pipeline.cli import cli

HAIKU = "claude-haiku-4-5-20251001"  # 1M input + 200k output tokens: $1 + $1 = $2.00 a request
UTC_TIMES = [
    "2026-03-28T22:30:00Z",  # 23:30 CET on Sat 28 Mar
    "2026-03-28T23:30:00Z",  # 00:30 CET on Sun 29 Mar, the 23-hour day (02:00 CET → 03:00 CEST)
    "2026-03-29T21:30:00Z",  # 23:30 CEST on Sun 29 Mar
    "2026-03-29T22:15:00Z",  # 00:15 CEST on Mon 30 Mar
    "2026-10-24T22:30:00Z",  # 00:30 CEST on Sun 25 Oct, the 25-hour day (03:00 CEST → 02:00 CET)
    "2026-10-25T22:30:00Z",  # 23:30 CET on Sun 25 Oct
    "2026-10-25T23:30:00Z",  # 00:30 CET on Mon 26 Oct
]


def home(tmp_path):
    write_jsonl(tmp_path / "logs" / "a.jsonl", [
        app_record(f"r{i}", ts=ts, app="a", model=HAIKU, input_tokens=1_000_000, output_tokens=200_000)
        for i, ts in enumerate(UTC_TIMES)])
    config = tmp_path / "spendlog.toml"
    config.write_text(textwrap.dedent("""\
        data_dir = "home"
        timezone = "Europe/Paris"
        [[sources]]
        path = "logs/*.jsonl"
    """))

    def run(*args, now):
        result = CliRunner().invoke(cli, ["--config", str(config), *args], env={"SPENDLOG_NOW": now})
        assert result.exit_code == 0, result.output
        return result.output

    return run, tmp_path / "home" / "reports"


def total(markdown: str) -> str:
    return markdown.split("| Total spend | ", 1)[1].split(" |", 1)[0]


def test_the_nights_after_both_changes_report_the_right_day(tmp_path):
    run, reports = home(tmp_path)
    # 00:30 CEST on Mon 30 Mar (22:30 UTC on the 29th): yesterday is Sun 29 Mar, which the UTC date would miss
    run("nightly", now="2026-03-29T22:30:00Z")
    assert sorted(p.name for p in reports.glob("daily-*.md")) == ["daily-2026-03-28.md", "daily-2026-03-29.md"]
    assert total((reports / "daily-2026-03-29.md").read_text()) == "$4.00"  # its 23 hours hold 2 requests
    # 00:45 CET on Mon 26 Oct (23:45 UTC on the 25th): yesterday is Sun 25 Oct, 25 hours, 2 requests
    run("nightly", now="2026-10-25T23:45:00Z")
    assert total((reports / "daily-2026-10-25.md").read_text()) == "$4.00"
    assert not (reports / "daily-2026-10-26.md").exists()  # today, not over


def test_reports_and_sql_agree_on_the_local_day(tmp_path):
    run, reports = home(tmp_path)
    run("ingest", str(tmp_path / "logs"), now="2026-11-01T12:00:00Z")
    output = run("sql", "select strftime(day, '%Y-%m-%d') as d, sum(cost_usd)::decimal(10, 2) as usd from spend "
                        "group by day order by day", "--format", "csv", now="2026-11-01T12:00:00Z")
    by_sql = dict(line.split(",") for line in output.splitlines()[1:])
    assert by_sql == {"2026-03-28": "2.00", "2026-03-29": "4.00", "2026-03-30": "2.00",
                      "2026-10-25": "4.00", "2026-10-26": "2.00"}
    for day, usd in by_sql.items():
        run("report", "daily", "--date", day, now="2026-11-01T12:00:00Z")
        assert total((reports / f"daily-{day}.md").read_text()) == f"${usd}"
