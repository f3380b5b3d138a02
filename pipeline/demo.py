"""`spendlog demo`: the whole pipeline on the sample workload (sample_logs/, made anew in the demo home)."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from .config import load_settings
from .errors import ConfigError
from .views import open_views
from .ingest import ingest
from .reports import render_all
from .samples import generate
from .warehouse import refresh_warehouse

PERIOD = (dt.date(2026, 2, 5), dt.date(2026, 3, 6))


def fresh_home(home: Path) -> None:
    """Recreate the demo home, refusing to delete a folder that is not a spendlog home."""
    if home.exists():
        if any(home.iterdir()) and not (home / "state" / "manifest.json").exists():
            raise ConfigError(f"{home} exists and is not a spendlog home; pick another --home")
        shutil.rmtree(home)
    home.mkdir(parents=True)


def run_demo(home: Path) -> list[str]:
    """Generate the sample workload into home/sample_logs (the same bytes as the checkout's sample_logs/), ingest
    it with its spendlog.toml, price, build warehouse.duckdb and render the period, February and the dearest day;
    the lines to print."""
    fresh_home(home)
    samples = home / "sample_logs"
    generate("article", samples)
    settings = load_settings(str(samples / "spendlog.toml"), str(home))
    totals = ingest(settings, [str(p) for p in sorted(samples.iterdir()) if p.is_dir()]).as_dict()
    refresh_warehouse(settings)
    con = open_views(settings)
    dearest = con.execute(
        "select day from spend where day between $start and $end group by day order by sum(cost_usd) desc, day limit 1",
        {"start": PERIOD[0], "end": PERIOD[1]},
    ).fetchall()[0][0]
    total = con.execute("select sum(cost_usd)::decimal(18, 2) from spend where day between $start and $end",
                        {"start": PERIOD[0], "end": PERIOD[1]}).fetchall()[0][0]
    paths = render_all(settings, [
        ("period", *PERIOD),
        ("monthly", dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("daily", dearest, dearest),
    ], con=con)
    con.close()
    html = [p for p in paths if p.suffix == ".html"]
    return [
        f"Ingested {totals['records_read']:,} records from {totals['files']} files into {home}",
        f"Spend {PERIOD[0]} to {PERIOD[1]}: ${total:,}",
        "Reports:",
        *[f"  {p}" for p in html],
        f"  {home / 'reports' / 'index.html'} lists them all (Markdown and CSV beside them)",
        f"Query it: spendlog --home {home} sql \"select app, sum(cost_usd) from spend group by app\"",
    ]
