"""Each ingest adds a Parquet file per month it touches; a month's small files are merged into one inside the commit
(issue 14: after a year of nightlies, queries no slower than after one), with every row as it was."""
from conftest import app_record, assert_accounting, query, write_jsonl
from pipeline.ingest import ingest
from pipeline.lake import COMPACT_FILES, Lake


def usage_rows(settings):
    """Every usage row with its internal columns, as JSON text (a row-by-row comparison of the table)."""
    lake = Lake(settings.home)
    files = [str(lake.home / rel) for rel in lake.read_manifest()["tables"]["usage"]]
    return query(settings, "select to_json(u)::varchar from read_parquet($files, hive_partitioning = false) u "
                           "order by all", {"files": files})


def files_of(settings, table):
    return Lake(settings.home).read_manifest()["tables"][table]


def test_a_months_small_files_are_merged_with_every_row_kept(tmp_path, settings):
    for night in range(1, COMPACT_FILES):
        path = write_jsonl(tmp_path / "in" / f"night-{night}.jsonl", [
            app_record(f"r{night}", ts=f"2026-02-{night:02d}T10:00:00.000Z"),
            '{"not json',  # a reject each night: the rejects table is merged too
        ])
        ingest(settings, [str(path)])
    assert len(files_of(settings, "usage")) == len(files_of(settings, "rejects")) == COMPACT_FILES - 1
    before = usage_rows(settings)
    spend = query(settings, "select sum(cost_usd), count(*) from priced_usage")
    priced = files_of(settings, "priced")

    path = write_jsonl(tmp_path / "in" / "night-8.jsonl", [app_record("r8", ts="2026-02-08T10:00:00.000Z"),
                                                           '{"not json'])
    ingest(settings, [str(path)])
    assert len(files_of(settings, "usage")) == len(files_of(settings, "rejects")) == 1
    after = usage_rows(settings)
    assert len(after) == len(before) + 1 and set(before) < set(after)
    assert query(settings, "select count(*) from rejects") == [(COMPACT_FILES,)]
    # the merged rows are the same rows: the days priced before stay as they were, the new day adds its request
    # (haiku 4.5: 100 input × $1 + 20 output × $5 per 1M = $0.0002)
    assert set(priced) < set(files_of(settings, "priced"))
    assert query(settings, "select sum(cost_usd), count(*) from priced_usage") == [(spend[0][0] * 8 / 7, 8)]
    assert_accounting(settings)

    # a repeat of an early night's request is a duplicate of the merged file's row
    again = write_jsonl(tmp_path / "in" / "repeat.jsonl", [app_record("r1", ts="2026-02-01T10:00:00.000Z")])
    assert ingest(settings, [str(again)]).as_dict()["duplicates"] == 1
    assert query(settings, "select count(*) from usage") == [(8,)]


def test_a_month_with_few_small_files_is_left_alone(tmp_path, settings):
    for month in range(1, COMPACT_FILES + 1):  # one file in each of 8 months
        ingest(settings, [str(write_jsonl(tmp_path / "in" / f"m{month}.jsonl",
                                          [app_record(f"r{month}", ts=f"2025-{month:02d}-03T10:00:00.000Z")]))])
    assert len(files_of(settings, "usage")) == COMPACT_FILES
