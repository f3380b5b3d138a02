"""DuckDB's CSV reader (clean_csv_rows) gives exactly what the line-exact reader (csv_rows_line_exact) gives, or
declines the file and leaves it to that reader."""
import gzip
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline.errors import FileError
from pipeline.lines import clean_csv_rows, csv_rows_line_exact

FORMATS = Path(__file__).parent / "data" / "formats"


def pairs(tables) -> list[tuple[int, bytes]]:
    return [(line, data) for table in tables
            for line, data in zip(table["line"].to_pylist(), table["bytes"].to_pylist())]


def by_python(path: Path) -> list[tuple[int, bytes]] | str:
    """csv_rows_line_exact's (line, bytes) pairs, or its file-level error."""
    try:
        return pairs(csv_rows_line_exact(path))
    except FileError as exc:
        return str(exc)


def by_duckdb(path: Path) -> list[tuple[int, bytes]] | None:
    """clean_csv_rows' (line, bytes) pairs, or None when it declines the file."""
    rows = clean_csv_rows(path)
    return None if rows is None else pairs(rows)


@pytest.mark.parametrize("name", sorted(p.name for p in FORMATS.glob("*.csv")))
def test_every_csv_fixture_reads_the_same_and_clean_ones_by_duckdb(name):
    path = FORMATS / name
    fast = by_duckdb(path)
    if name != "finance_sheet.csv":  # its rows are quoted
        assert fast is not None
    if fast is not None:
        assert fast == by_python(path)


@pytest.mark.parametrize("text, reason", [
    (b'a,b\n1,"two\nlines"\n3,4\n', "a row spans two lines"),
    (b"a,b\n1,2\n\n3,4\n", "a blank line"),
    (b"a,b\n1,2\n3\n", "a short row"),
    (b"a,b\n1,2,\n", "a row with an empty field more than the header"),
    (b'a,b\n"1" ,2\n', "text after a closing quote"),
    (b'a,b\n1 "x" 1,2\n', "a quote inside an unquoted field"),
    (b"a,b\n1\x0b,2\n", "a control character"),
    (b"a,b\r1,2\r", "lines ended by CR alone"),
    (b"a,b\n\xff,2\n", "invalid UTF-8"),
    (b"a,a\n1,2\n", "a repeated column name"),
    (b'"a",b\n1,2\n', "a quoted header"),
    (b"\na,b\n1,2\n", "a blank first line"),
])
def test_files_duckdb_may_read_otherwise_are_declined_and_read_line_exact(tmp_path, text, reason):
    path = tmp_path / "export.csv"
    path.write_bytes(text)
    assert by_duckdb(path) is None, reason
    assert by_python(path)  # the line-exact reader still reads it (or says why not)


def test_a_gzip_file_a_bom_crlf_quotes_and_blank_rows(tmp_path):
    text = '\ufeffid , name,note\r\n1,"a, b","say ""hi"""\r\n2,é,\r\n , ,\r\n3,"",x'.encode()
    plain = tmp_path / "plain.csv"
    plain.write_bytes(text)
    packed = tmp_path / "packed.csv.gz"
    packed.write_bytes(gzip.compress(text))
    expected = [(2, b'{"id": "1", "name": "a, b", "note": "say \\"hi\\""}'),
                (3, '{"id": "2", "name": "é", "note": ""}'.encode()),
                (4, b""),
                (5, b'{"id": "3", "name": "", "note": "x"}')]
    assert by_python(plain) == expected
    assert by_duckdb(plain) == expected
    assert by_duckdb(packed) == expected


cells = st.text(alphabet=['a', '1', ' ', ',', '"', '\n', '\r', '\t', '\\', "'", 'é', '\xa0', '\u2028', '\x0c', '{'],
                max_size=8)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.lists(cells, max_size=12), width=st.integers(1, 3), end=st.sampled_from(["", "\n", "\r\n"]))
def test_whatever_duckdb_reads_it_reads_as_python_does(tmp_path, body, width, end):
    path = tmp_path / "random.csv"
    header = ",".join(f"h{i}" for i in range(width))
    path.write_bytes((header + "\n" + "".join(body) + end).encode())
    fast = by_duckdb(path)
    if fast is not None:
        assert fast == by_python(path)
