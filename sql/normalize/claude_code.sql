-- Claude Code transcript (~/.claude/projects/<encoded-cwd>/<sessionId>.jsonl and …/subagents/agent-<id>.jsonl):
-- one JSON record per line; only `assistant` lines are usage. One API response is written as several lines
-- (a line per content block, streaming snapshots with growing output_tokens): within this file they collapse to
-- one row per message.id — the main thread before sidechains, then the most total tokens — timed by the first
-- snapshot; the other lines are ignored as snapshots. Copies in other files (resumed sessions, sidechain
-- replays) share dedupe_key 'anthropic:' || message.id and are settled by sql/ingest/dedupe.sql with dedupe_rank
-- (0 main thread, 1 sidechain). Synthetic and API-error lines are non-billable rows. Parameters as app_log.sql.
with lines as (
    select * from checked_lines($max_line_bytes)
),

parsed as (
    select file_id, source_file, file_mtime, line, text, status,
           case when status is null then try(from_json(text, '{
               "type": "JSON", "timestamp": "JSON", "sessionId": "JSON", "cwd": "JSON", "uuid": "JSON",
               "isSidechain": "JSON", "agentId": "JSON", "gitBranch": "JSON", "requestId": "JSON",
               "isApiErrorMessage": "JSON", "error": "JSON", "apiErrorStatus": "JSON",
               "costUSD": "JSON", "durationMs": "JSON",
               "message": {
                   "id": "JSON", "model": "JSON",
                   "usage": {
                       "input_tokens": "JSON", "output_tokens": "JSON",
                       "cache_creation_input_tokens": "JSON", "cache_read_input_tokens": "JSON",
                       "cache_creation": {"ephemeral_5m_input_tokens": "JSON", "ephemeral_1h_input_tokens": "JSON"},
                       "output_tokens_details": {"thinking_tokens": "JSON"},
                       "server_tool_use": {"web_search_requests": "JSON"},
                       "service_tier": "JSON", "speed": "JSON", "inference_geo": "JSON", "iterations": "JSON"
                   }
               }
           }')) end as r
    from lines
),

fields as (
    select file_id, source_file, file_mtime, line, text, status, r,
           -- older versions wrote assistant lines without a type (a message with usage, or an API error)
           coalesce(str(r.type), case when r.message.usage is not null or str(r.isApiErrorMessage) = 'true'
                                      then 'assistant' end) as record_type,
           r.message.usage as u,
           str(r.message.model) as model,
           str(r.message.id) as message_id,
           coalesce(str(r.isSidechain) = 'true', false) as is_sidechain,
           coalesce(str(r.isApiErrorMessage) = 'true', false) or str(r.message.model) = '<synthetic>' as is_error,
           coalesce(r.message.usage.cache_creation.ephemeral_5m_input_tokens,
                    case when r.message.usage.cache_creation.ephemeral_1h_input_tokens is null
                         then r.message.usage.cache_creation_input_tokens end) as j_cache_write_5m,
           anthropic_iterations(r.message.usage.iterations) as j_iterations,
           try_cast(str(r.costUSD) as decimal(38, 12)) as cost_usd,
           ts_parse(r.timestamp) as ts
    from parsed
),

judged as materialized (
    select * replace (coalesce(status, case
               when r is null then 'invalid_json'
               when record_type is null then 'unknown_record_shape'
               when record_type = 'assistant' then ts_problem(r.timestamp, ts, file_mtime)
               when regexp_full_match(record_type, '[A-Za-z][A-Za-z0-9_-]{0,39}')
                   then 'ignored:' || replace(lower(record_type), '-', '_') || '_line'
               else 'ignored:other_line'
           end, case
               when is_error then null
               when tok_bad(u.input_tokens) or tok_bad(u.output_tokens) or tok_bad(u.cache_read_input_tokens)
                    or tok_bad(j_cache_write_5m) or tok_bad(u.cache_creation.ephemeral_1h_input_tokens)
                    or tok_bad(u.output_tokens_details.thinking_tokens)
                    or tok_bad(u.server_tool_use.web_search_requests)
                    or iterations_bad(j_iterations) then 'bad_token_count'
               when u.input_tokens is null or u.output_tokens is null then 'missing_usage'
               when model is null then 'missing_model'
           end) as status),
           case when is_sidechain then 1 else 0 end as dedupe_rank,
           'anthropic:' || coalesce(message_id, str(r.requestId), str(r.uuid), 'sha256:' || sha256(text)) as dedupe_key,
           case when is_error then 0 else
               coalesce(tok(u.input_tokens), 0) + coalesce(tok(j_cache_write_5m), 0)
               + coalesce(tok(u.cache_creation.ephemeral_1h_input_tokens), 0)
               + coalesce(tok(u.cache_read_input_tokens), 0) + coalesce(tok(u.output_tokens), 0)
           end as total_tokens
    from fields
),

-- the lines of one response in this file (those loaded so far, status NULL): the winner stays, timed by the
-- first snapshot of its thread; ranked over the few columns that decide it, then joined back by line
collapsed as (
    select file_id, line,
           row_number() over (partition by file_id, dedupe_key order by dedupe_rank, total_tokens desc, line) as pick,
           first_value(ts) over (partition by file_id, dedupe_key, dedupe_rank order by line) as first_ts,
           min(dedupe_rank) over (partition by file_id, dedupe_key) as best_rank
    from judged
    where status is null
),

settled as (
    select j.* replace (case
               when j.status is not null or c.pick = 1 then j.status
               when j.dedupe_rank > c.best_rank then 'ignored:sidechain_replay'
               else 'ignored:streaming_snapshot'
           end as status,
           case when j.status is null then c.first_ts else j.ts end as ts)
    from judged j
    left join collapsed c on c.file_id = j.file_id and c.line = j.line
),

records as (
select
    file_id,
    line,
    status,
    case status
        when 'bad_token_count' then 'a token count is not a non-negative integer'
        when 'timestamp_no_zone' then 'timestamp has no time zone: ' || str(r.timestamp)
        when 'timestamp_out_of_range' then 'timestamp ' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || ' is before 2020 or after the file''s date'
        when 'unknown_record_shape' then 'a JSON object without a record type'
        when 'missing_usage' then 'an assistant line without message.usage'
    end as detail,
    text as raw_text,
    coalesce(str(r.requestId), message_id) as request_id,
    message_id as response_id,
    ts,
    'anthropic' as provider,
    'anthropic' as billed_by,
    model,
    'claude-code' as app_raw,
    str(r.cwd) as project,
    str(r.sessionId) as session_id,
    case when r.gitBranch is not null or r.agentId is not null then map_from_entries(list_filter([
        {'key': 'git_branch', 'value': str(r.gitBranch)},
        {'key': 'agent_id', 'value': str(r.agentId)}
    ], lambda e: e.value is not null)) end as tags,
    case when is_error then 0 else tok(u.input_tokens) end as input_tokens,
    case when is_error then 0 else coalesce(tok(j_cache_write_5m), 0) end as cache_write_5m_tokens,
    case when is_error then 0 else coalesce(tok(u.cache_creation.ephemeral_1h_input_tokens), 0) end as cache_write_1h_tokens,
    case when is_error then 0 else coalesce(tok(u.cache_read_input_tokens), 0) end as cache_read_tokens,
    case when is_error then 0 else tok(u.output_tokens) end as output_tokens,
    case when not is_error then tok(u.output_tokens_details.thinking_tokens) end as reasoning_tokens,
    case when is_error then 0 else coalesce(tok(u.server_tool_use.web_search_requests), 0) end as web_search_requests,
    coalesce(lower(str(u.service_tier)) = 'batch', false) as batch,
    str(u.service_tier) as service_tier,
    str(u.speed) as speed,
    str(u.inference_geo) as inference_geo,
    case when is_error then try_cast(str(r.apiErrorStatus) as integer) end as http_status,
    case when is_error then coalesce(
        case when json_type(r.error) = 'VARCHAR' then str(r.error) end,
        str(json_extract(r.error, '$.error.type')),
        str(json_extract(r.error, '$.type')),
        case when str(r.isApiErrorMessage) = 'true' then 'api_error' else 'synthetic' end) end as error_type,
    not is_error as billable,
    false as usage_missing,
    tok(r.durationMs) as latency_ms,
    'request' as grain,
    cost_usd as reported_cost_usd,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    dedupe_key,
    dedupe_rank::bigint as dedupe_rank,
    -- the response's usage.iterations, each billed (with_sub_inferences, _macros.sql): the sub-inference rows share
    -- the row's dedupe_rank, so a replay's settle with it (sql/ingest/dedupe.sql)
    case when status is null and not is_error then j_iterations end as j_iterations
from settled
)

select * from with_sub_inferences(records)
