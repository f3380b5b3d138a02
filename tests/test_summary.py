import json

import pytest

from conftest import app_record, write_jsonl

HAIKU, SONNET = "claude-haiku-4-5-20251001", "claude-sonnet-4-6"


def record(request_id, ts, app, model, tags=None, api_key=None, **usage):
    line = app_record(request_id, ts, model, app=app, **usage)
    if tags:
        line["tags"] = tags
    if api_key:
        line["api_key_name"] = api_key
    return line


# Local days in Asia/Tokyo (UTC+9). Haiku 4.5: $1 input, $5 output, $0.10 cache read per 1M tokens; Sonnet 4.6:
# $3 input, $15 output.
RECORDS = [
    # Fri 20 Feb, 19:00 local: 0.1 + 0.1 = $0.20
    record("req_1", "2026-02-20T10:00:00Z", "bot", HAIKU, {"team": "support"}, "prod",
           input_tokens=100_000, output_tokens=20_000),
    # a rate-limited retry: a row, no request, $0
    {"ts": "2026-02-20T10:01:00Z", "app": "bot", "request_id": "req_429", "http_status": 429,
     "model_requested": HAIKU, "error": {"type": "error", "error": {"type": "rate_limit_error"}}},
    # 01:00 local on Sat 21 Feb: 0.05 + 1M cached x 0.1 = 0.10 + 0.05 = $0.20
    record("req_2", "2026-02-20T16:00:00Z", "bot", HAIKU, {"team": "search"}, "prod",
           input_tokens=50_000, cache_read_input_tokens=1_000_000, output_tokens=10_000),
    # Sat 21 Feb: 0.30 + 0.15 = $0.45
    record("req_3", "2026-02-21T09:00:00Z", "writer", SONNET, api_key="dev", input_tokens=100_000, output_tokens=10_000),
    # 05:00 local on Sun 1 Mar: 0.30 + 0.30 = $0.60
    record("req_4", "2026-02-28T20:00:00Z", "writer", SONNET, api_key="dev", input_tokens=100_000, output_tokens=20_000),
]


@pytest.fixture
def summary(run, tmp_path):
    config = tmp_path / "spendlog.toml"
    config.write_text('timezone = "Asia/Tokyo"\n')
    result = run("ingest", write_jsonl(tmp_path / "logs" / "a.jsonl", RECORDS), config=config)
    assert result.exit_code == 0, result.stderr

    def invoke(*args):
        result = run("summary", *args, config=config)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    return invoke


def test_daily_groups_by_local_day_and_makes_up_no_empty_days(summary):
    assert summary() == (
        "Date         Requests       Input   Output   Cache read   Cost (USD)\n"
        "────────────────────────────────────────────────────────────────────\n"
        "2026-02-20          1     100,000   20,000            0        $0.20\n"
        "2026-02-21          2   1,150,000   20,000    1,000,000        $0.65\n"
        "2026-03-01          1     100,000   20,000            0        $0.60\n"
        "────────────────────────────────────────────────────────────────────\n"
        "Total               4   1,350,000   60,000    1,000,000        $1.45\n"
    )


def test_monthly_and_a_range(summary):
    assert summary("monthly") == (
        "Month     Requests       Input   Output   Cache read   Cost (USD)\n"
        "─────────────────────────────────────────────────────────────────\n"
        "2026-02          3   1,250,000   40,000    1,000,000        $0.85\n"
        "2026-03          1     100,000   20,000            0        $0.60\n"
        "─────────────────────────────────────────────────────────────────\n"
        "Total            4   1,350,000   60,000    1,000,000        $1.45\n"
    )
    assert summary("daily", "--since", "2026-02-21", "--until", "2026-02-28").splitlines()[2:] == [
        "2026-02-21          2   1,150,000   20,000    1,000,000        $0.65",
        "────────────────────────────────────────────────────────────────────",
        "Total               2   1,150,000   20,000    1,000,000        $0.65",
    ]


def test_apps_dearest_first_broken_down_by_model(summary):
    assert summary("app", "--by", "model") == (
        "App      Model               Requests       Input   Output   Cache read   Cost (USD)\n"
        "────────────────────────────────────────────────────────────────────────────────────\n"
        "writer                              2     200,000   30,000            0        $1.05\n"
        "         claude-sonnet-4-6          2     200,000   30,000            0        $1.05\n"
        "\n"
        "bot                                 2   1,150,000   30,000    1,000,000        $0.40\n"
        "         claude-haiku-4-5           2   1,150,000   30,000    1,000,000        $0.40\n"
        "────────────────────────────────────────────────────────────────────────────────────\n"
        "Total                               4   1,350,000   60,000    1,000,000        $1.45\n"
    )


def test_by_a_tag_reads_the_tags_map(summary):
    assert summary("monthly", "--by", "tag:team") == (
        "Month     tag:team   Requests       Input   Output   Cache read   Cost (USD)\n"
        "────────────────────────────────────────────────────────────────────────────\n"
        "2026-02                     3   1,250,000   40,000    1,000,000        $0.85\n"
        "          (none)            1     100,000   10,000            0        $0.45\n"
        "          search            1   1,050,000   10,000    1,000,000        $0.20\n"
        "          support           1     100,000   20,000            0        $0.20\n"
        "\n"
        "2026-03                     1     100,000   20,000            0        $0.60\n"
        "          (none)            1     100,000   20,000            0        $0.60\n"
        "────────────────────────────────────────────────────────────────────────────\n"
        "Total                       4   1,350,000   60,000    1,000,000        $1.45\n"
    )


def test_json_money_as_exact_decimal_strings(summary):
    measures = ("requests", "input_tokens", "output_tokens", "cache_read_tokens", "cost_usd", "unpriced_rows")

    def m(*values):
        return dict(zip(measures, values))

    assert json.loads(summary("model", "--by", "api_key", "--json")) == {
        "grain": "model", "by": "api_key", "since": None, "until": None,
        "rows": [
            {"model": "claude-sonnet-4-6", **m(2, 200_000, 30_000, 0, "1.050000000000", 0),
             "breakdown": [{"api_key": "dev", **m(2, 200_000, 30_000, 0, "1.050000000000", 0)}]},
            {"model": "claude-haiku-4-5", **m(2, 1_150_000, 30_000, 1_000_000, "0.400000000000", 0),
             # the 429 retry (no api key, no request, no tokens, $0) is an error, not a spend row
             "breakdown": [{"api_key": "prod", **m(2, 1_150_000, 30_000, 1_000_000, "0.400000000000", 0)}]},
        ],
        "totals": m(4, 1_350_000, 60_000, 1_000_000, "1.450000000000", 0),
    }


def test_an_empty_range_says_so(summary):
    assert summary("--since", "2026-04-01") == "No spend from 2026-04-01 to today.\n"
    assert json.loads(summary("--since", "2026-04-01", "--json"))["totals"] == {
        "requests": 0, "input_tokens": 0, "output_tokens": 0, "cache_read_tokens": 0, "cost_usd": "0.000000000000",
        "unpriced_rows": 0}


def test_bad_arguments_exit_2(run):
    assert run("summary", "weekly").exit_code == 2
    result = run("summary", "--by", "colour")
    assert result.exit_code == 2
    assert "'colour' is not one of app, model, api_key, workspace, project, user or tag:NAME" in result.stderr
    assert run("summary", "--since", "2026-03-02", "--until", "2026-03-01").exit_code == 2
