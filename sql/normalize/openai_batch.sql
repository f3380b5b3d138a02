-- OpenAI Batch API output and error files: {"id": "batch_req_…", "custom_id", "response": {"status_code",
-- "request_id", "body"} | null, "error": {"code", "message"} | null} per line. Every line is batch. The time is
-- the body's `created`; lines without one take $batch_ts (the side-car batch object's end, else
-- --batch-ended-at; NULL when neither). Extra parameters: $batch_id, $batch_ts, $batch_model, $batch_metadata
-- (a JSON object). Other parameters as app_log.sql.
with lines as (
    select * from checked_lines($max_line_bytes)
),

parsed as (
    select file_id, source_file, file_mtime, line, text, status,
           case when status is null then try(from_json(text, '{
               "id": "JSON", "custom_id": "JSON", "error": {"code": "JSON", "message": "JSON"},
               "response": {
                   "status_code": "JSON", "request_id": "JSON",
                   "body": {
                       "id": "JSON", "object": "JSON", "created": "JSON", "created_at": "JSON", "model": "JSON",
                       "service_tier": "JSON", "error": {"code": "JSON", "type": "JSON"}, "output": "JSON",
                       "usage": {
                           "prompt_tokens": "JSON", "completion_tokens": "JSON",
                           "prompt_tokens_details": {"cached_tokens": "JSON", "cache_write_tokens": "JSON"},
                           "completion_tokens_details": {"reasoning_tokens": "JSON"},
                           "input_tokens": "JSON", "output_tokens": "JSON",
                           "input_tokens_details": {"cached_tokens": "JSON", "cache_write_tokens": "JSON"},
                           "output_tokens_details": {"reasoning_tokens": "JSON"}
                       }
                   }
               }
           }')) end as r
    from lines
),

shaped as (
    select file_id, source_file, file_mtime, line, text, status, r,
           r.response.body as b,
           r.response.body.usage as u,
           try_cast(str(r.response.status_code) as integer) as http_status,
           case str(r.response.body.object)
               when 'chat.completion' then 'chat'
               when 'response' then 'responses'
               when 'list' then 'embeddings'
           end as api,
           r.response is null or coalesce(try_cast(str(r.response.status_code) as integer) <> 200, true)
               or r.response.body.error is not null as is_error,
           coalesce(r.response.body.created, r.response.body.created_at) as j_body_ts
    from parsed
),

fields as (
    select *,
           coalesce(ts_parse(j_body_ts), case when j_body_ts is null then $batch_ts::timestamptz end) as ts,
           coalesce(j_body_ts, '"' || strftime($batch_ts::timestamptz, '%Y-%m-%dT%H:%M:%SZ') || '"') as j_ts,
           case api when 'responses' then u.input_tokens else u.prompt_tokens end as j_prompt,
           case api when 'responses' then u.output_tokens when 'chat' then u.completion_tokens end as j_output,
           case api when 'responses' then u.input_tokens_details.cached_tokens
                    else u.prompt_tokens_details.cached_tokens end as j_cache_read,
           case api when 'responses' then u.input_tokens_details.cache_write_tokens
                    else u.prompt_tokens_details.cache_write_tokens end as j_cache_write,
           case api when 'responses' then u.output_tokens_details.reasoning_tokens
                    else u.completion_tokens_details.reasoning_tokens end as j_reasoning
    from shaped
),

counted as (
    select *,
           tok_bad(j_prompt) or tok_bad(j_output) or tok_bad(j_cache_read) or tok_bad(j_cache_write)
               or tok_bad(j_reasoning) as bad_tokens,
           j_prompt is null or (j_output is null and coalesce(api, '') <> 'embeddings') as usage_absent,
           tok(j_prompt) - coalesce(tok(j_cache_read), 0) - coalesce(tok(j_cache_write), 0) as uncached_input,
           coalesce(str(b.model), $batch_model) as model
    from fields
),

judged as (
    select * replace (coalesce(status, case
               when r is null then 'invalid_json'
               when str(r.id) is null and str(r.custom_id) is null then 'unknown_record_shape'
               when r.response is null and r.error is null then 'unknown_record_shape'
               when not is_error and api is null then 'unknown_record_shape'
               else ts_problem(j_ts, ts, file_mtime)
           end, case
               when is_error then null
               when bad_tokens then 'bad_token_count'
               when usage_absent then 'missing_usage'
               when uncached_input < 0 then 'negative_uncached_input'
               when model is null then 'missing_model'
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
        when 'missing_timestamp' then 'no body.created and no batch end time: put the batch object beside the file as <file>.batch.json, or pass --batch-ended-at'
        when 'timestamp_out_of_range' then 'timestamp ' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || ' is before 2020 or after the file''s date'
        when 'unknown_record_shape' then 'not a Batch API output or error line'
    end as detail,
    text as raw_text,
    coalesce(str(r.id), $batch_id || ':' || str(r.custom_id)) as request_id,
    str(b.id) as response_id,
    ts,
    'openai' as provider,
    'openai' as billed_by,
    model,
    map_from_entries(list_filter(
        [{'key': 'batch_id', 'value': $batch_id}, {'key': 'custom_id', 'value': str(r.custom_id)}]
        || list_filter(map_entries(coalesce(try(json_transform($batch_metadata, '"MAP(VARCHAR, VARCHAR)"')), map())),
           lambda e: e.key not in ('batch_id', 'custom_id')),
        lambda e: e.value is not null)) as tags,
    case when is_error then 0 else uncached_input end as input_tokens,
    case when is_error then 0 else coalesce(tok(j_cache_write), 0) end as cache_write_5m_tokens,
    0::bigint as cache_write_1h_tokens,
    case when is_error then 0 else coalesce(tok(j_cache_read), 0) end as cache_read_tokens,
    case when is_error then 0 else coalesce(tok(j_output), 0) end as output_tokens,
    tok(j_reasoning) as reasoning_tokens,
    -- web search calls: a Responses body's web_search_call items, a chat search model's one (_macros.sql)
    case when is_error then 0 else coalesce(openai_web_search_calls(api = 'responses', str(b.model), b.output), 0) end
        as web_search_requests,
    true as batch,
    str(b.service_tier) as service_tier,
    http_status,
    case when is_error then coalesce(
        str(r.error.code), str(b.error.code), str(b.error.type), 'http_' || http_status::varchar) end as error_type,
    not is_error as billable,
    false as usage_missing,
    'request' as grain,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    'openai:' || coalesce(str(r.id), $batch_id || ':' || str(r.custom_id), 'sha256:' || sha256(text)) as dedupe_key
from judged
