import json

from conftest import FIXTURES, app_record, write_jsonl

# claude-haiku-4-5: $1 per 1M input tokens, $5 per 1M output tokens.
CONFIG = ('[[sources]]\npath = "logs/tagged/*.jsonl"\napp = "from-source"\n'
          '[[attribution]]\napp = "code-review-bot"\napi_key = "review-*"\n'
          '[[attribution]]\napp = "ghost"\nworkspace = "nowhere-*"\n')


def record(request_id, ts, input_tokens, output_tokens, key=None, app=None, **fields):
    rec = app_record(request_id, ts=ts, input_tokens=input_tokens, output_tokens=output_tokens, app=app)
    if app is None:
        del rec["app"]
    if key is not None:
        rec["api_key_name"] = key
    return {**rec, **fields}


def attributed_home(tmp_path, run, extra_config=""):
    write_jsonl(tmp_path / "logs" / "a.jsonl", [
        record("r1", "2026-02-10T10:00:00Z", 1_000_000, 100_000, "review-prod", app="content-assistant"),  # $1.50
        record("r2", "2026-02-11T10:00:00Z", 2_000_000, 0, "review-prod"),         # review-* rule, $2.00
        record("r3", "2026-03-02T10:00:00Z", 500_000, 100_000, "review-ci"),       # review-* rule, $1.00
        record("r4", "2026-02-12T10:00:00Z", 3_000_000, 200_000, "analytics-prod"),  # unattributed, $4.00
        record("r5", "2026-03-03T10:00:00Z", 1_000_000, 0, "analytics-prod"),      # unattributed, $1.00
        record("r6", "2026-02-13T10:00:00Z", 100_000, 20_000, "scratch"),          # unattributed, $0.20
    ])
    write_jsonl(tmp_path / "logs" / "tagged" / "b.jsonl", [
        record("r7", "2026-02-14T10:00:00Z", 1_000_000, 0, "review-prod"),         # the source's app, $1.00
    ])
    config = tmp_path / "spendlog.toml"
    config.write_text(CONFIG + extra_config)
    result = run("ingest", tmp_path / "logs", config=config)
    assert result.exit_code == 0, result.output
    return config


def test_apps_counts_requests_and_cost_per_rule_and_lists_top_unattributed(tmp_path, run):
    config = attributed_home(tmp_path, run)
    result = run("apps", config=config)
    assert result.exit_code == 0, result.output
    assert result.output == """\
How apps were attributed (all time)

rule                                        app                requests   cost
------------------------------------------  -----------------  --------  -----
the record (or ingest --app)                content-assistant         1  $1.50
[[sources]] #1: path = logs/tagged/*.jsonl  from-source               1  $1.00
[[attribution]] #1: api_key = review-*      code-review-bot           2  $3.00
[[attribution]] #2: workspace = nowhere-*   ghost                     0  $0.00
unattributed                                unattributed              3  $5.20
(5 rows)

Attributed nothing:
  [[attribution]] #2: workspace = nowhere-*
A glob must match the whole value, and the record's own app, then its source's app, then earlier rules come first.

Top unattributed

kind     value           requests   cost
-------  --------------  --------  -----
api_key  analytics-prod         2  $5.00
api_key  scratch                1  $0.20
(2 rows)

To attribute them, add a rule to spendlog.toml (globs; the first matching rule wins), e.g.:
  [[attribution]]
  app = "your-app"
  api_key = "analytics-prod"
"""


def test_apps_month_counts_only_that_local_month(tmp_path, run):
    config = attributed_home(tmp_path, run)
    result = run("apps", "--month", "2026-03", "--top", "1", config=config)
    assert result.exit_code == 0, result.output
    assert result.output == """\
How apps were attributed in 2026-03

rule                                        app              requests   cost
------------------------------------------  ---------------  --------  -----
[[sources]] #1: path = logs/tagged/*.jsonl  from-source             0  $0.00
[[attribution]] #1: api_key = review-*      code-review-bot         1  $1.00
[[attribution]] #2: workspace = nowhere-*   ghost                   0  $0.00
unattributed                                unattributed            1  $1.00
(4 rows)

Attributed nothing in 2026-03:
  [[sources]] #1: path = logs/tagged/*.jsonl
  [[attribution]] #2: workspace = nowhere-*
A glob must match the whole value, and the record's own app, then its source's app, then earlier rules come first.

Top unattributed in 2026-03

kind     value           requests   cost
-------  --------------  --------  -----
api_key  analytics-prod         1  $1.00
(1 row)

To attribute them, add a rule to spendlog.toml (globs; the first matching rule wins), e.g.:
  [[attribution]]
  app = "your-app"
  api_key = "analytics-prod"
"""
    february = json.loads(run("apps", "--month", "2026-02", "--top", "1", "--json", config=config).output)
    assert [(r["rule"], r["app"], r["requests"], r["cost_usd"]) for r in february["rules"]] == [
        ("the record (or ingest --app)", "content-assistant", 1, "1.500000000000"),
        ("[[sources]] #1: path = logs/tagged/*.jsonl", "from-source", 1, "1.000000000000"),
        ("[[attribution]] #1: api_key = review-*", "code-review-bot", 1, "2.000000000000"),
        ("[[attribution]] #2: workspace = nowhere-*", "ghost", 0, "0.000000000000"),
        ("unattributed", "unattributed", 2, "4.200000000000"),
    ]
    assert [(r["kind"], r["value"], r["requests"], r["cost_usd"], r["kind_values"]) for r in february["unattributed"]] \
        == [("api_key", "analytics-prod", 1, "4.000000000000", 2)]


def test_apps_shows_rows_outside_totals_errors_and_rows_without_any_key(tmp_path, run):
    write_jsonl(tmp_path / "gateway" / "g.jsonl", [
        record("g1", "2026-02-10T10:00:00Z", 1_000_000, 0, "review-prod"),          # mirror: $1.00, not in totals
        record("g2", "2026-02-10T11:00:00Z", 2_000_000, 0),                       # mirror, no key: $2.00
    ])
    write_jsonl(tmp_path / "loose" / "c.jsonl", [
        record("c1", "2026-02-10T10:00:00Z", 300_000, 0),                         # no key: $0.30
        record("c2", "2026-02-10T10:01:00Z", 0, 0, "scratch", http_status=500),   # an error: 0 requests
    ])
    config = attributed_home(tmp_path, run, '[[sources]]\npath = "gateway/*.jsonl"\nrole = "mirror"\n')
    assert run("ingest", tmp_path / "gateway", tmp_path / "loose", config=config).exit_code == 0
    result = run("apps", "--top", "5", "--json", config=config)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert [(r["rule"], r["requests"], r["cost_usd"], r["not_in_totals_requests"], r["not_in_totals_cost_usd"])
            for r in out["rules"]][1:] == [
        ("[[sources]] #1: path = logs/tagged/*.jsonl", 1, "1.000000000000", 0, "0.000000000000"),
        ("[[attribution]] #1: api_key = review-*", 2, "3.000000000000", 1, "1.000000000000"),
        ("[[attribution]] #2: workspace = nowhere-*", 0, "0.000000000000", 0, "0.000000000000"),
        ("unattributed", 4, "5.500000000000", 1, "2.000000000000"),
    ]
    assert [(r["kind"], r["value"], r["requests"], r["cost_usd"], r["files"]) for r in out["unattributed"]] == [
        ("api_key", "analytics-prod", 2, "5.000000000000", 1),
        ("api_key", "scratch", 1, "0.200000000000", 2),
        ("no key, workspace or project", "app_log", 1, "0.300000000000", 2),
    ]
    text = run("apps", config=config).output
    assert "code-review-bot           2  $3.00  1 request, $1.00 (mirror source)\n" in text
    assert "unattributed              4  $5.50  1 request, $2.00 (mirror source)\n" in text
    assert "no key, workspace or project  app_log: 2 files         1  $0.30  1 request, $2.00\n" in text
    assert "A glob must match" in text


def test_apps_suggests_a_path_rule_when_no_row_has_a_key(tmp_path, run):
    logs = write_jsonl(tmp_path / "loose" / "c.jsonl", [record("c1", "2026-02-10T10:00:00Z", 300_000, 0)])
    assert run("ingest", logs).exit_code == 0
    result = run("apps")
    assert result.exit_code == 0, result.output
    assert f"no key, workspace or project  app_log: {logs}         1  $0.30\n" in result.output
    assert result.output.endswith(f'  [[attribution]]\n  app = "your-app"\n  path = "{logs.parent}/**"\n')


def test_apps_on_a_fully_attributed_home_and_a_bad_month(tmp_path, run):
    logs = write_jsonl(tmp_path / "logs" / "a.jsonl", [record("r1", "2026-02-10T10:00:00Z", 100, 20, app="bot")])
    assert run("ingest", logs).exit_code == 0
    result = run("apps")
    assert result.exit_code == 0, result.output
    assert result.output.endswith("Top unattributed\n\nNo unattributed requests: every request has an app.\n")
    assert "the record (or ingest --app)  bot                  1  <$0.01\n" in result.output
    result = run("apps", "--month", "2026-13")
    assert result.exit_code == 2
    assert "Invalid value for --month: '2026-13' is not a month (YYYY-MM)" in result.output


def test_apps_month_is_the_local_month_and_buckets_count_their_requests(tmp_path, run):
    config = tmp_path / "spendlog.toml"
    config.write_text('timezone = "Asia/Tokyo"\n')
    logs = write_jsonl(tmp_path / "logs" / "a.jsonl", [
        record("r1", "2026-02-28T20:00:00Z", 1_000_000, 0, app="bot"),   # 2026-03-01 05:00 in Tokyo
        record("r2", "2026-02-28T10:00:00Z", 2_000_000, 0, app="bot"),   # 2026-02-28 19:00 in Tokyo
    ])
    assert run("ingest", logs, FIXTURES / "openrouter_activity_daily.csv", config=config).exit_code == 0
    march = json.loads(run("apps", "--month", "2026-03", "--json", config=config).output)
    assert [(r["app"], r["requests"], r["cost_usd"]) for r in march["rules"]][0] == ("bot", 1, "1.000000000000")
    result = run("sql", "select sum(request_count)::bigint, count(*) from spend where app = 'unattributed' "
                        "and grain = 'bucket'", "--format", "json", config=config)
    bucket_requests, bucket_rows = json.loads(result.output)[0].values()
    assert bucket_requests > bucket_rows > 0
    everything = json.loads(run("apps", "--json", config=config).output)
    assert [(r["app"], r["requests"]) for r in everything["rules"]] == [("bot", 2), ("unattributed", bucket_requests)]
