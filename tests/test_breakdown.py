"""`spendlog report … --by DIMENSION`: a report of its own with spend by that dimension (worked by hand), listed in
the index, kept current by nightly; hostile values stay escaped; a tag that cannot name a file is refused."""
import textwrap

from click.testing import CliRunner

from conftest import app_record, write_jsonl
from pipeline.cli import cli

HAIKU = "claude-haiku-4-5-20251001"  # 1M input + 200k output tokens: $1 + $1 = $2.00 a request
HOSTILE = "<script>alert(1)</script> a|b\nc"


def record(i, day, **fields):
    line = app_record(f"r{i}", ts=f"2026-02-{day:02d}T09:00:00Z", app="a", model=HAIKU, input_tokens=1_000_000,
                      output_tokens=200_000)
    line.update(fields)
    return line


def home_with(tmp_path, records):
    write_jsonl(tmp_path / "logs" / "a.jsonl", records)
    config = tmp_path / "spendlog.toml"
    config.write_text('data_dir = "home"\n[[sources]]\npath = "logs/*.jsonl"\n')

    def run(*args, now="2026-03-03T06:00:00Z"):
        return CliRunner().invoke(cli, ["--config", str(config), *args], env={"SPENDLOG_NOW": now})

    assert run("ingest", str(tmp_path / "logs")).exit_code == 0
    return run, tmp_path / "home" / "reports"


def section(markdown, heading):
    return markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


RECORDS = [
    record(1, 2, workspace="prod", user_id="ann", tags={"team": "search"}),
    record(2, 2, workspace="prod", user_id="bob", tags={"team": "search"}),
    record(3, 3, workspace="prod", user_id="ann", tags={"team": "ads"}),
    record(4, 4, workspace="staging", user_id="ann"),
    record(5, 5),
]


def test_spend_by_workspace_dearest_first_with_none_and_a_total(tmp_path):
    # prod: 3 requests × $2 = $6 (60%); staging and (none) 1 × $2 = $2 (20%) each, by name after cost
    run, reports = home_with(tmp_path, RECORDS)
    result = run("report", "monthly", "--month", "2026-02", "--by", "workspace")
    assert result.exit_code == 0, result.output
    markdown = (reports / "monthly-2026-02-by-workspace.md").read_text()
    assert markdown.startswith("# Monthly spend report — February 2026, by workspace\n")
    assert section(markdown, "Spend by workspace").strip() == textwrap.dedent("""\

        | Workspace | Requests | Input tokens | Output tokens | Cost | Per request | Share |
        |---|---:|---:|---:|---:|---:|---:|
        | prod | 3 | 3,000,000 | 600,000 | $6.00 | $2.000000 | 60.0% |
        | (none) | 1 | 1,000,000 | 200,000 | $2.00 | $2.000000 | 20.0% |
        | staging | 1 | 1,000,000 | 200,000 | $2.00 | $2.000000 | 20.0% |
        | **Total** | **5** | **5,000,000** | **1,000,000** | **$10.00** | **$2.000000** | **100.0%** |

        “(none)”: rows that carry no workspace. Input tokens: uncached + cache writes + cache reads.
    """).strip()
    header = (reports / "monthly-2026-02-by-workspace.breakdown.csv").read_text().splitlines()[0]
    assert header.startswith("row_kind,value,requests,input_tokens,output_tokens,cost_usd,")
    # the plain report has no such section and is a file of its own
    result = run("report", "monthly", "--month", "2026-02")
    assert "## Spend by" not in (reports / "monthly-2026-02.md").read_text().replace("## Spend by app and model", "")
    assert not (reports / "monthly-2026-02.breakdown.csv").exists()


def test_by_user_and_by_tag(tmp_path):
    run, reports = home_with(tmp_path, RECORDS)
    assert run("report", "period", "--from", "2026-02-01", "--to", "2026-02-28", "--by", "user").exit_code == 0
    rows = section((reports / "period-2026-02-01_2026-02-28-by-user.md").read_text(), "Spend by user").splitlines()
    assert [r.split(" | ")[0:2] + [r.split(" | ")[4]] for r in rows[3:7]] == [
        ["| ann", "3", "$6.00"], ["| (none)", "1", "$2.00"], ["| bob", "1", "$2.00"],
        ["| **Total**", "**5**", "**$10.00**"]]
    assert run("report", "daily", "--date", "2026-02-02", "--by", "tag:team").exit_code == 0
    rows = section((reports / "daily-2026-02-02-by-tag-team.md").read_text(), "Spend by tag team").splitlines()
    assert rows[3:5] == ["| search | 2 | 2,000,000 | 400,000 | $4.00 | $2.000000 | 100.0% |",
                         "| **Total** | **2** | **2,000,000** | **400,000** | **$4.00** | **$2.000000** | **100.0%** |"]


def test_hostile_values_stay_escaped(tmp_path):
    run, reports = home_with(tmp_path, [record(1, 2, workspace=HOSTILE)])
    assert run("report", "monthly", "--month", "2026-02", "--by", "workspace").exit_code == 0
    html = (reports / "monthly-2026-02-by-workspace.html").read_text()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; a|b\nc" in html
    markdown = (reports / "monthly-2026-02-by-workspace.md").read_text()
    assert "| \\<script\\>alert(1)\\</script\\> a\\|b c | 1 |" in markdown


def test_a_tag_that_cannot_name_a_file_and_an_unknown_dimension_are_refused(tmp_path):
    run, reports = home_with(tmp_path, RECORDS)
    result = run("report", "monthly", "--month", "2026-02", "--by", "tag:../x")
    assert result.exit_code == 2
    assert "tag:'../x' must be 1 to 64 letters, digits, - or _" in result.output
    assert run("report", "monthly", "--month", "2026-02", "--by", "colour").exit_code == 2
    assert not reports.exists() or not any(reports.glob("*-by-*"))


def test_index_lists_it_and_nightly_keeps_it_current(tmp_path):
    run, reports = home_with(tmp_path, RECORDS)
    assert run("report", "monthly", "--month", "2026-02", "--by", "api_key").exit_code == 0
    index = (reports / "index.html").read_text()
    assert 'href="monthly-2026-02-by-api_key.html"' in index and "February 2026, by API key" in index
    # a late row for February: nightly re-renders the --by report with it
    write_jsonl(tmp_path / "logs" / "late.jsonl", [record(9, 20, api_key="k-late")])
    assert run("nightly").exit_code == 0
    markdown = (reports / "monthly-2026-02-by-api_key.md").read_text()
    assert "| k-late | 1 | 1,000,000 | 200,000 | $2.00 |" in markdown
    assert "| **Total** | **6** |" in markdown


def test_summary_by_user(tmp_path):
    run, _ = home_with(tmp_path, RECORDS)
    result = run("summary", "monthly", "--by", "user")
    assert result.exit_code == 0, result.output
    assert [line.split() for line in result.output.splitlines() if "ann" in line] == [
        ["ann", "3", "3,000,000", "600,000", "0", "$6.00"]]
