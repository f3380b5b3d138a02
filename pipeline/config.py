"""Configuration: discovery, validation and one frozen Settings (DESIGN.md §6)."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError
from .formats import FORMATS
from .formats._mapped_csv import CSV_FIELDS, CSV_REQUIRED, CsvFormat


def glob_to_regex(pattern: str, path: bool) -> str:
    """A shell glob as an RE2 full-match pattern; for paths `*` stops at `/` and `**/` spans folders."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i) and path:
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*" if path else ".*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]" if path else ".")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class Source:
    path: str
    format: str = "auto"
    app: str | None = None
    role: str = "primary"
    billing: str = "api"
    label: str = ""

    def matches(self, path) -> bool:
        """Whether a source file falls under this entry's path glob."""
        return re.fullmatch(glob_to_regex(self.path, True), str(path)) is not None


@dataclass(frozen=True)
class AttributionRule:
    app: str
    api_key: str | None = None
    workspace: str | None = None
    project: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class Alerts:
    """[alerts]: when spend is a spike, when a source is stale, where alerts go besides mail."""

    spike_ratio: float = 3.0
    spike_floor_usd: float = 1.0
    trailing_days: int = 7
    stale_after_hours: float = 36
    webhook_url: str = ""


@dataclass(frozen=True)
class Findings:
    """[findings]: when a report's findings (the article's tips computed from data) are shown."""

    min_sample: int = 50  # requests an app × model needs before its output lengths, routing or caching count
    min_monthly_saving_usd: float = 1.0  # a finding saving less per 30 days is not shown
    routing_max_output_tokens: int = 64  # an app × model whose 95th-percentile output is this short is routable
    batch_candidates: tuple[str, ...] = ()  # apps that need no answer within seconds, besides those using batch
    long_context_margin: float = 0.1  # requests this share below a long-context threshold are "near" it


@dataclass(frozen=True)
class Smtp:
    """[smtp]: the mail server and the monthly report's recipients (the password: $SPENDLOG_SMTP_PASSWORD)."""

    host: str = ""
    port: int = 0  # 0: 587 for starttls, 465 for ssl, 25 for none
    security: str = "starttls"
    user: str = ""
    sender: str = ""  # the key is `from`
    to: tuple[str, ...] = ()
    timeout_s: float = 30
    monthly_send_day: int = 2

    @property
    def server_port(self) -> int:
        return self.port or {"starttls": 587, "ssl": 465, "none": 25}[self.security]


# The what-if section's equivalents of a Claude model without a [compare] entry, by its family (the word haiku,
# sonnet or opus in its catalogue name): the catalogue's OpenAI and Gemini models of the same rank.
COMPARE_DEFAULTS = {
    "haiku": ("gpt-5-mini", "gemini-2.5-flash"),
    "sonnet": ("gpt-5", "gemini-2.5-pro"),
    "opus": ("gpt-5.2", "gemini-3-pro-preview"),
}
CLAUDE_FAMILY = re.compile(r"claude-(?:\d+-)*(haiku|sonnet|opus)(?:-.*)?")


def default_equivalents(model: str) -> tuple[str, ...]:
    """The COMPARE_DEFAULTS of a catalogue model: its family's, or none."""
    family = CLAUDE_FAMILY.fullmatch(model)
    return COMPARE_DEFAULTS[family.group(1)] if family else ()


@dataclass(frozen=True)
class Settings:
    home: Path
    config_file: Path | None = None
    timezone: str = "UTC"
    reject_threshold: float = 0.01
    max_line_bytes: int = 10_000_000
    pending_grace_minutes: int = 10
    duckdb_memory_limit: str = "1GB"
    sources: tuple[Source, ...] = ()
    attribution: tuple[AttributionRule, ...] = ()
    csv_formats: tuple[CsvFormat, ...] = ()
    user_price_file: Path | None = None
    budgets: tuple[tuple[str, float], ...] = ()
    alerts: Alerts = Alerts()
    compare: tuple[tuple[str, tuple[str, ...]], ...] = ()  # [compare]: model -> equivalents (COMPARE_DEFAULTS else)
    smtp: Smtp = Smtp()
    findings: Findings = Findings()
    now_override: dt.datetime | None = field(default=None, compare=False)

    def now(self) -> dt.datetime:
        """The current time in UTC, or $SPENDLOG_NOW when set (golden tests)."""
        return self.now_override or dt.datetime.now(dt.timezone.utc)

    def today(self) -> dt.date:
        """The local day of now() in the configured timezone."""
        return self.now().astimezone(zoneinfo.ZoneInfo(self.timezone)).date()


# key -> (type(s), default) for each table; None type means "table of numbers" (budgets)
_TOP = {"data_dir": str, "timezone": str}
_TABLES = {
    "ingest": {
        "reject_threshold": (int, float),
        "max_line_bytes": int,
        "pending_grace_minutes": int,
        "duckdb_memory_limit": str,
    },
    "prices": {"user_file": str},
    "alerts": {
        "spike_ratio": (int, float),
        "spike_floor_usd": (int, float),
        "trailing_days": int,
        "stale_after_hours": (int, float),
        "webhook_url": str,
    },
    "findings": {
        "min_sample": int,
        "min_monthly_saving_usd": (int, float),
        "routing_max_output_tokens": int,
        "batch_candidates": list,
        "long_context_margin": (int, float),
    },
    "smtp": {
        "host": str,
        "port": int,
        "security": str,
        "user": str,
        "from": str,
        "to": list,
        "timeout_s": (int, float),
        "monthly_send_day": int,
    },
}
_CSV_FORMAT_KEYS = {"columns": dict, "provider": str, "input_includes_cache": bool, "timestamp_zone": str}
_SOURCE_KEYS = {"path": str, "format": str, "app": str, "role": str, "billing": str}
_ATTRIBUTION_KEYS = {"app": str, "api_key": str, "workspace": str, "project": str, "path": str}
_CHOICES = {
    ("sources", "role"): ("primary", "mirror"),
    ("sources", "billing"): ("api", "subscription"),
    ("smtp", "security"): ("starttls", "ssl", "none"),
}


def find_config_file(explicit: str | None) -> Path | None:
    """--config, else $SPENDLOG_CONFIG, else ./spendlog.toml, else ~/.config/spendlog/spendlog.toml."""
    named = explicit or os.environ.get("SPENDLOG_CONFIG")
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise ConfigError(f"config file not found: {path}")
        return path
    for candidate in (Path("spendlog.toml"), Path("~/.config/spendlog/spendlog.toml").expanduser()):
        if candidate.is_file():
            return candidate
    return None


def _type_name(expected) -> str:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    names = {str: "a string", int: "an integer", float: "a number", list: "a list", dict: "a table",
             bool: "true or false"}
    return " or ".join(names[k] for k in kinds if not (k is int and float in kinds))


def _check(where: str, value, expected) -> None:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    if isinstance(value, bool) != (bool in kinds) or not isinstance(value, kinds):
        raise ConfigError(f"{where} must be {_type_name(expected)}, not {value!r}")


def _check_table(where: str, table, schema: dict) -> None:
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    for key, value in table.items():
        if "password" in key.lower():
            raise ConfigError(f"{where}.{key}: passwords are not read from the config file; set $SPENDLOG_SMTP_PASSWORD")
        if key not in schema:
            raise ConfigError(f"unknown key {where}.{key}")
        _check(f"{where}.{key}", value, schema[key])


def _parse_now(raw: str | None) -> dt.datetime | None:
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"$SPENDLOG_NOW is not an ISO timestamp: {raw!r}") from None
    if value.tzinfo is None:
        raise ConfigError(f"$SPENDLOG_NOW needs a time zone: {raw!r}")
    return value.astimezone(dt.timezone.utc)


def remembered_config(home: str | None) -> Path | None:
    """The config file a home was last written with (state/manifest.json), if it still exists."""
    if not home:
        return None
    manifest = Path(home).expanduser() / "state" / "manifest.json"
    try:
        named = json.loads(manifest.read_text(encoding="utf-8")).get("config_file")
    except (OSError, ValueError):
        return None
    return Path(named) if named and Path(named).is_file() else None


def _zone(where: str, name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: unknown time zone {name!r}") from None
    return name


def _csv_formats(raw) -> tuple[CsvFormat, ...]:
    """[csv_formats.NAME] tables: each maps at least ts, model, input_tokens and output_tokens to column names."""
    if not isinstance(raw, dict):
        raise ConfigError("csv_formats must be a table of [csv_formats.NAME] tables")
    found = []
    for name, entry in raw.items():
        where = f"csv_formats.{name}"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ConfigError(f"{where}: a format name is lower-case letters, digits and _")
        if name in FORMATS or name == "auto":
            raise ConfigError(f"{where}: {name} is a built-in format; choose another name")
        _check_table(where, entry, _CSV_FORMAT_KEYS)
        columns = entry.get("columns", {})
        _check_table(f"{where}.columns", columns, {key: str for key in CSV_FIELDS})
        missing = [key for key in CSV_REQUIRED if key not in columns]
        if missing:
            raise ConfigError(f"{where}.columns needs {', '.join(missing)} (the CSV column of each)")
        for key, column in columns.items():
            if not column.strip() or '"' in column or "\\" in column:
                raise ConfigError(f"{where}.columns.{key}: {column!r} is not a usable column name")
        if "provider" in entry and not entry["provider"].strip():
            raise ConfigError(f"{where}.provider is empty")
        if "provider" in entry and "provider" in columns:
            raise ConfigError(f"{where}: give provider (one for every row) or columns.provider, not both")
        zone = entry.get("timestamp_zone")
        found.append(CsvFormat(
            name=name,
            columns=tuple((key, columns[key].strip()) for key in CSV_FIELDS if key in columns),
            provider=entry["provider"].strip().lower() if "provider" in entry else None,
            input_includes_cache=entry.get("input_includes_cache", False),
            timestamp_zone=_zone(f"{where}.timestamp_zone", zone) if zone else None,
        ))
    return tuple(found)


def _check_source_formats(sources: list[Source], csv_formats: tuple[CsvFormat, ...]) -> None:
    known = {"auto", *FORMATS, *(f.name for f in csv_formats)}
    for i, source in enumerate(sources):
        if source.format not in known:
            raise ConfigError(f"sources[{i}].format: unknown format {source.format!r} (see `spendlog formats`)")


def _alerts(raw: dict) -> Alerts:
    for key in ("spike_ratio", "stale_after_hours", "trailing_days"):
        if key in raw and raw[key] <= 0:
            raise ConfigError(f"alerts.{key} must be more than 0, not {raw[key]}")
    if "spike_floor_usd" in raw and raw["spike_floor_usd"] < 0:
        raise ConfigError(f"alerts.spike_floor_usd must not be negative, not {raw['spike_floor_usd']}")
    url = raw.get("webhook_url", "")
    if url and not re.match(r"https?://[^/\s]+", url):
        raise ConfigError(f"alerts.webhook_url must be an http:// or https:// URL, not {url!r}")
    return Alerts(**raw)


def _smtp(raw: dict) -> Smtp:
    to = raw.get("to", [])
    if not all(isinstance(a, str) and "@" in a for a in to):
        raise ConfigError(f"smtp.to must be a list of mail addresses, not {to!r}")
    day = raw.get("monthly_send_day", 2)
    if not 1 <= day <= 28:
        raise ConfigError(f"smtp.monthly_send_day must be 1 to 28, not {day}")
    fields = {("sender" if k == "from" else k): v for k, v in raw.items()}
    return Smtp(**{**fields, "to": tuple(to)})


def _findings(raw: dict) -> Findings:
    apps = raw.get("batch_candidates", [])
    if not all(isinstance(app, str) for app in apps):
        raise ConfigError(f"findings.batch_candidates must be a list of app names, not {apps!r}")
    margin = raw.get("long_context_margin", 0.1)
    if not 0 <= margin < 1:
        raise ConfigError(f"findings.long_context_margin must be from 0 to under 1, not {margin}")
    return Findings(**{**raw, "batch_candidates": tuple(apps)})


def load_settings(config: str | None = None, home: str | None = None) -> Settings:
    """Find, read and validate the configuration; raise ConfigError with one line on any problem.

    With no config file found, a home named by --home or $SPENDLOG_HOME keeps the config it was written with.
    """
    path = find_config_file(config) or remembered_config(home or os.environ.get("SPENDLOG_HOME"))
    raw: dict = {}
    if path:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    base = path.resolve().parent if path else Path.cwd()
    where = str(path) if path else "config"

    for key, value in raw.items():
        if "password" in key.lower():
            raise ConfigError(f"{key}: passwords are not read from the config file; set $SPENDLOG_SMTP_PASSWORD")
        if key in _TOP:
            _check(key, value, _TOP[key])
        elif key in _TABLES:
            _check_table(key, value, _TABLES[key])
        elif key in ("sources", "attribution"):
            if not isinstance(value, list):
                raise ConfigError(f"{key} must be an array of tables ([[{key}]])")
        elif key not in ("budgets", "compare", "csv_formats"):
            raise ConfigError(f"unknown key {key} in {where}")

    for (table, key), allowed in _CHOICES.items():
        entries = raw.get(table, [])
        for i, entry in enumerate(entries if isinstance(entries, list) else [entries]):
            if isinstance(entry, dict) and key in entry and entry[key] not in allowed:
                raise ConfigError(f"{table}.{key} must be one of {', '.join(allowed)}, not {entry[key]!r}")

    sources = []
    for i, entry in enumerate(raw.get("sources", [])):
        _check_table(f"sources[{i}]", entry, _SOURCE_KEYS)
        if "path" not in entry:
            raise ConfigError(f"sources[{i}] needs a path")
        pattern = os.path.expanduser(entry["path"])
        if not os.path.isabs(pattern):
            pattern = str(base / pattern)
        sources.append(Source(**{**entry, "path": pattern, "label": entry["path"]}))

    rules = []
    for i, entry in enumerate(raw.get("attribution", [])):
        _check_table(f"attribution[{i}]", entry, _ATTRIBUTION_KEYS)
        if "app" not in entry:
            raise ConfigError(f"attribution[{i}] needs an app")
        if len(entry) < 2:
            raise ConfigError(f"attribution[{i}] needs one of api_key, workspace, project, path")
        if "path" in entry and not os.path.isabs(os.path.expanduser(entry["path"])) and not entry["path"].startswith("*"):
            entry = {**entry, "path": str(base / entry["path"])}
        rules.append(AttributionRule(**entry))

    csv_formats = _csv_formats(raw.get("csv_formats", {}))
    _check_source_formats(sources, csv_formats)

    budgets = raw.get("budgets", {})
    _check_table("budgets", budgets, {k: (int, float) for k in budgets} if isinstance(budgets, dict) else {})
    compare = raw.get("compare", {})
    _check_table("compare", compare, {k: list for k in compare} if isinstance(compare, dict) else {})

    timezone = _zone("timezone", raw.get("timezone", "UTC"))

    ingest = raw.get("ingest", {})
    user_file = raw.get("prices", {}).get("user_file")
    if user_file:
        user_path = Path(user_file).expanduser()
        user_path = user_path if user_path.is_absolute() else base / user_path
        if not user_path.is_file():
            raise ConfigError(f"prices.user_file: file not found: {user_path}")
    else:
        user_path = None

    home_dir = home or os.environ.get("SPENDLOG_HOME") or raw.get("data_dir") or "~/.local/share/spendlog"
    home_path = Path(home_dir).expanduser()
    if not home_path.is_absolute():
        home_path = (Path.cwd() if (home or os.environ.get("SPENDLOG_HOME")) else base) / home_path

    return Settings(
        home=home_path.resolve(),
        config_file=path.resolve() if path else None,
        timezone=timezone,
        reject_threshold=float(ingest.get("reject_threshold", 0.01)),
        max_line_bytes=ingest.get("max_line_bytes", 10_000_000),
        pending_grace_minutes=ingest.get("pending_grace_minutes", 10),
        duckdb_memory_limit=ingest.get("duckdb_memory_limit", "1GB"),
        sources=tuple(sources),
        attribution=tuple(rules),
        csv_formats=csv_formats,
        user_price_file=user_path,
        budgets=tuple(sorted(budgets.items())),
        alerts=_alerts(raw.get("alerts", {})),
        compare=tuple((k, tuple(v)) for k, v in sorted(compare.items())),
        smtp=_smtp(raw.get("smtp", {})),
        findings=_findings(raw.get("findings", {})),
        now_override=_parse_now(os.environ.get("SPENDLOG_NOW")),
    )
