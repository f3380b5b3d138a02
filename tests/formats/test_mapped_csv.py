"""A CSV layout of the user's own: [csv_formats.NAME] maps canonical fields to its columns."""
import json
from decimal import Decimal

import pytest

from conftest import FIXTURES, query
from pipeline.config import load_settings
from pipeline.errors import ConfigError
from pipeline.formats import detect
from pipeline.ingest import ingest

CONFIG = FIXTURES / "spendlog.toml"
SHEET = FIXTURES / "finance_sheet.csv"
HEADER = "Date,Vendor,Model,Request,Team,Key,Prompt tokens,Cached tokens,Completion tokens,Status,Cost ($)"


def write_config(tmp_path, body: str):
    path = tmp_path / "spendlog.toml"
    path.write_text(body)
    return path


def sheet_config(tmp_path, extra: str = "", **options) -> str:
    """The fixture's config with its options replaced (timestamp_zone, input_includes_cache) and extra appended."""
    text = CONFIG.read_text()
    for key, value in options.items():
        text = "\n".join(line for line in text.splitlines() if not line.startswith(key)) + "\n"
        if value is not None:
            text += f"{key} = {value}\n"
    return str(write_config(tmp_path, text + extra))


def test_the_fixture_gives_the_canonical_rows_worked_out_by_hand(home):
    settings = load_settings(str(CONFIG), str(home))
    summary = ingest(settings, [str(SHEET)]).as_dict()
    # 6 data rows: 4 loaded, an identical repeat of r-1001 counted as a duplicate, a blank row ignored
    assert (summary["records_read"], summary["rows_loaded"], summary["duplicates"], summary["ignored"]) == (6, 4, 1, 1)
    rows = query(settings, """
        select request_id, strftime(ts, '%Y-%m-%dT%H:%M:%SZ'), provider, model, app_raw, api_key, input_tokens,
               cache_read_tokens, output_tokens, http_status, billable, error_type, reported_cost_usd, source_format
        from usage order by source_line""")
    assert rows == [
        # Prompt tokens 12,000 include the 8,000 cached: 4,000 uncached; "Date" has no zone: UTC by the config
        ("r-1001", "2026-03-12T09:15:02Z", "anthropic", "claude-sonnet-4-5-20250929", "support-bot", "prod-support",
         4000, 8000, 350, 200, True, None, None, "finance_sheet"),
        ("r-1002", "2026-03-12T09:16:40Z", "openai", "gpt-4o-mini", "support-bot", "prod-support",
         2500, 0, 120, 200, True, None, Decimal("0.000447"), "finance_sheet"),
        # a 529 without tokens: not billable, no usage needed; no Team: attributed later
        ("r-1003", "2026-03-12T10:02:11Z", "anthropic", "claude-haiku-4-5", None, "ops-nightly",
         900, 0, 0, 529, False, "http_529", None, "finance_sheet"),
        # a timestamp with its own zone keeps it: 11:30 at +01:00 is 10:30 UTC
        ("r-1004", "2026-03-12T10:30:00Z", "google", "gemini-2.5-flash", "research", None,
         2000, 1000, 500, 200, True, None, None, "finance_sheet"),
    ]
    costs = query(settings, "select request_id, cost_usd from priced_usage order by request_id")
    assert costs == [
        ("r-1001", Decimal("0.019650")),   # 4,000 × $3 + 8,000 × $0.30 + 350 × $15 per 1M
        ("r-1002", Decimal("0.000447")),   # 2,500 × $0.15 + 120 × $0.60 per 1M (the sheet says the same)
        ("r-1003", Decimal("0")),
        ("r-1004", Decimal("0.001880")),   # 2,000 × $0.30 + 1,000 × $0.03 + 500 × $2.50 per 1M
    ]


def test_the_layout_is_detected_by_its_header_in_any_case_after_the_built_in_formats(tmp_path, home):
    settings = load_settings(str(CONFIG), str(home))
    assert detect(SHEET, None, settings.csv_formats).name == "finance_sheet"
    lower = tmp_path / "lower.csv"
    lower.write_text(SHEET.read_text().replace(HEADER, HEADER.lower()))
    assert detect(lower, None, settings.csv_formats).name == "finance_sheet"
    assert ingest(settings, [str(lower)]).as_dict()["rows_loaded"] == 4
    assert detect(FIXTURES / "helicone_export.csv", None, settings.csv_formats).name == "helicone_csv"


def test_without_timestamp_zone_a_zoneless_date_is_rejected(tmp_path, home):
    settings = load_settings(sheet_config(tmp_path, timestamp_zone=None), str(home))
    path = tmp_path / "zones.csv"
    path.write_text("\n".join([
        HEADER,
        "2026-03-12T09:00:00Z,anthropic,claude-haiku-4-5,z-1,a,k,100,0,10,200,",
        "2026-03-12T10:00:00+01:00,anthropic,claude-haiku-4-5,z-2,a,k,100,0,10,200,",
        "1773306000,anthropic,claude-haiku-4-5,z-3,a,k,100,0,10,200,",            # epoch seconds: UTC
        "2026-03-12 09:00:00,anthropic,claude-haiku-4-5,z-4,a,k,100,0,10,200,",
    ]) + "\n")
    summary = ingest(settings, [str(path)]).as_dict()
    assert summary["rows_loaded"] == 3
    assert query(settings, "select request_id, strftime(ts, '%Y-%m-%dT%H:%M:%SZ') from usage order by 1") == [
        ("z-1", "2026-03-12T09:00:00Z"), ("z-2", "2026-03-12T09:00:00Z"), ("z-3", "2026-03-12T09:00:00Z")]
    assert query(settings, "select source_line, reason from rejects") == [(5, "timestamp_no_zone")]


def test_input_that_does_not_include_cache_is_taken_as_uncached(tmp_path, home):
    settings = load_settings(sheet_config(tmp_path, input_includes_cache="false"), str(home))
    ingest(settings, [str(SHEET)])
    assert query(settings, "select input_tokens, cache_read_tokens from usage where request_id = 'r-1001'") == [
        (12000, 8000)]


def test_bad_rows_get_their_reasons(tmp_path, home):
    settings = load_settings(str(CONFIG), str(home))
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([
        HEADER,
        "2026-03-12 09:00:00,anthropic,claude-haiku-4-5,ok-1,a,k,100,0,10,200,",
        "2026-03-12 09:00:01,anthropic,claude-haiku-4-5,ok-2,a,k,100,0,10,200,",
        "2026-03-12 09:00:02,anthropic,claude-haiku-4-5,ok-3,a,k,100,0,10,200,",
        "2026-03-12 09:00:03,anthropic,claude-haiku-4-5,ok-4,a,k,100,0,10,200,",
        "2026-03-12 09:00:04,anthropic,claude-haiku-4-5,ok-5,a,k,100,0,10,200,",
        "2026-03-12 09:00:05,anthropic,claude-haiku-4-5,ok-6,a,k,100,0,10,200,",
        "2026-03-12 09:00:06,anthropic,claude-haiku-4-5,ok-7,a,k,100,0,10,200,",
        "2026-03-12 09:01:00,anthropic,claude-haiku-4-5,b-1,a,k,100,500,10,200,",   # cached > prompt
        "2026-03-12 09:02:00,anthropic,claude-haiku-4-5,b-2,a,k,1.5,0,10,200,",     # not a whole number
        "2026-03-12 09:03:00,anthropic,,b-3,a,k,100,0,10,200,",                      # no model
        "2026-03-12 09:04:00,anthropic,claude-haiku-4-5,b-4,a,k,100,0,,200,",       # billable, no output count
        "yesterday,anthropic,claude-haiku-4-5,b-5,a,k,100,0,10,200,",
        "2026-03-12 09:05:00,anthropic,claude-haiku-4-5,b-6,a,k,100,0,10,200",       # a field short
    ]) + "\n")
    summary = ingest(settings, [str(path)]).as_dict()
    assert summary["rows_loaded"] == 7 and summary["rows_rejected"] == 6
    assert query(settings, "select source_line, reason from rejects order by 1") == [
        (9, "negative_uncached_input"), (10, "bad_token_count"), (11, "missing_model"), (12, "missing_usage"),
        (13, "missing_timestamp"), (14, "unknown_record_shape")]


def test_a_source_names_its_format_and_a_missing_column_is_a_file_error(tmp_path, home):
    config = sheet_config(tmp_path, extra='\n[[sources]]\npath = "sheets/*.csv"\nformat = "finance_sheet"\n')
    settings = load_settings(config, str(home))
    sheet = tmp_path / "sheets" / "march.csv"
    sheet.parent.mkdir()
    sheet.write_text(SHEET.read_text().replace(",Completion tokens,", ",Completion,"))
    summary = ingest(settings, [str(sheet)]).as_dict()
    error = summary["file_errors"][0]["error"]
    assert error == ("unrecognised_format: the header lacks Completion tokens, mapped in [csv_formats.finance_sheet]"
                     ), error


def test_a_file_without_an_optional_mapped_column_is_refused_not_read_as_zero(tmp_path, home):
    settings = load_settings(str(CONFIG), str(home))
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET.read_text().replace(",Cached tokens,", ",Cache tokens,"))
    summary = ingest(settings, [str(sheet)], fmt="finance_sheet").as_dict()
    assert summary["rows_loaded"] == 0
    assert "lacks Cached tokens" in summary["file_errors"][0]["error"]
    auto = ingest(settings, [str(sheet)]).as_dict()  # nor is it taken for the layout by detection
    assert auto["file_errors"][0]["error"].startswith("unrecognised_format: no known format")


@pytest.mark.parametrize("body, message", [
    ('[csv_formats.x]\ncolumns = { ts = "t", model = "m" }', "csv_formats.x.columns needs input_tokens, output_tokens"),
    ('[csv_formats.x]\ncolumns = { ts = "t", model = "m", input_tokens = "i", output_tokens = "o", tokens = "n" }',
     "unknown key csv_formats.x.columns.tokens"),
    ('[csv_formats.helicone_csv]\ncolumns = { ts = "t", model = "m", input_tokens = "i", output_tokens = "o" }',
     "helicone_csv is a built-in format"),
    ('[csv_formats.x]\nprovider = "openai"\ncolumns = { ts = "t", model = "m", input_tokens = "i", output_tokens = "o", '
     'provider = "p" }', "not both"),
    ('[csv_formats.x]\ntimestamp_zone = "Mars/Olympus"\ncolumns = { ts = "t", model = "m", input_tokens = "i", '
     'output_tokens = "o" }', "unknown time zone"),
    ('[csv_formats.x]\ninput_includes_cache = "yes"\ncolumns = { ts = "t", model = "m", input_tokens = "i", '
     'output_tokens = "o" }', "must be true or false"),
    ('[csv_formats.x]\nprovider = " "\ncolumns = { ts = "t", model = "m", input_tokens = "i", output_tokens = "o" }',
     "csv_formats.x.provider is empty"),
    ('[[sources]]\npath = "a/*.csv"\nformat = "finance_sheet"', "unknown format 'finance_sheet'"),
])
def test_a_bad_layout_is_a_config_error(tmp_path, body, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(str(write_config(tmp_path, body)), str(tmp_path / "home"))


def test_a_bad_layout_exits_78_with_one_line_and_formats_lists_a_good_one(tmp_path, run):
    bad = write_config(tmp_path, '[csv_formats.x]\ncolumns = { ts = "t" }')
    result = run("formats", config=bad)
    assert result.exit_code == 78
    assert result.stderr.strip().count("\n") == 0 and "csv_formats.x.columns needs" in result.stderr
    result = run("formats", config=CONFIG)
    assert result.exit_code == 0
    assert "\nfinance_sheet\n    your CSV layout [csv_formats.finance_sheet]" in result.output
    assert json.loads(run("ingest", SHEET, "--json", config=CONFIG).stdout)["rows_loaded"] == 4
