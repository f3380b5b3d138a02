"""The installable package: the wheel carries every file the program reads, the version comes from one place."""
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib import metadata

import pytest

from conftest import ROOT
from pipeline import __version__
from pipeline.pricing import catalog_version

# Read through importlib.resources from the installed package, each file compared with the checkout's copy.
CHECK_RESOURCES = """
import pathlib, sys, pipeline
from pipeline import resource
root = pathlib.Path(sys.argv[1])
assert pathlib.Path(pipeline.__file__).is_relative_to(sys.argv[2]), pipeline.__file__
files = [("sql", p) for p in (root / "sql").rglob("*.sql")] + [("templates", p) for p in (root / "templates").rglob("*")
         if p.suffix in (".html", ".md", ".css", ".txt")] + [("catalog", p) for p in (root / "pipeline/catalog").glob("*.csv")]
base = {"sql": root / "sql", "templates": root / "templates", "catalog": root / "pipeline/catalog"}
for folder, path in files:
    name = path.relative_to(base[folder]).as_posix()
    assert resource(folder, name).read_bytes() == path.read_bytes(), (folder, name)
print(len(files))
"""


def shipped_files() -> list:
    return ([p for p in (ROOT / "sql").rglob("*.sql")]
            + [p for p in (ROOT / "templates").rglob("*") if p.suffix in (".html", ".md", ".css", ".txt")]
            + list((ROOT / "pipeline" / "catalog").glob("*.csv")))


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory):
    """The project built as a wheel and installed (without dependencies) into a folder of its own."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"  # a copy, so the build leaves nothing (such as build/) in the checkout
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__",
                                                                "spendlog-demo", ".pytest_cache", ".hypothesis"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(work / "dist"), str(source)],
                   check=True, capture_output=True)
    wheel = next((work / "dist").glob("spendlog-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(work / "site"),
                    str(wheel)], check=True, capture_output=True)
    return wheel, work / "site"


def run_installed(site, *args, cwd):
    """python -m pipeline (or a script) with only the installed wheel's copy of the package importable."""
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("SPENDLOG_HOME", None)
    env.pop("SPENDLOG_CONFIG", None)
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_the_wheel_holds_every_sql_file_template_and_catalogue(installed_wheel):
    wheel, _ = installed_wheel
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {"pipeline/" + p.relative_to(ROOT).as_posix().removeprefix("pipeline/") for p in shipped_files()}
    assert expected <= names
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "pipeline").rglob("*.py")}
    assert {n for n in names if n.endswith(".py") and n.split("/")[1] not in ("sql", "templates")} == modules
    assert not [n for n in names if "sample_logs" in n or n.startswith(("tests/", "sql/", "templates/"))]


def test_every_shipped_file_is_read_through_importlib_resources_from_the_installed_package(installed_wheel, tmp_path):
    _, site = installed_wheel
    result = run_installed(site, "-c", CHECK_RESOURCES, str(ROOT), str(site), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(shipped_files()) > 50


def test_the_demo_runs_from_the_installed_wheel_in_an_empty_folder(installed_wheel, tmp_path):
    _, site = installed_wheel
    result = run_installed(site, "-m", "pipeline", "demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        f"Ingested 5,080 records from 91 files into {tmp_path / 'spendlog-demo'}",
        "Spend 2026-02-05 to 2026-03-06: $66.46",
    ]
    assert (tmp_path / "spendlog-demo" / "reports" / "monthly-2026-02.html").is_file()


def test_the_version_comes_from_pyproject():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert __version__ == metadata.version("spendlog") == declared


def test_python_m_pipeline_prints_the_version_and_the_catalogue(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pipeline", "--version"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"spendlog {__version__}, price catalogue {catalog_version()}\n"
