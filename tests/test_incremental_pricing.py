"""An ingest prices again only the UTC months whose usage files changed (issue 14), and what it keeps equals a
rebuild of the whole priced table: the rules that look beyond a row look within a UTC day."""
import json
from decimal import Decimal

from conftest import app_record, fixture, query, write_jsonl
from pipeline.ingest import ingest
from pipeline.lake import Lake, connect
from pipeline.priced import reprice


def priced_rows(settings):
    """Every priced row, internal order aside, as JSON text (a row-by-row comparison of the whole table)."""
    return query(settings, "select to_json(p)::varchar as row from priced_usage p order by all")


def priced_files(settings) -> dict[str, list[str]]:
    files: dict[str, list[str]] = {}
    for rel in Lake(settings.home).read_manifest()["tables"]["priced"]:
        month = rel.split("utc_year=")[1][:4] + "-" + rel.split("utc_month=")[1][:2]
        files.setdefault(month, []).append(rel)
    return files


def rebuild(settings):
    lake = Lake(settings.home)
    manifest = lake.read_manifest()
    con = connect(settings)
    reprice(con, lake, manifest, settings)
    lake.write_manifest(manifest, settings)
    con.close()


def test_a_new_file_prices_its_months_again_and_keeps_the_others(tmp_path, settings):
    january = write_jsonl(tmp_path / "in" / "january.jsonl", [
        app_record("j1", ts="2026-01-10T10:00:00.000Z"), app_record("j2", ts="2026-01-20T10:00:00.000Z")])
    february = write_jsonl(tmp_path / "in" / "february.jsonl", [app_record("f1", ts="2026-02-10T10:00:00.000Z")])
    ingest(settings, [str(january), str(february)])
    before = priced_files(settings)
    assert sorted(before) == ["2026-01", "2026-02"]

    # March: the Admin API cost report states $17.5049017 for 2026-03-12, a money-only bucket that counts only while
    # no request row of the same UTC day and biller does; a request on that day arrives in the same run
    march = write_jsonl(tmp_path / "in" / "march.jsonl", [app_record("m1", ts="2026-03-12T10:00:00.000Z")])
    ingest(settings, [str(march), str(fixture(tmp_path, "anthropic_cost_report.json"))])
    after = priced_files(settings)
    assert after["2026-01"] == before["2026-01"] and after["2026-02"] == before["2026-02"]  # not priced again
    assert sorted(after) == ["2026-01", "2026-02", "2026-03"]
    # the request counts (haiku 4.5: 100 input × $1 + 20 output × $5 per 1M = $0.0002 each), the export does not
    assert query(settings, "select sum(cost_usd) from priced_usage where in_totals") == [(Decimal("0.0008"),)]

    incremental = priced_rows(settings)
    rebuild(settings)
    assert priced_rows(settings) == incremental
    assert len(incremental) == 4 + 5


def test_a_late_row_prices_its_old_month_again(tmp_path, settings):
    # the cost report's money-only day first counts ($17.5049017), then a late request for the same day and biller
    # lands in March again: the bucket stops counting, in March only
    ingest(settings, [str(fixture(tmp_path, "anthropic_cost_report.json")),
                      str(write_jsonl(tmp_path / "in" / "april.jsonl", [app_record("a1", ts="2026-04-02T10:00:00.000Z")]))])
    assert query(settings, "select sum(cost_usd) from priced_usage where in_totals") == [(Decimal("17.5051017"),)]
    april = priced_files(settings)["2026-04"]
    ingest(settings, [str(write_jsonl(tmp_path / "in" / "late.jsonl", [app_record("m1", ts="2026-03-12T23:00:00.000Z")]))])
    assert priced_files(settings)["2026-04"] == april
    assert query(settings, "select sum(cost_usd) from priced_usage where in_totals") == [(Decimal("0.0004"),)]
    incremental = priced_rows(settings)
    rebuild(settings)
    assert priced_rows(settings) == incremental


def test_stale_prices_reprice_every_month(tmp_path, settings, home):
    path = write_jsonl(tmp_path / "in" / "a.jsonl", [
        app_record("j1", ts="2026-01-10T10:00:00.000Z"), app_record("f1", ts="2026-02-10T10:00:00.000Z")])
    ingest(settings, [str(path)])
    lake = Lake(settings.home)
    manifest = lake.read_manifest()
    manifest["priced_stamp"] = "stale"
    lake.write_manifest(manifest)
    january = priced_files(settings)["2026-01"]
    ingest(settings, [str(write_jsonl(tmp_path / "in" / "b.jsonl", [app_record("f2", ts="2026-02-11T10:00:00.000Z")]))])
    assert priced_files(settings)["2026-01"] != january  # a stale stamp prices the whole lake again
    assert json.loads(priced_rows(settings)[0][0])["request_id"]
