"""Secrets anywhere in a record never leave it: fake keys, bearer tokens and auth headers — top-level, in tags and
ids, in nested tool inputs, JSON-escaped in tool-call arguments — in records that load, records that are rejected and
a file that is refused whole; after ingest, the nightly run (reports, the monthly mail to a real SMTP server, alerts), a
period report and the warehouse build, every file under the home (Parquet and warehouse.duckdb read back through
DuckDB), every command's output and the mail as received are scanned for each secret."""
import json
import textwrap

import duckdb
from click.testing import CliRunner

from conftest import app_record, free_port, query, smtp_server, smtp_table, write_jsonl
from pipeline.cli import cli
from pipeline.config import load_settings

ANTHROPIC = "sk-ant-api03-Zq8vR2mXw4Lk9TnB7yHc3JdPf6GsVa1QeUo5Ii0Nl-Kr_Tm2Wx8Yb"
OPENAI = "sk-proj-Hx7Kd2Lp9Qw4Rt6Yu1Io3Pa5Sd8Fg0Jk"
GOOGLE = "AIzaSyD4nQ7rT1vX9bZ3kM6pW2sY8uC5hJ0fLgE"
BEARER = "eyJhbGciOiJIUzI1NiJ9.c3BlbmRsb2ctdGVzdA.Qm9ndXNTaWduYXR1cmU"
BASIC = "dXNlcjpodW50ZXIyLXNlY3JldA=="  # Authorization: Basic …, no key shape of its own
OPAQUE = "gw-opaque-Vb3Nq8Xr5Tz"  # an x-api-key a gateway issued, no key shape of its own
ESCAPED = "esc-opaque-Mk4Jw9Ps2Lh"  # the same, inside a tool call's JSON-encoded arguments
AZURE = "azure-opaque-Qw7Er4Ty1Ui"  # Azure OpenAI's api-key header, no key shape of its own
SECRETS = (ANTHROPIC, OPENAI, GOOGLE, BEARER, BASIC, OPAQUE, ESCAPED, AZURE)


def tool_use(request_id, **kwargs):
    """An app-log line whose Anthropic response ran a tool with secrets in its input, and whose request headers the
    app logged too."""
    record = app_record(request_id, **kwargs)
    record["request"] = {"headers": {"Authorization": f"Bearer {BEARER}", "x-api-key": OPAQUE, "api-key": AZURE,
                                     "anthropic-version": "2023-06-01"}}
    record["response"]["content"] = [{"type": "tool_use", "id": "toolu_1", "name": "http", "input": {
        "command": f"curl -H 'x-api-key: {OPAQUE}' -H 'Authorization: Basic {BASIC}' https://api.example.com",
        "env": {"ANTHROPIC_API_KEY": ANTHROPIC, "OPENAI_API_KEY": OPENAI, "GOOGLE_API_KEY": GOOGLE}}}]
    return record


def openai_tool_call(request_id):
    """An OpenAI chat completion whose tool call's arguments are JSON text: the secrets in it are escaped."""
    arguments = json.dumps({"headers": {"x-api-key": ESCAPED, "Authorization": f"Bearer {BEARER}"}, "key": OPENAI})
    return {"ts": "2026-02-10T11:00:00Z", "app": "agent", "request_id": request_id, "http_status": 200,
            "response": {"id": "chatcmpl-" + request_id, "object": "chat.completion", "model": "gpt-4o-mini",
                         "choices": [{"message": {"role": "assistant", "tool_calls": [
                             {"id": "call_1", "type": "function",
                              "function": {"name": "fetch", "arguments": arguments}}]}}],
                         "usage": {"prompt_tokens": 1000, "completion_tokens": 50}}}


def write_logs(logs):
    loaded = tool_use("req_tools", app="agent")
    loaded.update(api_key_name=ANTHROPIC, workspace=f"ws {GOOGLE}", project=f"Bearer {BEARER}",
                  user_id=OPENAI, session_id=f"x-api-key: {OPAQUE}",
                  tags={"team": "core", "auth": f"Authorization: Basic {BASIC}", f"key {ANTHROPIC}": "v"})
    unpriced = app_record("req_model", model=f"ft:claude-haiku:{GOOGLE}", app=f"bot {OPENAI}")
    no_usage = tool_use("req_rejected_1")
    del no_usage["response"]["usage"]
    no_model = openai_tool_call("req_rejected_2")
    del no_model["response"]["model"]
    not_a_time = tool_use("req_rejected_3", ts=f"{ANTHROPIC}")
    write_jsonl(logs / "app.jsonl", [
        loaded, unpriced, openai_tool_call("req_tool_call"),
        *(app_record(f"req_fill_{i}", app="agent") for i in range(6)),
        no_usage,                                                                # missing_usage
        no_model,                                                                # missing_model
        not_a_time,                                                              # missing_timestamp, quoting it
        json.dumps(tool_use("req_cut"))[:400],                                   # invalid_json
        json.dumps(tool_use("req_long", app="x" * 5000)),                        # line_too_long
        app_record(f"sk-proj-{OPENAI[8:]}", app="agent"),                       # a key logged as the request id
        tool_use("req_twice", app="agent", output_tokens=500),
        tool_use("req_twice", app="agent", output_tokens=400),                   # duplicate_conflict: its raw
    ])
    # refused whole (too_many_rejects): its message quotes a reject's detail, which quotes the value
    (logs / "console.csv").write_text(
        "usage_date_utc,model_version,api_key,workspace,usage_type,context_window,usage_input_tokens_no_cache,"
        "usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,"
        f"usage_output_tokens,web_search_count,inference_geo,speed\n{ANTHROPIC},claude-opus-4-6,{OPENAI},Default,"
        f"standard,≤ 200k,12,0,0,0,6,0,us,\n")
    # Claude Code: a Bash tool call exporting a key, and the tool's result echoing it
    session = {"isSidechain": False, "cwd": "/work/app", "sessionId": "s-1", "version": "2.0.31"}
    write_jsonl(logs / "claude" / "session.jsonl", [
        {**session, "type": "user", "uuid": "u1", "timestamp": "2026-02-10T12:00:00.000Z",
         "message": {"role": "user", "content": f"use the key {ANTHROPIC}"}},
        {**session, "type": "assistant", "uuid": "a1", "timestamp": "2026-02-10T12:00:05.000Z", "requestId": "req_cc_1",
         "message": {"id": "msg_cc_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
                     "content": [{"type": "tool_use", "id": "toolu_cc", "name": "Bash", "input": {
                         "command": f"export ANTHROPIC_API_KEY={ANTHROPIC} && curl -H 'Authorization: Bearer "
                                    f"{BEARER}' -H 'x-api-key: {OPAQUE}' https://api.anthropic.com"}}],
                     "usage": {"input_tokens": 10, "output_tokens": 20}}},
        {**session, "type": "user", "uuid": "u2", "timestamp": "2026-02-10T12:00:09.000Z", "message": {
            "role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_cc",
                                         "content": f"GOOGLE_API_KEY={GOOGLE}"}]}},
    ])


def texts_of(path):
    """What a file of the home holds, as text: Parquet and DuckDB files read back row by row, the rest decoded."""
    if path.suffix == ".parquet":
        return [repr(duckdb.sql(f"select * from read_parquet('{path}')").fetchall())]
    if path.suffix == ".duckdb":
        con = duckdb.connect(str(path), read_only=True)
        try:
            names = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
            assert names, path
            return [repr(con.execute(f'select * from "{schema}"."{name}"').fetchall()) for schema, name in names]
        finally:
            con.close()
    return [path.read_bytes().decode("utf-8", errors="replace")]


def mail_texts(received):
    """The raw message and each part decoded (base64 and quoted-printable would hide a secret from the raw bytes)."""
    texts = [received.raw.decode("utf-8", errors="replace")]
    for part in received.message.walk():
        if not part.is_multipart():
            content = part.get_content()
            texts.append(content.decode("utf-8", errors="replace") if isinstance(content, bytes) else content)
    return texts


def test_no_secret_reaches_the_lake_rejects_logs_reports_mail_or_warehouse(tmp_path):
    logs, home, port = tmp_path / "logs", tmp_path / "home", free_port()
    write_logs(logs)
    config = tmp_path / "spendlog.toml"
    config.write_text(textwrap.dedent(f"""\
        data_dir = "{home}"
        [ingest]
        max_line_bytes = 4000
        [[sources]]
        path = "{logs}/**/*"
        [budgets]
        total = 1
    """) + smtp_table(port, monthly_send_day=2))

    def spendlog(*args):
        result = CliRunner().invoke(cli, ["--config", str(config), *map(str, args)], catch_exceptions=False)
        outputs.append(result.output + result.stderr)
        return result

    outputs = []
    with smtp_server(port) as (inbox, _):
        assert spendlog("ingest", logs).exit_code == 65  # console.csv refused, app.jsonl over the reject threshold
        assert spendlog("nightly", "--date", "2026-03-02").exit_code == 65
        assert spendlog("report", "period", "--from", "2026-02-01", "--to", "2026-02-28").exit_code == 0
        assert spendlog("email", "monthly", "--month", "2026-02", "--resend").exit_code == 0
        for sql in ("select * from usage", "select * from rejects", "select * from ingested_files",
                    "select * from priced_usage"):
            assert spendlog("sql", sql, "--format", "json").exit_code == 0
        assert spendlog("summary", "app").exit_code == 0

    # the secrets were there to find: rows and rejects carry them redacted, the refused file and the mail exist
    settings = load_settings(str(config), None)
    assert query(settings, "select api_key, tags['team'] from usage where request_id = 'req_tools'") == [
        ("sk-ant-[REDACTED]", "core")]
    assert sorted(r for (r,) in query(settings, "select reason from rejects")) == sorted([
        "missing_usage", "missing_model", "missing_timestamp", "invalid_json", "line_too_long", "missing_timestamp",
        "duplicate_conflict"])
    assert query(settings, "select count(*) from rejects where raw like '%[REDACTED]%'") == [(7,)]
    assert query(settings, "select count(*) from usage where source_format = 'claude_code'") == [(1,)]
    assert len(inbox.received) >= 2  # the monthly mail twice (nightly, then --resend), and any alert

    scanned = {p: texts_of(p) for p in sorted(home.rglob("*")) if p.is_file()}
    kinds = {p.suffix for p in scanned}
    assert {".parquet", ".duckdb", ".json", ".jsonl", ".html", ".md", ".csv"} <= kinds, kinds
    found = [(str(p.relative_to(home)), s) for p, texts in scanned.items() for s in SECRETS
             if any(s in text for text in texts)]
    found += [(f"mail {i}", s) for i, m in enumerate(inbox.received) for s in SECRETS
              if any(s in text for text in mail_texts(m))]
    found += [(f"output {i}", s) for i, text in enumerate(outputs) for s in SECRETS if s in text]
    assert found == [], "\n".join(map(str, found))

