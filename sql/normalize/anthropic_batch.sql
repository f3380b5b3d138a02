-- Anthropic Message Batches results file: {"custom_id", "result": {"type", "message" | "error"}} per line.
-- The lines carry no time and no batch id: $batch_id and $batch_ts come from the side-car batch object
-- (or --batch-id/--batch-ended-at). Other parameters as app_log.sql.
with lines as (
    select * from checked_lines($max_line_bytes)
),

parsed as (
    select file_id, source_file, file_mtime, line, text, status,
           case when status is null then try(from_json(text, '{
               "custom_id": "JSON",
               "result": {
                   "type": "JSON",
                   "error": {"error": {"type": "JSON"}, "request_id": "JSON"},
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
               }
           }')) end as r
    from lines
),

fields as (
    select file_id, source_file, file_mtime, line, text, status, r,
           str(r.result.type) as result_type,
           r.result.message.usage as u,
           coalesce(r.result.message.usage.cache_creation.ephemeral_5m_input_tokens,
                    case when r.result.message.usage.cache_creation.ephemeral_1h_input_tokens is null
                         then r.result.message.usage.cache_creation_input_tokens end) as j_cache_write_5m,
           anthropic_iterations(r.result.message.usage.iterations) as j_iterations,
           $batch_ts::timestamptz as ts
    from parsed
),

judged as (
    select * replace (coalesce(status, case
               when r is null then 'invalid_json'
               when str(r.custom_id) is null or result_type is null then 'unknown_record_shape'
               when result_type not in ('succeeded', 'errored', 'canceled', 'expired') then 'unknown_record_shape'
               else ts_problem('"' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || '"', ts, file_mtime)
           end, case
               when result_type <> 'succeeded' then null
               when tok_bad(u.input_tokens) or tok_bad(u.output_tokens) or tok_bad(u.cache_read_input_tokens)
                    or tok_bad(j_cache_write_5m) or tok_bad(u.cache_creation.ephemeral_1h_input_tokens)
                    or tok_bad(u.output_tokens_details.thinking_tokens)
                    or tok_bad(u.server_tool_use.web_search_requests)
                    or iterations_bad(j_iterations) then 'bad_token_count'
               when u.input_tokens is null or u.output_tokens is null then 'missing_usage'
               when str(r.result.message.model) is null then 'missing_model'
           end) as status),
           result_type = 'succeeded' as billable
    from fields
),

records as (
select
    file_id,
    line,
    status,
    case status
        when 'unknown_record_shape' then 'not a Message Batches result line'
        when 'timestamp_out_of_range' then 'batch time ' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || ' is before 2020 or after the file''s date'
    end as detail,
    text as raw_text,
    coalesce(str(r.result.message.id), $batch_id || ':' || str(r.custom_id)) as request_id,
    str(r.result.message.id) as response_id,
    ts,
    'anthropic' as provider,
    'anthropic' as billed_by,
    str(r.result.message.model) as model,
    map {'batch_id': $batch_id, 'custom_id': str(r.custom_id)} as tags,
    case when billable then tok(u.input_tokens) else 0 end as input_tokens,
    case when billable then coalesce(tok(j_cache_write_5m), 0) else 0 end as cache_write_5m_tokens,
    case when billable then coalesce(tok(u.cache_creation.ephemeral_1h_input_tokens), 0) else 0 end as cache_write_1h_tokens,
    case when billable then coalesce(tok(u.cache_read_input_tokens), 0) else 0 end as cache_read_tokens,
    case when billable then tok(u.output_tokens) else 0 end as output_tokens,
    tok(u.output_tokens_details.thinking_tokens) as reasoning_tokens,
    case when billable then coalesce(tok(u.server_tool_use.web_search_requests), 0) else 0 end as web_search_requests,
    true as batch,
    'batch' as service_tier,
    str(u.speed) as speed,
    str(u.inference_geo) as inference_geo,
    case when not billable then coalesce(str(r.result.error.error.type), result_type) end as error_type,
    billable,
    false as usage_missing,
    'request' as grain,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    'anthropic:' || $batch_id || ':' || coalesce(str(r.custom_id), 'line-' || line) as dedupe_key,
    -- a result's usage.iterations, each billed at batch rates (with_sub_inferences, _macros.sql)
    case when status is null and billable then j_iterations end as j_iterations
from judged
)

select * from with_sub_inferences(records)
