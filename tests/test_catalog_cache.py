"""The checked catalogue is kept as Parquet in the user's cache, so a process after the first reads it without
reading and checking the CSVs again; it gives the same tables, and a bad file is never cached."""
import duckdb
import pytest

from pipeline.pricing import catalog
from pipeline.pricing.catalog import CATALOG_TABLES, UserPricesError, load_catalog

USER_HEADER = "provider,model,effective_from,effective_to,input,output,source\n"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    root = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(root))
    checked = catalog._checked_catalog
    checked.cache_clear()
    yield root / "spendlog" / "catalog"
    checked.cache_clear()


def tables(con) -> dict:
    return {name: (con.execute(f"describe {name}").fetchall(), sorted(map(repr, con.table(name).fetchall())))
            for name in CATALOG_TABLES}


def loaded(user_file=None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    load_catalog(con, user_file)
    return con


def test_a_later_process_reads_the_cached_tables_the_same_as_the_checked_ones(cache, monkeypatch, tmp_path):
    first = loaded()
    [folder] = list(cache.iterdir())
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{name}.parquet" for name in CATALOG_TABLES)
    fresh = duckdb.connect()
    for name, arrow in catalog._checked_catalog(*_key()).items():
        fresh.execute(f"create table {name} as select * from arrow")
    assert tables(first) == tables(fresh)

    # a new process: nothing read or checked again
    catalog._checked_catalog.cache_clear()
    monkeypatch.setattr(catalog, "_checked_catalog", lambda *a: pytest.fail("the CSVs were read again"))
    again = loaded()
    assert tables(again) == tables(fresh)
    assert again.execute("select count(*) from price_catalog").fetchone()[0] > 2000


def test_a_user_file_is_part_of_the_key_and_a_bad_one_is_never_cached(cache, tmp_path):
    loaded()
    user = tmp_path / "prices.csv"
    user.write_text(USER_HEADER + "acme,private-model,2026-01-01,,2,4,internal\n")
    con = loaded(user)
    assert con.execute("select count(*) from price_catalog where model = 'private-model'").fetchone() == (1,)
    assert len(list(cache.iterdir())) == 2
    user.write_text(USER_HEADER + "acme,private-model,2026-01-01,,2,-4,internal\n")
    with pytest.raises(UserPricesError, match="output is negative"):
        loaded(user)
    assert len([p for p in cache.iterdir() if not p.name.startswith(".")]) == 2
    with pytest.raises(UserPricesError):  # and again: the check runs every time, the error is not forgotten
        loaded(user)


def test_an_unwritable_cache_still_gives_the_catalogue(tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    catalog._checked_catalog.cache_clear()
    con = loaded()
    assert con.execute("select count(*) from model_aliases").fetchone()[0] > 1000


def _key():
    return ((catalog.PRICES_CSV, catalog.ALIASES_CSV, catalog.IMPORTED_PRICES_CSV, catalog.IMPORTED_ALIASES_CSV),
            None, None, None)
