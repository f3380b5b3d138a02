"""The format registry: each module a Format with its defaults, each with its normalizer and its README row."""
import re
import types

import pytest

from conftest import ROOT
from pipeline.formats import FORMATS, Format, from_module

FORMATS_DIR = ROOT / "pipeline" / "formats"


def readme_formats_table() -> list[tuple[str, str]]:
    """(first cell, second cell) of each row of the README's Formats table."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## Formats\n", 1)[1]
    table = section.split("| format | what it reads |\n|---|---|\n", 1)[1]
    rows = []
    for line in table.splitlines():
        if not line.startswith("|"):
            break
        first, text = re.fullmatch(r"\| (.+?) \| (.*) \|", line).groups()
        rows.append((first, text.replace("\\|", "|")))
    return rows


def test_every_format_module_and_normalizer_make_a_pair():
    modules = {p.stem for p in FORMATS_DIR.glob("*.py") if not p.name.startswith("_")}
    normalizers = {p.stem for p in (ROOT / "sql" / "normalize").glob("*.sql") if not p.name.startswith("_")}
    assert set(FORMATS) == modules
    assert normalizers - {"mapped_csv"} == modules  # mapped_csv.sql serves the user's [csv_formats.NAME] layouts
    for name, fmt in FORMATS.items():
        assert fmt.name == name and fmt.sql == f"normalize/{name}.sql"


def test_the_readme_formats_table_has_one_row_per_format_with_its_description():
    rows = readme_formats_table()
    names = [first.strip("`") for first, _ in rows if first.startswith("`")]
    assert sorted(names) == sorted(FORMATS)
    assert [first for first, _ in rows if not first.startswith("`")] == ["your own CSV"]
    for first, text in rows:
        if first.startswith("`"):
            assert text == FORMATS[first.strip("`")].description, f"README row and DESCRIPTION differ: {first}"


def test_a_module_gets_the_defaults_for_what_it_leaves_out():
    module = types.ModuleType("pipeline.formats.some_log")
    module.DESCRIPTION, module.EXAMPLE, module.VERSION = "Some log", "{}", 3
    module.sniff = lambda record, head: False
    fmt = from_module(module)
    assert (fmt.name, fmt.sql, fmt.reader, fmt.sniff_order, fmt.version) == (
        "some_log", "normalize/some_log.sql", "lines", 100, 3)
    assert fmt.params(None, {}) == {}
    module.READER, module.SNIFF_ORDER = "csv", 10
    assert (from_module(module).reader, from_module(module).sniff_order) == ("csv", 10)


def test_a_module_may_not_restate_its_name_or_name_an_unknown_reader():
    module = types.ModuleType("pipeline.formats.some_log")
    module.DESCRIPTION, module.EXAMPLE, module.VERSION = "Some log", "{}", 1
    module.sniff = lambda record, head: False
    module.READER = "xml"
    with pytest.raises(ValueError, match="reader 'xml'"):
        from_module(module)
    del module.READER
    module.NAME = "some_log"
    with pytest.raises(TypeError, match="name and SQL file come from its module's name"):
        from_module(module)


def test_the_formats_are_tried_in_sniff_order_then_by_name():
    assert list(FORMATS) == sorted(FORMATS, key=lambda name: (FORMATS[name].sniff_order, name))
    assert all(isinstance(fmt, Format) for fmt in FORMATS.values())
