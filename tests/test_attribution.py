from conftest import app_record, write_jsonl
from pipeline.config import load_settings
from pipeline.derived import open_views
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
