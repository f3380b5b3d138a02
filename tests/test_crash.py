"""Crash safety of the nightly run and of a report (issue 15): SIGKILL at several points, then a rerun, gives the
same rows, reports and manifest as a clean run; no staged file is ever live and no half-written page is visible."""
import os
import signal
import subprocess
import sys
import textwrap
import time

from conftest import app_record, query, write_jsonl
from pipeline.config import load_settings
from pipeline.lake import Lake

NOW = "2026-03-03T06:00:00Z"
APPS = ("bot", "writer", "<script>x</script>")


def write_logs(logs):
    """Four days of three apps' requests (25 Feb – 2 Mar), a file per app and day: a night renders four daily
    reports and February's."""
    for day in ("2026-02-25", "2026-02-27", "2026-02-28", "2026-03-02"):
        for a, app in enumerate(APPS):
            write_jsonl(logs / f"{app[:3]}-{day}.jsonl", [
                app_record(f"{day}-{a}-{i}", ts=f"{day}T{8 + i % 12:02d}:{i:02d}:00Z", app=app,
                           input_tokens=1_000 * (i + 1), output_tokens=100 + i) for i in range(20)])


def make_home(tmp_path, name, logs):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "spendlog.toml").write_text(textwrap.dedent(f"""\
        data_dir = "home"
        [[sources]]
        path = "{logs}/**/*.jsonl"
        [budgets]
        total = 60
    """))
    return folder


def spendlog(folder, *args) -> subprocess.Popen:
    env = {**os.environ, "SPENDLOG_NOW": NOW}
    return subprocess.Popen([sys.executable, "-m", "pipeline", "--config", str(folder / "spendlog.toml"), *args],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def state(folder):
    """What a run leaves that a user sees: the canonical rows, the priced total and every report page, by name."""
    settings = load_settings(str(folder / "spendlog.toml"))
    rows = query(settings, "select * exclude (ingested_at) from usage order by source_file, source_line")
    [(spend,)] = query(settings, "select sum(cost_usd) from spend")
    pages = {p.name: p.read_text() for p in sorted((folder / "home" / "reports").glob("*.md"))}
    manifest = Lake(settings.home).read_manifest()
    live = {str(settings.home / p) for table in manifest["tables"].values() for p in table}
    on_disk = {str(p) for p in (settings.home / "lake").rglob("*.parquet")}
    assert live <= on_disk and not any("/.staging/" in p for p in live)
    return rows, spend, pages


def killed_then_rerun(tmp_path, logs, name, args, fraction, duration):
    folder = make_home(tmp_path, name, logs)
    proc = spendlog(folder, *args)
    time.sleep(duration * fraction)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    rerun = spendlog(folder, "nightly")
    assert rerun.wait() == 0, rerun.stderr.read().decode()
    return folder


def test_sigkill_during_nightly_then_rerun_gives_what_a_clean_night_gives(tmp_path):
    logs = tmp_path / "logs"
    write_logs(logs)
    clean = make_home(tmp_path, "clean", logs)
    start = time.monotonic()
    assert spendlog(clean, "nightly").wait() == 0
    duration = time.monotonic() - start
    expected = state(clean)
    assert len(expected[0]) == 240 and len(expected[2]) == 5  # the rows, February's report and each day's
    for i, fraction in enumerate((0.2, 0.5, 0.8)):
        folder = killed_then_rerun(tmp_path, logs, f"killed{i}", ["nightly"], fraction, duration)
        assert state(folder) == expected, f"killed at {fraction:.0%} of a night"


def test_sigkill_during_a_report_leaves_the_old_page_or_the_new_one(tmp_path):
    logs = tmp_path / "logs"
    write_logs(logs)
    folder = make_home(tmp_path, "home", logs)
    assert spendlog(folder, "nightly").wait() == 0
    page = folder / "home" / "reports" / "monthly-2026-02.html"
    before = page.read_text()
    start = time.monotonic()
    assert spendlog(folder, "report", "monthly", "--month", "2026-02").wait() == 0
    duration = time.monotonic() - start
    for fraction in (0.2, 0.5, 0.8):
        proc = spendlog(folder, "report", "monthly", "--month", "2026-02")
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert page.read_text() == before  # whole, and the same: nothing changed the month
        visible = [p.name for p in page.parent.iterdir() if not p.name.startswith(".")]
        assert all(not name.endswith(".tmp") for name in visible)
    # what a killed render left (its temporary, named by its process) goes with the next render of the folder
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = page.parent / f".daily-2026-02-25.html.{dead.pid}.tmp"
    left.write_text("half a page")
    writing = page.parent / f".daily-2026-02-27.html.{os.getpid()}.tmp"  # a live process's: kept
    writing.write_text("a page being written")
    assert spendlog(folder, "report", "monthly", "--month", "2026-02").wait() == 0
    assert not left.exists() and writing.exists()
