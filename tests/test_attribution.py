from conftest import app_record, write_jsonl
from pipeline.config import load_settings
from pipeline.views import open_views
from pipeline.ingest import ingest


def test_app_comes_from_record_then_source_then_first_matching_rule(tmp_path):
    def record(request_id, key, app=None):
        rec = app_record(request_id, app=app)
        rec["api_key_name"] = key
        if app is None:
            del rec["app"]
        return rec

    write_jsonl(tmp_path / "logs" / "a.jsonl", [
        record("r1", "review-prod", app="named-in-record"),   # the record's own app wins
        record("r2", "review-prod"),                          # rule 1 (api_key glob)
        record("r3", "other-key"),                            # rule 2 (path glob)
    ])
    write_jsonl(tmp_path / "logs" / "tagged" / "b.jsonl", [record("r4", "review-prod")])  # the source's app
    write_jsonl(tmp_path / "elsewhere" / "c.jsonl", [record("r5", "nobody")])             # unattributed
    config = tmp_path / "spendlog.toml"
    config.write_text(
        '[[sources]]\npath = "logs/tagged/*.jsonl"\napp = "from-source"\n'
        '[[attribution]]\napp = "code-review-bot"\napi_key = "review-*"\n'
        '[[attribution]]\napp = "by-path"\npath = "logs/**/*.jsonl"\n')
    settings = load_settings(str(config), str(tmp_path / "home"))
    ingest(settings, [str(tmp_path / "logs"), str(tmp_path / "elsewhere")])
    con = open_views(settings)
    assert con.execute("select request_id, app from priced_usage order by 1").fetchall() == [
        ("r1", "named-in-record"), ("r2", "code-review-bot"), ("r3", "by-path"),
        ("r4", "from-source"), ("r5", "unattributed")]


def test_buckets_count_only_on_days_without_request_rows_and_never_from_mirror_or_subscription(tmp_path):
    import copy
    import json

    from conftest import FIXTURES

    report = json.loads((FIXTURES / "anthropic_usage_report_messages.json").read_text())
    bucket, result = report["data"][0], report["data"][0]["results"][0]

    def usage_report(path, *days):  # one bucket a day, keyed by its file (the same key would be one bucket)
        doc = copy.deepcopy(report)
        doc["data"] = [{**bucket, "starting_at": f"{day}T00:00:00Z", "ending_at": f"{day}T23:59:59Z",
                        "results": [{**result, "api_key_id": f"apikey_{path.stem}"}]} for day in days]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc))

    usage_report(tmp_path / "usage" / "org.json", "2026-03-10", "2026-03-11", "2026-03-12")
    usage_report(tmp_path / "gateway" / "mirror.json", "2026-03-10")
    usage_report(tmp_path / "max-plan" / "sub.json", "2026-03-10")
    write_jsonl(tmp_path / "logs" / "a.jsonl", [
        app_record("r1", ts="2026-03-11T09:00:00Z"),                            # Anthropic logs on the 11th
        {**app_record("o1", ts="2026-03-10T09:00:00Z"), "response": {            # an OpenAI request on the 10th
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1773133200, "model": "gpt-4o-mini",
            "usage": {"prompt_tokens": 10, "completion_tokens": 2}}},
    ])
    config = tmp_path / "spendlog.toml"
    config.write_text('[[sources]]\npath = "gateway/*.json"\nrole = "mirror"\n'
                      '[[sources]]\npath = "max-plan/*.json"\nbilling = "subscription"\n')
    settings = load_settings(str(config), str(tmp_path / "home"))
    ingest(settings, [str(tmp_path / d) for d in ("usage", "gateway", "max-plan", "logs")])
    con = open_views(settings)
    rows = con.execute("""
        select split_part(source_file, '/', -2), grain, provider, ts::date::varchar, in_totals
        from priced_usage order by 1, 4, 3""").fetchall()
    assert rows == [
        ("gateway", "bucket", "anthropic", "2026-03-10", False),     # a mirror never counts
        ("logs", "request", "openai", "2026-03-10", True),
        ("logs", "request", "anthropic", "2026-03-11", True),
        ("max-plan", "bucket", "anthropic", "2026-03-10", False),    # a subscription is never spend
        ("usage", "bucket", "anthropic", "2026-03-10", True),        # OpenAI logs do not cover Anthropic
        ("usage", "bucket", "anthropic", "2026-03-11", False),       # the logs cover this day
        ("usage", "bucket", "anthropic", "2026-03-12", True),
    ]


def test_a_gateway_bucket_counts_beside_direct_logs_of_the_same_provider(tmp_path):
    from conftest import FIXTURES

    settings = load_settings(None, str(tmp_path / "home"))
    ingest(settings, [str(FIXTURES / "anthropic_messages_logged.jsonl"), str(FIXTURES / "openrouter_activity_daily.csv")])
    con = open_views(settings)
    # OpenRouter bills its Claude traffic itself: direct Anthropic logs on 2026-03-12 do not cover it
    assert con.execute("""
        select provider, billed_by, bool_and(in_totals) from priced_usage
        where grain = 'bucket' group by all order by all""").fetchall() == [
        ("anthropic", "openrouter", True), ("openai", "openrouter", True)]
