-- Raw OpenAI response bodies without an envelope, one per line: a `chat.completion` (or the usage-bearing last
-- `chat.completion.chunk` of a stream) or a Responses API `response`, as an app dumps `response.model_dump_json()`.
-- Same token semantics as the OpenAI branch of app_log.sql. Parameters as app_log.sql.
with lines as (
    select * from checked_lines($max_line_bytes)
),

parsed as (
    select file_id, source_file, file_mtime, line, text, status,
           case when status is null then try(from_json(text, '{
               "id": "JSON", "object": "JSON", "created": "JSON", "created_at": "JSON", "completed_at": "JSON",
               "status": "JSON", "model": "JSON", "service_tier": "JSON", "error": "JSON",
               "user": "JSON", "safety_identifier": "JSON", "metadata": "JSON", "prompt_cache_key": "JSON", "output": "JSON",
               "usage": {
                   "prompt_tokens": "JSON", "completion_tokens": "JSON",
                   "prompt_tokens_details": {"cached_tokens": "JSON", "cache_write_tokens": "JSON"},
                   "completion_tokens_details": {"reasoning_tokens": "JSON"},
                   "input_tokens": "JSON", "output_tokens": "JSON",
                   "input_tokens_details": {"cached_tokens": "JSON", "cache_write_tokens": "JSON"},
                   "output_tokens_details": {"reasoning_tokens": "JSON"}
               }
           }')) end as r
    from lines
),

shaped as (
    select file_id, source_file, file_mtime, line, text, status, r,
           r.usage as u,
           case str(r.object)
               when 'chat.completion' then 'chat'
               when 'chat.completion.chunk' then 'chat'
               when 'response' then 'responses'
           end as api,
           str(r.object) = 'chat.completion.chunk' as is_chunk,
           lower(str(r.status)) as response_status,
           case when str(r.object) = 'response' then r.created_at else r.created end as j_ts
    from parsed
),

fields as (
    select *,
           ts_parse(j_ts) as ts,
           case api when 'chat' then u.prompt_tokens else u.input_tokens end as j_prompt,
           case api when 'chat' then u.completion_tokens else u.output_tokens end as j_output,
           case api when 'chat' then u.prompt_tokens_details.cached_tokens
                    else u.input_tokens_details.cached_tokens end as j_cache_read,
           case api when 'chat' then u.prompt_tokens_details.cache_write_tokens
                    else u.input_tokens_details.cache_write_tokens end as j_cache_write,
           case api when 'chat' then u.completion_tokens_details.reasoning_tokens
                    else u.output_tokens_details.reasoning_tokens end as j_reasoning
    from shaped
),

counted as (
    select *,
           tok_bad(j_prompt) or tok_bad(j_output) or tok_bad(j_cache_read) or tok_bad(j_cache_write)
               or tok_bad(j_reasoning) as bad_tokens,
           j_prompt is null or j_output is null as usage_absent,
           tok(j_prompt) - coalesce(tok(j_cache_read), 0) - coalesce(tok(j_cache_write), 0) as uncached_input,
           -- a Responses object that failed or was cancelled before producing usage is an error, not usage
           response_status in ('failed', 'cancelled') and (j_prompt is null or j_output is null) as is_error,
           case when regexp_full_match(r.created_at, '[0-9]{9,10}(\.[0-9]+)?')
                 and regexp_full_match(r.completed_at, '[0-9]{9,10}(\.[0-9]+)?')
                then round((r.completed_at::double - r.created_at::double) * 1000)::bigint end as latency
    from fields
),

judged as (
    select * replace (coalesce(status, case
               when r is null then 'invalid_json'
               when api is null then 'unknown_record_shape'
               else ts_problem(j_ts, ts, file_mtime)
           end, case
               when is_error then null
               when is_chunk and usage_absent then 'ignored:streaming_chunk'
               when response_status in ('queued', 'in_progress') and usage_absent then 'ignored:in_progress'
               when bad_tokens then 'bad_token_count'
               when usage_absent then 'missing_usage'
               when uncached_input < 0 then 'negative_uncached_input'
               when str(r.model) is null then 'missing_model'
           end) as status)
    from counted
)

select
    file_id,
    line,
    status,
    case status
        when 'bad_token_count' then 'a token count is not a non-negative integer'
        when 'negative_uncached_input' then 'cached tokens exceed prompt tokens'
        when 'missing_timestamp' then 'no `created` (chat) or `created_at` (responses) epoch seconds'
        when 'timestamp_out_of_range' then 'timestamp ' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || ' is before 2020 or after the file''s date'
        when 'unknown_record_shape' then 'not a chat.completion or response object'
    end as detail,
    text as raw_text,
    str(r.id) as request_id,
    str(r.id) as response_id,
    ts,
    'openai' as provider,
    'openai' as billed_by,
    str(r.model) as model,
    coalesce(str(r.safety_identifier), str(r.user)) as user_id,
    case when json_type(r.metadata) = 'OBJECT' and r.metadata::varchar <> '{}' then json_transform(r.metadata, '"MAP(VARCHAR, VARCHAR)"') end as tags,
    case when is_error then 0 else uncached_input end as input_tokens,
    case when is_error then 0 else coalesce(tok(j_cache_write), 0) end as cache_write_5m_tokens,
    0::bigint as cache_write_1h_tokens,
    case when is_error then 0 else coalesce(tok(j_cache_read), 0) end as cache_read_tokens,
    case when is_error then 0 else tok(j_output) end as output_tokens,
    tok(j_reasoning) as reasoning_tokens,
    -- web search calls: a Responses object's web_search_call items, a chat search model's one (_macros.sql)
    case when is_error then 0 else coalesce(openai_web_search_calls(api = 'responses', str(r.model), r.output), 0) end
        as web_search_requests,
    coalesce(lower(str(r.service_tier)) = 'batch', false) as batch,
    str(r.service_tier) as service_tier,
    case when is_error then coalesce(str(json_extract(r.error, '$.code')), response_status) end as error_type,
    not is_error as billable,
    false as usage_missing,
    latency as latency_ms,
    'request' as grain,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    'openai:' || coalesce(str(r.id), 'sha256:' || sha256(text)) as dedupe_key
from judged
