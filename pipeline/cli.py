"""The spendlog command line."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sys
from pathlib import Path

import click
import duckdb

from .config import Settings, load_settings
from .errors import EXIT_DATA, EXIT_INTERNAL, EXIT_IOERR, EXIT_PROBLEMS, SpendlogError, disk_full_message
from .output import format_table, jsonable, replaced_atomically, text as text_of


def fail(message: str, code: int) -> None:
    """One line on stderr, then exit with code."""
    click.echo(f"spendlog: {message}", err=True)
    sys.exit(code)


class Context:
    """The group options, resolved into Settings on first use."""

    def __init__(self, config: str | None, home: str | None):
        self.config, self.home = config, home
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config, self.home)
        return self._settings


class SpendlogGroup(click.Group):
    """Turns known failures into one line on stderr and an exit code; never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, SystemExit, click.exceptions.Abort):
            raise
        except SpendlogError as exc:
            fail(f"{exc.label}: {exc}" if exc.label else str(exc), exc.exit_code)
        except BrokenPipeError:  # the reader went away (spendlog sql … | head): stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except Exception as exc:  # noqa: BLE001 - SPENDLOG_DEBUG=1 shows the traceback
            if os.environ.get("SPENDLOG_DEBUG"):
                raise
            if disk_full_message(exc):
                fail(disk_full_message(exc), EXIT_IOERR)
            first = str(exc).splitlines()[0] if str(exc) else ""
            fail(f"internal error: {type(exc).__name__}: {first}", EXIT_INTERNAL)


def _print_version(ctx, _param, value) -> None:
    if value and not ctx.resilient_parsing:
        from . import __version__
        from .pricing import catalog_version

        click.echo(f"spendlog {__version__}, price catalogue {catalog_version()}")
        ctx.exit()


@click.group(cls=SpendlogGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False), help="Data home (default: $SPENDLOG_HOME, else data_dir from config).")
@click.option("--config", type=click.Path(dir_okay=False), help="Config file (default: $SPENDLOG_CONFIG, ./spendlog.toml, ~/.config/spendlog/spendlog.toml).")
@click.option("--version", is_flag=True, is_eager=True, expose_value=False, callback=_print_version,
              help="Show the version and the price catalogue's date, then exit.")
@click.pass_context
def cli(ctx, home, config):
    """spendlog: know what your LLM API usage costs.

    Ingest usage logs, price every request in DuckDB, and render spend reports.
    """
    ctx.obj = Context(config, home)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", help="Read every file as this format (see `spendlog formats`); default: detect.")
@click.option("--app", help="App name for records that do not name one.")
@click.option("--batch-id", help="Batch id for a batch results file without a side-car <file>.batch.json.")
@click.option("--batch-ended-at", help="Batch end time (ISO 8601 with zone) for such a file.")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.pass_obj
def ingest(obj: Context, paths, fmt, app, batch_id, batch_ended_at, as_json):
    """Ingest usage logs from files or folders (.gz too).

    Unchanged files are skipped; then the home's warehouse.duckdb is rebuilt
    if anything changed. Exits 65 when a file was refused or rejects exceed
    [ingest] reject_threshold.
    """
    from .ingest import ingest as run
    from .warehouse import refresh_warehouse

    settings = obj.settings
    options = {"app": app, "batch_id": batch_id, "batch_ended_at": batch_ended_at}
    show_progress = not as_json and sys.stderr.isatty()
    if show_progress:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("ingesting", total=None)
            summary = run(settings, list(paths), fmt, options, lambda p: bar.update(task, description=p.name, advance=1))
    else:
        summary = run(settings, list(paths), fmt, options)
    refresh_warehouse(settings)
    totals = summary.as_dict()
    if as_json:
        click.echo(json.dumps(totals))
    else:
        click.echo(
            f"{totals['files']} files ingested, {totals['files_skipped']} unchanged: "
            f"{totals['records_read']:,} records read, {totals['rows_loaded']:,} loaded, "
            f"{totals['rows_replaced']:,} replaced, {totals['duplicates']:,} duplicates, "
            f"{totals['rows_rejected']:,} rejected, {totals['ignored']:,} ignored"
        )
        for held in totals["pending"]:
            click.echo(f"left for the next run: {held['path']} line {held['line']:,}, its last, has no newline yet "
                       f"(written less than [ingest] pending_grace_minutes ago)")
        for error in totals["file_errors"]:
            click.echo(f"refused {error['path']}: {error['error']}", err=True)
    if totals["file_errors"] or summary.over_threshold(settings.reject_threshold):
        sys.exit(EXIT_DATA)


class OneLineUsageError(click.UsageError):
    """A usage error shown as one line (exit 2), like every other error of spendlog."""

    def show(self, file=None) -> None:
        click.echo(f"spendlog: {self.format_message()}", err=True)


SQL_FORMATS = ("table", "csv", "json", "parquet")


@cli.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(exists=True, dir_okay=False),
              help="Read the query from this file.")
@click.option("--format", "fmt", type=click.Choice(SQL_FORMATS),
              help="Output format (default: from the --out extension, else table); parquet needs --out.")
@click.option("--out", type=click.Path(dir_okay=False), help="Write to this file instead of standard output.")
@click.pass_obj
def sql(obj: Context, query, query_file, fmt, out):
    """Run a SQL query against the views.

    The query is the argument, the contents of -f FILE, or standard input
    when the argument is `-`. Views: usage, priced_usage, spend, rejects,
    prices, ingested_files, daily_spend; the table macro price_as(model).
    With --out, the format comes from --format, else from the extension
    (.csv, .json, .parquet; anything else is a table); DuckDB writes CSV and
    Parquet files itself.
    """
    from .views import open_views
    from .warehouse import refresh_warehouse

    if (query is None) == (query_file is None):
        raise OneLineUsageError("sql: give the query as an argument, with -f FILE, or as - to read standard input")
    text = Path(query_file).read_text(encoding="utf-8") if query_file else sys.stdin.read() if query == "-" else query
    fmt = fmt or (Path(out).suffix.lower().lstrip(".") if out else "table")
    fmt = fmt if fmt in SQL_FORMATS else "table"
    if fmt == "parquet" and not out:
        raise OneLineUsageError("sql: parquet is written to a file: add --out FILE.parquet")
    refresh_warehouse(obj.settings)
    con = open_views(obj.settings)
    try:
        if out and fmt in ("csv", "parquet"):
            _copy_to(con.sql(text), fmt, Path(out))
            return
        cursor = con.execute(text)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    except duckdb.Error as exc:
        fail(str(exc).splitlines()[0], EXIT_PROBLEMS)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(["" if v is None else text_of(v) for v in row] for row in rows)
        result = buffer.getvalue()
    elif fmt == "json":
        result = json.dumps([dict(zip(columns, [jsonable(v) for v in row])) for row in rows], indent=1) + "\n"
    else:
        result = format_table(columns, rows) + "\n"
    if out:
        with replaced_atomically(out) as tmp:
            tmp.write_text(result, encoding="utf-8")
    else:
        click.echo(result, nl=False)


def _copy_to(relation, fmt: str, out: Path) -> None:
    """A query's rows written by DuckDB (COPY) as CSV with a header or as Parquet, then moved into place."""
    if relation is None:
        raise OneLineUsageError("sql: only a query that returns rows can be written to a file")
    with replaced_atomically(out) as tmp:
        if fmt == "csv":
            relation.write_csv(str(tmp), header=True)
        else:
            relation.write_parquet(str(tmp), compression="zstd")


@cli.group()
def report():
    """Render spend reports (HTML, Markdown and CSV)."""


def _render(obj: Context, kind: str, start: dt.date, end: dt.date, out: str | None, by) -> list[Path]:
    from .reports import checked_period, render_all
    from .warehouse import refresh_warehouse

    try:
        period = checked_period(kind, start, end, by)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--by") from None
    refresh_warehouse(obj.settings)
    paths = render_all(obj.settings, [(period.kind, period.start, period.end, period.by)], Path(out) if out else None)
    for path in paths:
        click.echo(str(path))
    return paths


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=name) from None


def _breakdown(_ctx, _param, value):
    from .reports import Breakdown

    try:
        return Breakdown.parse(value) if value else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--by") from None


_BY_METAVAR = "app|model|api_key|workspace|project|user|tag:NAME"


def _report_options(command):
    """--by and --out, shared by the report commands."""
    command = click.option("--out", type=click.Path(file_okay=False),
                           help="Output folder (default: the home's reports/).")(command)
    return click.option("--by", callback=_breakdown, metavar=_BY_METAVAR,
                        help="Add spend by this dimension (tag:NAME: that tag's value), as a report of its own: "
                             "<report>-by-<dimension>.html.")(command)


@report.command("monthly")
@click.option("--month", required=True, help="The month, YYYY-MM.")
@_report_options
@click.pass_obj
def report_monthly(obj, month, out, by):
    """Monthly report for --month YYYY-MM."""
    start = _date(f"{month}-01", "--month")
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    _render(obj, "monthly", start, end, out, by)


@report.command("daily")
@click.option("--date", "day", required=True, help="The local day, YYYY-MM-DD.")
@_report_options
@click.pass_obj
def report_daily(obj, day, out, by):
    """Daily report for --date YYYY-MM-DD."""
    start = _date(day, "--date")
    _render(obj, "daily", start, start, out, by)


@report.command("period")
@click.option("--from", "start", required=True, help="First local day, YYYY-MM-DD (inclusive).")
@click.option("--to", "end", required=True, help="Last local day, YYYY-MM-DD (inclusive).")
@_report_options
@click.pass_obj
def report_period(obj, start, end, out, by):
    """Report for any period, --from and --to both inclusive."""
    first, last = _date(start, "--from"), _date(end, "--to")
    if last < first:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    _render(obj, "period", first, last, out, by)


@cli.command()
@click.argument("path", default="spendlog.toml", type=click.Path(dir_okay=False))
def init(path):
    """Write a commented starter config to PATH (default ./spendlog.toml).

    Every key is there with its default and a line saying what it does.
    Refuses to overwrite an existing file.
    """
    from . import resource

    target = Path(path)
    if target.exists():
        fail(f"{target} exists; not overwriting it (move it away or name another path)", EXIT_PROBLEMS)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8") as handle:
        handle.write(resource("templates", "spendlog.toml").read_text(encoding="utf-8"))
    click.echo(f"wrote {target}: add a [[sources]] table, then run `spendlog --config {target} nightly`")


@cli.command()
@click.option("--date", "today", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="The run's today, in the configured timezone (default: today); yesterday is the day before.")
@click.option("--dry-run", is_flag=True, help="Say what the run would do; write and send nothing.")
@click.pass_obj
def nightly(obj: Context, today, dry_run):
    """The cron job: ingest, re-price, render, mail, alert.

    Under the lock: collect garbage, ingest what is new or changed under every
    [[sources]] path, re-price if stale, render the daily report of every
    past day, the monthly report of every ended month and every period
    report whose rows changed, mail the previous month's
    report once (on or after [smtp] monthly_send_day), check that every
    source is fresh, and send alerts. Prints one summary line and appends one JSON line to
    logs/nightly.jsonl. Exits 78 bad config > 75 busy > 74 disk full > 70
    internal error > 69 mail or webhook failed > 65 data problems > 0.
    """
    from .nightly import run_nightly

    night = run_nightly(obj.settings, today.date() if today else None, dry_run)
    click.echo(night.summary_line(obj.settings))
    for problem in night.problems:
        click.echo(f"spendlog: {problem}", err=True)
    sys.exit(night.exit_code)


@cli.command()
@click.pass_obj
def demo(obj: Context):
    """Run the whole pipeline on the bundled sample_logs/ and print where the reports are.

    Uses sample_logs/spendlog.toml and the home given by --home (default
    ./spendlog-demo, recreated), never your configured data_dir.
    """
    from .demo import run_demo

    home = Path(obj.home or "spendlog-demo").resolve()
    for line in run_demo(home):
        click.echo(line)


@cli.group()
def samples():
    """Generate sample usage logs."""


@samples.command("generate")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--scale", default=1, show_default=True, type=click.IntRange(min=1), help="Multiply every count.")
@click.option("--seed", default=2026, show_default=True, type=int, help="Random seed (same seed, same files).")
@click.option("--kind", type=click.Choice(["article", "claude-code", "openai"]), default="article", show_default=True,
              help="article: the source article's 30 days; claude-code: a transcript tree; openai: OpenAI app logs.")
def samples_generate(out, scale, seed, kind):
    """Write sample usage logs: by default the source article's 30-day workload."""
    from .samples import generate

    click.echo(json.dumps(generate(kind, Path(out), scale, seed), default=str))


@cli.command()
@click.pass_obj
def formats(obj: Context):
    """List the formats spendlog reads, with an example of each.

    The built-in formats, then your own CSV layouts ([csv_formats.NAME] in the config).
    """
    from .formats import FORMATS, all_formats

    layouts = all_formats(obj.settings.csv_formats)
    for name in sorted(FORMATS) + sorted(set(layouts) - set(FORMATS)):
        click.echo(f"{name}\n    {layouts[name].description}\n    e.g. {layouts[name].example}")


def _month(_ctx, _param, value: str | None) -> dt.date | None:
    """--month YYYY-MM as the month's first day (None when not given)."""
    from .apps import parse_month

    try:
        return parse_month(value)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--month") from None


@cli.command()
@click.option("--month", callback=_month, metavar="YYYY-MM",
              help="Only this local month, YYYY-MM (default: all time).")
@click.option("--top", default=10, show_default=True, type=click.IntRange(min=1),
              help="How many unattributed api keys, workspaces and projects to list, each.")
@click.option("--json", "as_json", is_flag=True, help="Print both tables as JSON.")
@click.pass_obj
def apps(obj: Context, month, top, as_json):
    """Show which rule named the app of how many requests and dollars.

    One row per rule, in the order they apply: the record's own app (or
    `ingest --app`), each [[sources]] entry with an app, each [[attribution]]
    rule, then unattributed. A configured rule that attributed nothing shows 0
    requests. Requests and cost are those in totals (the `spend` view); mirror
    and subscription sources and usage buckets covered by request logs are
    shown apart. Then the top unattributed api keys, workspaces and projects,
    with a rule you could add for them.
    """
    from .apps import attribution_json, attribution_text

    show = attribution_json if as_json else attribution_text
    click.echo(show(obj.settings, month, top))


@cli.command()
@click.pass_obj
def doctor(obj: Context):
    """Check that the home is healthy, and say what is wrong if it is not.

    Runs every check of sql/checks/ over the views: the line accounting of
    each file, one row per dedupe key, reject reasons from the vocabulary,
    every billable row priced or flagged, costs DECIMAL and not negative, …
    Prints each check with ok or FAIL and the first rows that break it;
    exits 1 when one fails.
    """
    from .checks import doctor_lines, run_checks
    from .views import open_views

    con = open_views(obj.settings)
    failures = run_checks(con)
    con.close()
    for line in doctor_lines(failures):
        click.echo(line)
    if failures:
        fail(f"doctor: {len(failures)} check{'s' if len(failures) != 1 else ''} failed", EXIT_PROBLEMS)


@cli.group()
def prices():
    """Check, list and explain prices: the bundled catalogue plus your [prices] user_file."""


@prices.command("check")
@click.pass_obj
def prices_check(obj: Context):
    """Check the catalogue and that every model in the lake has a price.

    Lists every problem, one per line, and exits 1: overlapping dates within a
    layer, a gap in a model's life, a negative rate, a bad date or column, an
    alias matching two models, a lake model with no price on a day it was used.
    """
    from .pricing.explain import check_problems

    problems, counts = check_problems(obj.settings)
    if problems:
        for problem in problems:
            click.echo(problem)
        fail(f"prices check: {len(problems)} problem{'s' if len(problems) != 1 else ''}", EXIT_PROBLEMS)
    yours = f" + {counts['user_prices']} yours" if counts["user_prices"] else ""
    click.echo(f"catalogue OK: {counts['curated_prices']} curated + {counts['imported_prices']} imported{yours} "
               f"prices, {counts['curated_aliases']} curated + {counts['imported_aliases']} imported aliases, "
               f"{counts['lake_models']} lake models priced")


@prices.command("list")
@click.option("--at", "at", type=click.DateTime(formats=["%Y-%m-%d"]), help="The UTC date, YYYY-MM-DD (default: today).")
@click.option("--provider", help="Only this provider (anthropic, openai, google, …).")
@click.option("--source", type=click.Choice(["bundled", "imported", "user"]),
              help="Only the models priced by this layer: bundled (curated), imported (genai-prices) or user.")
@click.pass_obj
def prices_list(obj: Context, at, provider, source):
    """The price of every model at a date, in USD per 1M tokens.

    User rows ([prices] user_file) win over bundled (curated) ones, which
    win over imported ones; layer names the one in force. Contract shows a
    negotiated multiplier in force.
    """
    from .pricing.explain import prices_table

    settings = obj.settings
    day = at.date() if at else settings.now().astimezone(dt.timezone.utc).date()
    click.echo(prices_table(settings, day, provider, source))


@prices.command("import-genai-prices")
@click.argument("release", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("pipeline/catalog/imported_prices.csv"),
              show_default=True, help="The prices CSV to write; the aliases go beside it (imported_model_aliases.csv).")
def prices_import_genai_prices(release, out):
    """Write the imported price layer from a genai-prices release (maintainers).

    RELEASE is a wheel (pip download genai-prices==VERSION --no-deps -d DIR)
    or the folder it was unpacked in; it is read offline, never imported.
    Writes its prices in the catalogue's columns and its model-matching
    clauses as aliases, and prints what it could not map, by reason.
    """
    from .pricing.genai_import import import_release, skipped_lines

    aliases_out = out.with_name("imported_model_aliases.csv")
    version, rows, aliases, skipped = import_release(release, out, aliases_out)
    models = len({(r["provider"], r["model"]) for r in rows})
    click.echo(f"genai-prices {version}: {len(rows)} price rows for {models} models to {out}, "
               f"{len(aliases)} aliases to {aliases_out}")
    for line in skipped_lines(skipped):
        click.echo(line)


@prices.command("explain")
@click.argument("request_id")
@click.pass_obj
def prices_explain(obj: Context, request_id):
    """Explain the cost of one request, the way you check a line of a bill.

    Shows the logged model, the alias and catalogue row that priced it, the
    tier and why, each component as tokens × rate, the multipliers and the
    total, which equals cost_usd in priced_usage. Every row with that request
    id is explained.
    """
    from .pricing.explain import explain_lines, explain_rows
    from .views import open_views

    con = open_views(obj.settings)
    rows = explain_rows(con, request_id)
    con.close()
    if not rows:
        fail(f"no request with id {request_id!r} in priced_usage", EXIT_PROBLEMS)
    if len(rows) > 1:
        click.echo(f"{len(rows)} rows have request id {request_id}; each is explained.\n")
    click.echo("\n\n".join("\n".join(explain_lines(r)) for r in rows))


@cli.group("email")
def email_group():
    """Mail reports through the [smtp] server (the password: $SPENDLOG_SMTP_PASSWORD)."""


def _addresses(_ctx, _param, values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        if "@" not in value:
            raise click.BadParameter(f"{value!r} is not a mail address", param_hint="--to")
    return values


@email_group.command("monthly")
@click.option("--month", required=True, callback=_month, metavar="YYYY-MM", help="The local month.")
@click.option("--to", "to", multiple=True, callback=_addresses, metavar="ADDR",
              help="A recipient, instead of [smtp] to; repeat for more.")
@click.option("--dry-run", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.eml",
              help="Write the message to FILE.eml; send nothing, record nothing.")
@click.option("--resend", is_flag=True, help="Send it again even if this month's mail was sent.")
@click.pass_obj
def email_monthly(obj: Context, month, to, dry_run, resend):
    """Mail the monthly report for --month YYYY-MM, once.

    The message has a text and an HTML part (charts as inline PNG images)
    and the month's spend by app × model as CSV; its subject gives the total
    and the change against the previous month. A month already mailed
    (state/sent.json) is not sent again unless --resend; a send is recorded
    only once the server accepted it. Exits 69 when the server cannot be
    reached or refuses the login or the message.
    """
    from .monthly import month_label, send_monthly

    outcome = send_monthly(obj.settings, month, to=to, resend=resend, dry_run=dry_run)
    label = month_label(month)
    if outcome["dry_run"]:
        click.echo(f"wrote the {label} mail to {outcome['dry_run']} ({outcome['message_id']}); nothing was sent")
    elif outcome["sent"]:
        click.echo(f"sent the {label} mail to {', '.join(outcome['to'])} ({outcome['message_id']})")
    else:
        at = dt.datetime.fromisoformat(outcome["already_sent_at"]).strftime("%Y-%m-%d %H:%M UTC")
        click.echo(f"the {label} mail was sent on {at} to {', '.join(outcome['to'])}; --resend sends it again")


@cli.command()
@click.argument("grain", type=click.Choice(["daily", "monthly", "app", "model"]), default="daily")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="First local day, YYYY-MM-DD (default: the first).")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last local day, YYYY-MM-DD (default: the last).")
@click.option("--by", callback=_breakdown, metavar=_BY_METAVAR,
              help="Break each row down by this too (tag:NAME: the value of that tag).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (money as exact decimal strings).")
@click.pass_obj
def summary(obj: Context, grain, since, until, by, as_json):
    """Summarize spend per local day (default), month, app or model.

    Per row: billable requests, input tokens (uncached, cache writes and
    cache reads), output tokens, cache read tokens and cost, then a total
    row; the same figures as the reports. Only days (months, apps, models)
    with spend are shown; the default range is all time.
    """
    from rich.console import Console

    from .summary import summary_json, summary_rows, summary_table
    from .views import open_views
    from .warehouse import refresh_warehouse

    first, last = since.date() if since else None, until.date() if until else None
    if first and last and last < first:
        raise click.BadParameter("--until is before --since", param_hint="--until")
    refresh_warehouse(obj.settings)
    con = open_views(obj.settings)
    rows = summary_rows(con, grain, by, first, last)
    con.close()
    if as_json:
        click.echo(json.dumps(summary_json(rows, grain, by, first, last), indent=1))
    elif rows[-1]["row_count"] == 0:
        click.echo("No spend" + (f" from {first or 'the start'} to {last or 'today'}" if first or last else "") + ".")
    else:
        table = summary_table(rows, grain, by)
        console = Console()
        if not console.is_terminal:  # a pipe or a file: the whole table, never squeezed into 80 columns
            console = Console(width=console.measure(table, options=console.options.update_width(1000)).maximum)
        with console.capture() as captured:
            console.print(table)
        click.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))


@cli.command()
@click.option("--month", required=True, callback=_month,
              help="The local month, YYYY-MM.")
@click.pass_obj
def reconcile(obj: Context, month):
    """Compare the computed cost with the cost providers and gateways state.

    One line per UTC day, provider, model and statement: a cost export
    (Anthropic cost report, Console cost CSV, OpenAI Costs API or dashboard
    cost CSV, OpenRouter daily activity) against everything the totals count
    that day, or a gateway log's stated cost (OpenRouter, LiteLLM, Helicone,
    Langfuse) against the same requests priced from the catalogue. A line more
    than 1% off the stated cost is FLAGGED, then exit 1; a month with nothing
    stated says so and exits 0.
    """
    from .reconcile import reconcile as run

    lines, flagged = run(obj.settings, month)
    for line in lines:
        click.echo(line)
    if flagged:
        sys.exit(EXIT_PROBLEMS)


@cli.group()
def export():
    """Export spend for other tools."""


@export.command("focus")
@click.option("--month", required=True, callback=_month,
              help="The local month, YYYY-MM.")
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="The file to write: .csv or .parquet.")
@click.pass_obj
def export_focus(obj: Context, month, out):
    """Write a month of spend as a FinOps FOCUS 1.2 dataset (CSV or Parquet).

    One row per local day, account (workspace, else API key), app, model and
    charge (input, cache writes, cache reads, output, web search): ListCost at
    catalogue prices, EffectiveCost and BilledCost after your contract
    multipliers, an estimate (x_CostSource). BilledCost sums to the month's
    spend; unpriced rows are left out and counted.
    """
    from .focus import export_focus as run, export_format

    path = Path(out)
    try:
        export_format(path)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--out") from None
    result = run(obj.settings, month, path)
    click.echo(f"{result.path}: {result.rows:,} FOCUS rows, BilledCost {result.billed_fmt} for {month:%Y-%m}")
    if result.unpriced_rows:
        click.echo(f"left out {result.unpriced_rows:,} unpriced row{'s' if result.unpriced_rows != 1 else ''} "
                   "(spendlog prices check)", err=True)


def main() -> None:
    """Entry point of the `spendlog` command (and of `python -m pipeline`)."""
    cli(prog_name="spendlog")
