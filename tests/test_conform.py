from pipeline import fetch_dicts, sql_text
from pipeline.ingest import prepare
from pipeline.lake import connect

SECRET = "sk-ant-api03-" + "x" * 40


def conformed(settings, row: dict, app=None):
    """The conform step's output for one hand-made normalizer row (given by name, in any order)."""
    con = connect(settings)
    prepare(con)
    con.execute("insert into run_files values (0, 'logs/a.jsonl', now(), $app)", {"app": app})
    names = ", ".join(f"${name} as {name}" for name in row)
    con.execute(f"insert into normalized by name select 0 as file_id, 1 as line, {names}", row)
    return con, fetch_dicts(con, "select * from conformed")[0]


def test_conform_redacts_every_text_column_the_log_gives(settings):
    con, _ = conformed(settings, {})
    text = [name for name, kind, *_ in con.execute("describe usage_schema").fetchall()
            if kind == "VARCHAR" and name not in ("source_format", "source_file")]
    row = {name: f"{name} {SECRET}" for name in text} | {"raw_text": SECRET, "dedupe_key": "anthropic:" + SECRET}
    con, out = conformed(settings, row)
    for name in [*text, "dedupe_key"]:
        assert SECRET not in out[name] and "sk-ant-[REDACTED]" in out[name], name
    assert out["app_raw"] == "app_raw sk-ant-[REDACTED]"
    assert out["raw_text"] == SECRET  # as logged: redacted where a reject keeps it (test_secrets_scan.py)


def test_conform_redacts_tags_keys_and_values(settings):
    con = connect(settings)
    prepare(con)
    con.execute("insert into run_files values (0, 'logs/a.jsonl', now(), null)")
    con.execute(f"insert into normalized by name select 0 as file_id, 1 as line, "
                f"map {{'team': 'Bearer {SECRET}', '{SECRET}': 'x'}} as tags")
    assert con.execute("select tags from conformed").fetchall() == [
        ({"team": "Bearer [REDACTED]", "sk-ant-[REDACTED]": "x"},)]


def test_conform_gives_the_canonical_columns_in_order_and_type(settings):
    con, out = conformed(settings, {"reported_cost_usd": 1.5, "input_tokens": 3, "ts": "2026-03-01 10:00:00+00",
                                    "model": "m"}, app="from-the-run")
    schema = con.execute("describe usage_schema").fetchall()
    described = con.execute("describe conformed").fetchall()
    canonical = [(name, kind) for name, kind, *_ in described if name in {s[0] for s in schema}]
    assert canonical == [(name, kind) for name, kind, *_ in schema]
    assert str(out["reported_cost_usd"]) == "1.500000000000"
    assert out["output_tokens"] is None and out["dedupe_rank"] == 0 and out["app_raw"] == "from-the-run"
    assert out["total_tokens"] == 3


def test_a_normalizer_column_the_row_does_not_have_is_an_error(settings):
    import duckdb
    import pytest
    con = connect(settings)
    prepare(con)
    with pytest.raises(duckdb.BinderException):
        con.execute("insert into normalized by name select 0 as file_id, 1 as line, 'x' as modle")


def test_the_fingerprint_is_the_one_the_lake_stores(settings):
    """md5 over the canonical columns in schema order, provenance aside, app_raw last."""
    con, out = conformed(settings, {"request_id": "r1", "model": "m", "input_tokens": 3, "app_raw": "a"})
    columns = [name for name, *_ in con.execute("describe usage_schema").fetchall()
               if name not in ("app_raw", "source_format", "source_file", "source_line", "ingested_at")]
    assert len(columns) == 33
    expected = con.execute(f"select md5(row({', '.join(columns)}, app_raw)::varchar) from conformed").fetchall()[0][0]
    assert out["row_fingerprint"] == expected
    assert con.execute("select md5(row(request_id, model)::varchar) from conformed").fetchall()[0][0] != expected
