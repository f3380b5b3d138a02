import json
import struct
import subprocess
import sys
from decimal import Decimal

from conftest import FIXTURES, app_record, write_jsonl
from pipeline.config import load_settings
from pipeline.lake import Lake
from pipeline.warehouse import refresh_warehouse, warehouse_path

VIEWS = ("usage", "priced_usage", "spend", "rejects", "prices", "ingested_files", "daily_spend")


def in_warehouse(path, query):
    """The rows of a query over the warehouse, read by another process, read-only, with nothing but duckdb."""
    script = ("import duckdb, json, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
              "print(json.dumps(con.execute(sys.argv[2]).fetchall(), default=str))")
    done = subprocess.run([sys.executable, "-c", script, str(path), query], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_ingest_builds_it_and_rebuilds_it_only_when_the_manifest_changes(run, home, tmp_path):
    logs = write_jsonl(tmp_path / "logs" / "a.jsonl", [app_record("req_1")])
    assert run("ingest", logs).exit_code == 0
    path = home / "warehouse.duckdb"
    built = path.stat()
    assert run("ingest", logs).exit_code == 0  # nothing new
    assert run("sql", "select 1").exit_code == 0
    assert not refresh_warehouse(load_settings(None, str(home)))
    again = path.stat()
    assert (again.st_ino, again.st_mtime_ns) == (built.st_ino, built.st_mtime_ns)
    write_jsonl(tmp_path / "logs" / "b.jsonl", [app_record("req_2")])
    assert run("ingest", logs.parent).exit_code == 0
    assert path.stat().st_ino != built.st_ino
    assert in_warehouse(path, "select request_id from usage order by 1") == [["req_1"], ["req_2"]]
    assert Lake(home).read_state("warehouse")["key"]


def test_a_config_change_that_reprices_rebuilds_it(run, home, tmp_path):
    logs = write_jsonl(tmp_path / "a.jsonl", [app_record("req_1", app=None)])
    assert run("ingest", logs).exit_code == 0
    config = tmp_path / "spendlog.toml"
    config.write_text('[[attribution]]\napp = "billing"\npath = "**/a.jsonl"\n')
    assert run("sql", "select 1", config=config).exit_code == 0
    assert in_warehouse(home / "warehouse.duckdb", "select app from spend") == [["billing"]]


def test_its_views_give_what_spendlog_sql_gives(run, home):
    assert run("ingest", FIXTURES, config=FIXTURES / "spendlog.toml").exit_code == 0
    queries = [f"select count(*) from {view}" for view in VIEWS] + [
        "select sum(cost_usd)::varchar, sum(input_tokens) from spend",
        "select app, model, sum(cost_usd)::varchar from daily_spend group by all order by all",
        "select sum(rows_loaded), sum(duplicates), sum(ignored) from ingested_files",
        "select count(*), sum(cost_as_usd)::varchar from price_as('claude-sonnet-4-6')",
    ]
    for query in queries:
        result = run("sql", query, "--format", "json", config=FIXTURES / "spendlog.toml")
        assert result.exit_code == 0, result.stderr
        expected = [list(row.values()) for row in json.loads(result.stdout)]
        assert in_warehouse(home / "warehouse.duckdb", query) == expected, query
    [[total]] = in_warehouse(home / "warehouse.duckdb", "select sum(cost_usd)::varchar from spend")
    assert Decimal(total) > 0


def test_an_empty_home_has_every_view(run, home):
    assert run("sql", "select 1").exit_code == 0
    counts = in_warehouse(home / "warehouse.duckdb", " union all ".join(f"select count(*) from {v}" for v in VIEWS[:4]))
    assert counts == [[0]] * 4


def test_it_is_written_in_the_storage_format_of_duckdb_1_2(run, home, tmp_path):
    assert run("ingest", write_jsonl(tmp_path / "a.jsonl", [app_record("req_1")])).exit_code == 0
    path = home / "warehouse.duckdb"
    # The main header: 8 bytes of checksum, the magic bytes DUCK, then the storage version number (64-bit, little
    # endian); 65 is v1.2.x in the storage version table of DuckDB's docs (internals/storage). duckdb_databases()
    # tags the file with the lowest version that reads it, which is how DuckDB's own tests check STORAGE_VERSION.
    header = path.read_bytes()[:20]
    assert header[8:12] == b"DUCK"
    assert struct.unpack("<Q", header[12:20])[0] == 65
    assert in_warehouse(path, "select tags['storage_version'] from duckdb_databases() where database_name = 'warehouse'") \
        == [["v1.2.0+"]]


READER = """
import sys, duckdb
held = duckdb.connect(sys.argv[1], read_only=True)  # opened before the ingest, queried during and after it
for _ in sys.stdin:
    print(held.execute("select count(*) from spend").fetchone()[0], flush=True)
"""


def test_readers_query_it_during_an_ingest_in_another_process_and_keep_the_old_file_after_the_swap(run, home, tmp_path):
    assert run("ingest", write_jsonl(tmp_path / "a.jsonl", [app_record("req_1"), app_record("req_2")])).exit_code == 0
    assert run("samples", "generate", "--out", tmp_path / "samples").exit_code == 0
    path = home / "warehouse.duckdb"
    old_inode = path.stat().st_ino
    reader = subprocess.Popen([sys.executable, "-c", READER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)

    def held_count():
        reader.stdin.write("query\n")
        reader.stdin.flush()
        return int(reader.stdout.readline())

    assert held_count() == 2
    ingest = subprocess.Popen([sys.executable, "-m", "pipeline", "--home", str(home),
                               "--config", str(tmp_path / "samples" / "spendlog.toml"), "ingest", str(tmp_path / "samples"),
                               "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    during, fresh = [], []
    while ingest.poll() is None:
        [[count]] = in_warehouse(path, "select count(*) from spend")
        fresh.append(count)
        during.append((held_count(), ingest.poll() is None))
    out, err = ingest.communicate()
    assert ingest.returncode == 0, err
    loaded = json.loads(out)["rows_loaded"]
    assert any(still_running for _, still_running in during)  # some queries ran while the ingest was running
    assert {count for count, _ in during} == {2}
    assert fresh == sorted(fresh) and set(fresh) <= {2, 2 + loaded}
    assert path.stat().st_ino != old_inode
    assert held_count() == 2  # the old file, still open, still reads
    assert in_warehouse(path, "select count(*) from spend") == [[2 + loaded]]
    reader.stdin.close()
    assert reader.wait() == 0


def test_no_build_files_are_left_behind(run, home, tmp_path):
    assert run("ingest", write_jsonl(tmp_path / "a.jsonl", [app_record("req_1")])).exit_code == 0
    assert warehouse_path(load_settings(None, str(home))).exists()
    assert sorted(p.name for p in home.iterdir() if "warehouse" in p.name) == ["warehouse.duckdb"]
    # a build killed before its cleanup leaves its file and WAL: the next build removes them
    (home / ".warehouse.duckdb.0123456789ab.tmp").write_bytes(b"x" * 1000)
    (home / ".warehouse.duckdb.0123456789ab.tmp.wal").write_bytes(b"x")
    assert run("ingest", write_jsonl(tmp_path / "b.jsonl", [app_record("req_2")])).exit_code == 0
    assert sorted(p.name for p in home.iterdir() if "warehouse" in p.name) == ["warehouse.duckdb"]
