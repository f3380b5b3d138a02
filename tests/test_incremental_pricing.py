"""An ingest prices again only the UTC days its rows (and the lake rows sharing their keys) fall on (issue 14), and
what it keeps equals a rebuild of the whole priced table: the rules that look beyond a row look within a UTC day."""
import json
from pathlib import Path
from decimal import Decimal

from conftest import app_record, fixture, query, write_jsonl
from pipeline.ingest import ingest
from pipeline.lake import Lake, connect, file_day
from pipeline.priced import reprice


def priced_rows(settings):
    """Every priced row, internal order aside, as JSON text (a row-by-row comparison of the whole table)."""
    return query(settings, "select to_json(p)::varchar as row from priced_usage p order by all")


def priced_files(settings) -> dict[str, list[str]]:
    """The priced table's files by the UTC day each holds."""
    files: dict[str, list[str]] = {}
    for rel in Lake(settings.home).read_manifest()["tables"]["priced"]:
        files.setdefault(str(file_day(rel)), []).append(rel)
    return files


def rebuild(settings):
    lake = Lake(settings.home)
    manifest = lake.read_manifest()
    con = connect(settings)
    reprice(con, lake, manifest, settings)
    lake.write_manifest(manifest, settings)
    con.close()


def test_a_new_file_prices_its_days_again_and_keeps_the_others(tmp_path, settings):
    january = write_jsonl(tmp_path / "in" / "january.jsonl", [
        app_record("j1", ts="2026-01-10T10:00:00.000Z"), app_record("j2", ts="2026-01-20T10:00:00.000Z")])
    february = write_jsonl(tmp_path / "in" / "february.jsonl", [app_record("f1", ts="2026-02-10T10:00:00.000Z")])
    ingest(settings, [str(january), str(february)])
    before = priced_files(settings)
    assert sorted(before) == ["2026-01-10", "2026-01-20", "2026-02-10"]

    # March: the Admin API cost report states $17.5049017 for 2026-03-12, a money-only bucket that counts only while
    # no request row of the same UTC day and biller does; a request on that day arrives in the same run
    march = write_jsonl(tmp_path / "in" / "march.jsonl", [app_record("m1", ts="2026-03-12T10:00:00.000Z")])
    ingest(settings, [str(march), str(fixture(tmp_path, "anthropic_cost_report.json"))])
    after = priced_files(settings)
    assert {day: after[day] for day in before} == before  # not priced again
    assert sorted(after) == ["2026-01-10", "2026-01-20", "2026-02-10", "2026-03-12"]
    # the request counts (haiku 4.5: 100 input × $1 + 20 output × $5 per 1M = $0.0002 each), the export does not
    assert query(settings, "select sum(cost_usd) from priced_usage where in_totals") == [(Decimal("0.0008"),)]

    incremental = priced_rows(settings)
    rebuild(settings)
    assert priced_rows(settings) == incremental
    assert len(incremental) == 4 + 5


def test_a_late_row_prices_its_old_day_again(tmp_path, settings):
    # the cost report's money-only day first counts ($17.5049017), then a late request for the same day and biller
    # arrives: the bucket stops counting, that day priced again and no other
    ingest(settings, [str(fixture(tmp_path, "anthropic_cost_report.json")),
                      str(write_jsonl(tmp_path / "in" / "april.jsonl", [app_record("a1", ts="2026-04-02T10:00:00.000Z")]))])
    assert query(settings, "select sum(cost_usd) from priced_usage where in_totals") == [(Decimal("17.5051017"),)]
    april = priced_files(settings)["2026-04-02"]
    ingest(settings, [str(write_jsonl(tmp_path / "in" / "late.jsonl", [app_record("m1", ts="2026-03-12T23:00:00.000Z")]))])
    assert priced_files(settings)["2026-04-02"] == april
    assert query(settings, "select sum(cost_usd) from priced_usage where in_totals") == [(Decimal("0.0004"),)]
    incremental = priced_rows(settings)
    rebuild(settings)
    assert priced_rows(settings) == incremental


def test_stale_prices_or_month_files_reprice_every_day(tmp_path, settings):
    path = write_jsonl(tmp_path / "in" / "a.jsonl", [
        app_record("j1", ts="2026-01-10T10:00:00.000Z"), app_record("f1", ts="2026-02-10T10:00:00.000Z")])
    ingest(settings, [str(path)])
    lake = Lake(settings.home)
    manifest = lake.read_manifest()
    manifest["priced_stamp"] = "stale"
    lake.write_manifest(manifest)
    january = priced_files(settings)["2026-01-10"]
    ingest(settings, [str(write_jsonl(tmp_path / "in" / "b.jsonl", [app_record("f2", ts="2026-02-11T10:00:00.000Z")]))])
    assert priced_files(settings)["2026-01-10"] != january  # a stale stamp prices the whole lake again
    # a home priced by month (spendlog 0.2) has files without a day: the next ingest prices every day again
    manifest = lake.read_manifest()
    month_file = Path(manifest["tables"]["priced"][0]).with_name("priced-0123456789abcdef.parquet")
    (lake.home / manifest["tables"]["priced"][0]).rename(lake.home / month_file)
    manifest["tables"]["priced"][0] = str(month_file)
    lake.write_manifest(manifest)
    ingest(settings, [str(write_jsonl(tmp_path / "in" / "c.jsonl", [app_record("f3", ts="2026-02-12T10:00:00.000Z")]))])
    assert None not in {file_day(rel) for rel in lake.read_manifest()["tables"]["priced"]}
    assert sorted(priced_files(settings)) == ["2026-01-10", "2026-02-10", "2026-02-11", "2026-02-12"]
    assert [json.loads(row)["request_id"] for (row,) in priced_rows(settings)] == ["f1", "f2", "f3", "j1"]
