-- Langfuse observations (GET /api/public/observations, or an export) as one JSON document: {"data": [...]} or a bare
-- array; every observation is a record numbered 1.. as `line`. Only GENERATION observations are model calls.
-- usageDetails keys are set by each integration; Langfuse adds all of them up, so `input` is normally the uncached
-- part — unless `total` is only input + output while cache keys are present, then the cache is inside `input`.
-- Langfuse observes, it does not invoice: provider and billed_by come from the model name. Parameters as app_log.sql.
with lines as (
    -- a bare array is a document of records here, not a line that is not an object
    select * replace (case
               when status = 'not_an_object' and regexp_matches(text, '^\s*\[') then case
                   when length(text) - length(replace(replace(text, '[', ''), '{', '')) > 64
                        and json_depth(text) > 64 then 'too_deep' end
               else status end as status)
    from checked_lines($max_line_bytes)
),

document as (
    select file_id, source_file, file_mtime, line, text, status,
           case when status is null then try(case
               -- the shape decides the schema, so the document is parsed once
               when regexp_matches(text, '^\s*\[') then from_json(text, '[{
                   "id": "JSON", "traceId": "JSON", "type": "JSON", "name": "JSON", "startTime": "JSON",
                   "endTime": "JSON", "model": "JSON", "providedModelName": "JSON", "level": "JSON", "statusMessage": "JSON", "latency": "JSON",
                   "environment": "JSON", "sessionId": "JSON", "userId": "JSON", "projectId": "JSON", "promptName": "JSON",
                   "usageDetails": "MAP(VARCHAR, JSON)", "costDetails": "MAP(VARCHAR, JSON)",
                   "usage": {"input": "JSON", "output": "JSON", "total": "JSON", "unit": "JSON"},
                   "calculatedTotalCost": "JSON", "totalCost": "JSON", "metadata": "MAP(VARCHAR, JSON)"
               }]')
               else from_json(text, '{"data": [{
                   "id": "JSON", "traceId": "JSON", "type": "JSON", "name": "JSON", "startTime": "JSON",
                   "endTime": "JSON", "model": "JSON", "providedModelName": "JSON", "level": "JSON", "statusMessage": "JSON", "latency": "JSON",
                   "environment": "JSON", "sessionId": "JSON", "userId": "JSON", "projectId": "JSON", "promptName": "JSON",
                   "usageDetails": "MAP(VARCHAR, JSON)", "costDetails": "MAP(VARCHAR, JSON)",
                   "usage": {"input": "JSON", "output": "JSON", "total": "JSON", "unit": "JSON"},
                   "calculatedTotalCost": "JSON", "totalCost": "JSON", "metadata": "MAP(VARCHAR, JSON)"
               }]}').data
           end) end as observations
    from lines
),

-- a document refused before parsing is one record, its line 1
refused as (
    select file_id, source_file, file_mtime, line, text, coalesce(status, 'invalid_json') as status
    from document
    where status is not null or observations is null
),

records as (
    select file_id, source_file, file_mtime, unnest(observations) as o, generate_subscripts(observations, 1) as line
    from document
    where status is null and observations is not null
),

fields as (
    select file_id, source_file, file_mtime, line, o, to_json(o)::varchar as text,
           o.usageDetails as ud,
           upper(str(o.type)) as kind,
           coalesce(str(o.model), str(o.providedModelName)) as model,  -- the v2 API names it providedModelName
           ts_parse(o.startTime) as ts,
           upper(coalesce(str(o.level), 'DEFAULT')) = 'ERROR' as is_error,
           coalesce(o.usageDetails['input'], o.usageDetails['input_tokens'], o.usageDetails['prompt_tokens'], o.usage.input) as j_input,
           coalesce(o.usageDetails['output'], o.usageDetails['output_tokens'], o.usageDetails['completion_tokens'], o.usage.output) as j_output,
           coalesce(o.usageDetails['cache_read_input_tokens'], o.usageDetails['input_cached_tokens'],
                    o.usageDetails['input_cache_read'], o.usageDetails['cached_tokens']) as j_read,
           coalesce(o.usageDetails['cache_creation_input_tokens'], o.usageDetails['input_cache_creation'],
                    o.usageDetails['input_cache_write_tokens'], o.usageDetails['cache_write_tokens']) as j_write,
           o.usageDetails['ephemeral_5m_input_tokens'] as j_write_5m,
           o.usageDetails['ephemeral_1h_input_tokens'] as j_write_1h,
           coalesce(o.usageDetails['output_reasoning_tokens'], o.usageDetails['output_reasoning'],
                    o.usageDetails['reasoning_tokens']) as j_reasoning,
           coalesce(o.usageDetails['total'], o.usage.total) as j_total,
           coalesce(o.costDetails['total'], o.calculatedTotalCost, o.totalCost) as j_cost
    from records
),

counted as (
    select *,
           coalesce(provider_of_model(model),
                    case when model like '%/%' then lower(split_part(model, '/', 1)) end) as provider,
           coalesce(tok(j_write_1h), 0) as cw1h,
           coalesce(tok(j_write_5m), tok(j_write) - coalesce(tok(j_write_1h), 0), 0) as cw5m,
           coalesce(tok(j_read), 0) as cache_read,
           try_cast(j_cost::varchar as decimal(38, 12)) as cost,
           tok_bad(j_input) or tok_bad(j_output) or tok_bad(j_read) or tok_bad(j_write) or tok_bad(j_write_5m)
               or tok_bad(j_write_1h) or tok_bad(j_reasoning) or tok_bad(j_total) as bad_tokens
    from fields
),

judged as (
    select *,
           case when cw5m + cw1h + cache_read > 0 and tok(j_total) = tok(j_input) + tok(j_output)
                then tok(j_input) - cw5m - cw1h - cache_read else tok(j_input) end as uncached_input,
           case
               when kind is distinct from 'GENERATION' then
                   case when o.id is null and o.type is null then 'unknown_record_shape' else 'ignored:not_a_generation' end
               else coalesce(ts_problem(o.startTime, ts, file_mtime), case
                   when bad_tokens then 'bad_token_count'
                   when j_cost is not null and cost is null then 'bad_token_count'
                   when not is_error and (j_input is null or j_output is null) then 'missing_usage'
                   when cw5m + cw1h + cache_read > 0 and tok(j_total) = tok(j_input) + tok(j_output)
                        and tok(j_input) - cw5m - cw1h - cache_read < 0 then 'negative_uncached_input'
                   when model is null then 'missing_model'
               end)
           end as status,
           list_filter([
               {'key': 'trace_id', 'value': str(o.traceId)},
               {'key': 'name', 'value': str(o.name)},
               {'key': 'environment', 'value': str(o.environment)},
               {'key': 'prompt_name', 'value': str(o.promptName)},
               {'key': 'status_message', 'value': left(str(o.statusMessage), 500)}
           ] || list_transform(
                  list_filter(map_entries(coalesce(o.metadata, map())),
                              lambda e: json_type(e.value) not in ('OBJECT', 'ARRAY', 'NULL')),
                  lambda e: {'key': e.key, 'value': str(e.value)}),
           lambda e: e.key is not null and e.key <> '' and e.value is not null) as tag_list
    from counted
),

all_records as (
    select judged.* from judged
    union all by name
    select file_id, source_file, file_mtime, line, status, text from refused
)

select
    file_id,
    line,
    status,
    case status
        when 'timestamp_no_zone' then 'startTime has no time zone: ' || str(o.startTime)
        when 'timestamp_out_of_range' then 'startTime ' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || ' is before 2020 or after the file''s date'
        when 'bad_token_count' then 'a usageDetails count is not a non-negative integer, or the cost is not a number'
        when 'missing_usage' then 'a generation without input and output usage'
        when 'negative_uncached_input' then 'cache tokens exceed input'
        when 'unknown_record_shape' then 'not a Langfuse observation'
        when 'missing_model' then 'a generation without model or providedModelName'
    end as detail,
    text as raw_text,
    str(o.id) as request_id,
    ts,
    provider,
    provider as billed_by,
    model,
    str(o.projectId) as project,
    str(o.userId) as user_id,
    str(o.sessionId) as session_id,
    case when len(tag_list) > 0 then map_from_entries(
        list_filter(tag_list, lambda e, i: list_position(list_transform(tag_list, lambda x: x.key), e.key) = i)) end as tags,
    coalesce(uncached_input, 0) as input_tokens,
    cw5m as cache_write_5m_tokens,
    cw1h as cache_write_1h_tokens,
    cache_read as cache_read_tokens,
    coalesce(tok(j_output), 0) as output_tokens,
    tok(j_reasoning) as reasoning_tokens,
    0::bigint as web_search_requests,
    false as batch,
    case when is_error then 'error' end as error_type,
    not is_error as billable,
    false as usage_missing,
    coalesce(try_cast(round(try_cast(str(o.latency) as double) * 1000) as bigint),
             epoch_ms(ts_parse(o.endTime)) - epoch_ms(ts)) as latency_ms,
    'request' as grain,
    cost as reported_cost_usd,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    $source_format || ':' || coalesce(str(o.id), 'sha256:' || sha256(text)) as dedupe_key
from all_records
