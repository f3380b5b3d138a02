"""The hostile-input corpus (tests/data/bad/cases.toml): each case through `spendlog ingest`, its outcome asserted —
the rows, every reject and its reason, or the file-level error and what its message tells the user to do — with
no traceback and the line accounting holding."""
import json
import os
import shutil
import time
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

import pipeline.ingest as ingest_module
from conftest import ROOT, app_record, assert_accounting, query
from pipeline.cli import cli
from pipeline.config import load_settings
from pipeline.formats import all_formats
from pipeline.lake import Lake

BAD = ROOT / "tests" / "data" / "bad"
CASES = tomllib.loads((BAD / "cases.toml").read_text(encoding="utf-8"))["case"]
MTIME = 1772323200  # 2026-03-01T00:00:00Z: the rows are dated 2026-02-10
FINANCE = (ROOT / "tests" / "data" / "formats" / "spendlog.toml").read_text(encoding="utf-8")


def line(request_id: str, pad: int = 0) -> bytes:
    record = app_record(request_id, ts="2026-02-10T10:00:00Z")
    if pad:
        record["response"]["content"] = [{"type": "text", "text": ""}]
        record["response"]["content"][0]["text"] = "y" * (pad - len(json.dumps(record, separators=(",", ":"))))
    return json.dumps(record, separators=(",", ":")).encode()


def make_file(case: dict, folder: Path, monkeypatch) -> Path:
    """The case's input in folder: a copy of its file, or what `make` names, built here."""
    path = folder / case["file"]
    make = case.get("make")
    if make == "line_100mb":  # one real 100 MB line against the default 10 MB limit
        path.write_bytes(b"\n".join([line("big_1"), line("big_2", pad=100_000_000), line("big_3")]) + b"\n")
    elif make == "line_limit":  # max_line_bytes = 100_000: a line of exactly that loads, one byte more does not
        at, over = line("lim_2", pad=100_000), line("lim_3", pad=100_001)
        assert (len(at), len(over)) == (100_000, 100_001)
        path.write_bytes(b"\n".join([line("lim_1"), at, over, line("lim_4")]) + b"\n")
    elif make == "deep_line":
        deep = b'{"ts": "2026-02-10T10:00:00Z", "x": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
        path.write_bytes(b"\n".join([line("deep_1"), deep, line("deep_3")]) + b"\n")
    elif make == "deep_document":
        path.write_bytes(b"[" * 100_000 + b"]" * 100_000 + b"\n")
    elif make == "symlink_loop_path":
        path.symlink_to(path.name)
    elif make == "dangling_symlink":  # survivor.jsonl, beside it, loads
        path.symlink_to("gone.jsonl")
        shutil.copy(BAD / "survivor.jsonl", folder / "survivor.jsonl")
        os.utime(folder / "survivor.jsonl", (MTIME, MTIME))
    else:
        shutil.copy(BAD / case["file"], path)
    if make == "symlink_loops":  # a folder linking to its parent, a link to itself, two links to each other
        (folder / "sub").mkdir()
        (folder / "sub" / "up").symlink_to("..")
        (folder / "self.jsonl").symlink_to("self.jsonl")
        (folder / "a.jsonl").symlink_to("b.jsonl")
        (folder / "b.jsonl").symlink_to("a.jsonl")
    if make == "vanish":  # it is gone by the time spendlog opens it; survivor.jsonl, beside it, loads
        shutil.copy(BAD / "survivor.jsonl", folder / "survivor.jsonl")
        os.utime(folder / "survivor.jsonl", (MTIME, MTIME))
        hash_file = ingest_module.sha256_file

        def hash_then_vanish(p: Path) -> str:
            digest = hash_file(p)
            if p.name == path.name:
                p.unlink()
            return digest

        monkeypatch.setattr(ingest_module, "sha256_file", hash_then_vanish)
    if path.exists() and not path.is_symlink():
        stamp = time.time() if make == "recent" else MTIME
        os.utime(path, (stamp, stamp))
    return path


@pytest.mark.parametrize("case", CASES, ids=[c["file"] + ":" + c["name"] for c in CASES])
def test_hostile_input(case, tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    path = make_file(case, folder, monkeypatch)
    config = tmp_path / "spendlog.toml"
    config.write_text(FINANCE + "\n" + case.get("config", ""), encoding="utf-8")
    home = tmp_path / "home"
    target = folder if case.get("make") in ("vanish", "symlink_loops", "dangling_symlink") else path
    forced = ["--format", case["format"]] if case.get("forced") else []
    args = ["--home", home, "--config", config, "ingest", "--json", *forced, target]
    result = CliRunner().invoke(cli, [str(a) for a in args])

    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == case.get("exit", 0), result.output + result.stderr
    if "stderr" in case:  # refused before any file was read
        assert result.stderr == case["stderr"].format(path=path)
        return
    summary = json.loads(result.stdout)
    settings = load_settings(str(config), str(home))

    assert query(settings, "select source_line from usage order by 1") == [(n,) for n in case.get("rows", [])]
    assert query(settings, "select source_line, reason from rejects order by 1") == sorted(
        (int(n), reason) for n, reason in case.get("rejects", {}).items())
    errors = summary["file_errors"]
    if "error" in case:
        assert [e["path"] for e in errors] == [str(path)]
        reason, _, detail = errors[0]["error"].partition(": ")
        assert reason == case["error"]
        assert case["advice"] in detail
    else:
        assert errors == []
        assert summary["duplicates"] == case.get("duplicates", 0)
        assert summary["ignored"] == sum(case.get("ignored", {}).values())
        assert summary["pending"] == ([{"path": str(path), "line": case["pending"]}] if "pending" in case else [])
        assert summary["records_read"] == (summary["rows_loaded"] + summary["rows_replaced"] + summary["duplicates"]
                                           + summary["rows_rejected"] + summary["ignored"])

    entry = Lake(home).read_manifest()["sources"].get(str(path))
    if "format" in case and entry is not None:  # a format that does not exist is not recorded
        known = case["format"] in all_formats(settings.csv_formats)
        assert entry.get("format") == (case["format"] if known else None)
    if entry is not None and "error" in case:  # refused whole: it says why, and is read again next run
        assert (entry["status"], entry["error"]) == ("refused", errors[0]["error"])
    if entry is not None and "error" not in case:
        assert entry["ignored"] == case.get("ignored", {})
    assert_accounting(settings)


def test_the_corpus_covers_the_issue():
    """At least 40 cases, and every file in tests/data/bad/ is one of them (or the vanishing file's survivor)."""
    assert len(CASES) >= 40
    assert len({c["name"] for c in CASES}) == len(CASES)
    used = {c["file"] for c in CASES} | {"survivor.jsonl", "cases.toml"}
    assert sorted(p.name for p in BAD.iterdir()) == sorted(used & {p.name for p in BAD.iterdir()})
    assert all(c.get("advice") for c in CASES if "error" in c)
