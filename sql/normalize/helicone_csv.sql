-- Helicone request export as CSV (the export tool's fixed short header): one request per row (the csv reader hands
-- each row over as a JSON object of strings keyed by the header). No cache columns and no provider column: the
-- prompt tokens are all input and the provider comes from the model name. The only id is response_id.
-- `request_properties` is a JSON text inside a cell, parsed once. Parameters as app_log.sql.
with lines as (
    select * from checked_lines($max_line_bytes)
),

parsed as (
    select file_id, source_file, file_mtime, line, text, status,
           case when status is null then try(from_json(text, '{
               "response_id": "JSON", "response_created_at": "JSON", "response_status": "JSON",
               "request_created_at": "JSON", "request_properties": "JSON", "request_user_id": "JSON", "model": "JSON",
               "prompt_tokens": "JSON", "completion_tokens": "JSON", "latency": "JSON", "cost": "JSON"
           }')) end as r
    from lines
),

cells as (
    select file_id, source_file, file_mtime, line, text, status, r,
           nullif(trim(str(r.response_id)), '') as response_id,
           nullif(trim(str(r.model)), '') as model,
           nullif(trim(str(r.prompt_tokens)), '') as j_prompt,
           nullif(trim(str(r.completion_tokens)), '') as j_completion,
           nullif(trim(str(r.cost)), '') as cost_text,
           nullif(trim(str(r.request_properties)), '') as properties_text,
           ts_parse(r.request_created_at) as ts,
           try_cast(nullif(trim(str(r.response_status)), '') as integer) as http_status
    from parsed
),

-- the request_properties cell, parsed once
properties as (
    select *,
           try(from_json(properties_text, '"MAP(VARCHAR, JSON)"')) as property_map
    from cells
),

fields as (
    select *,
           list_transform(
               list_filter(map_entries(coalesce(property_map, map())),
                           lambda e: json_type(e.value) not in ('OBJECT', 'ARRAY', 'NULL')),
               lambda e: {'key': regexp_replace(e.key, '(?i)^helicone-property-', ''), 'value': str(e.value)}) as props,
           coalesce(provider_of_model(model),
                    case when model like '%/%' then lower(split_part(model, '/', 1)) end) as provider,
           coalesce(http_status between 200 and 399, true) as billable
    from properties
),

judged as (
    select * exclude (status),
           coalesce(status, case
               when r is null then 'invalid_json'
               when r.response_id is null and r.request_created_at is null then 'unknown_record_shape'
               when properties_text is not null and property_map is null then 'invalid_json'
               when nullif(trim(str(r.request_created_at)), '') is null then 'missing_timestamp'
               else ts_problem(r.request_created_at, ts, file_mtime)
           end, case
               when tok_bad(j_prompt) or tok_bad(j_completion) then 'bad_token_count'
               when cost_text is not null and try_cast(cost_text as decimal(38, 12)) is null then 'bad_token_count'
               when billable and (j_prompt is null or j_completion is null) then 'missing_usage'
               when model is null then 'missing_model'
           end) as status
    from fields
)

select
    file_id,
    line,
    status,
    case status
        when 'invalid_json' then case when r is not null then 'the request_properties cell is not a JSON object' end
        when 'timestamp_no_zone' then 'request_created_at has no time zone: ' || str(r.request_created_at)
        when 'timestamp_out_of_range' then 'request_created_at ' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || ' is before 2020 or after the file''s date'
        when 'bad_token_count' then 'a token count is not a whole number >= 0, or cost is not a number'
        when 'missing_usage' then 'a successful request without prompt_tokens or completion_tokens'
        when 'unknown_record_shape' then 'not a Helicone export row'
    end as detail,
    text as raw_text,
    response_id as request_id,
    response_id,
    ts,
    provider,
    provider as billed_by,
    model,
    list_extract(list_filter(props, lambda p: lower(p.key) = 'app'), 1).value as app_raw,
    nullif(trim(str(r.request_user_id)), '') as user_id,
    case when len(props) > 0 then map_from_entries(
        list_filter(props, lambda e, i: list_position(list_transform(props, lambda x: x.key), e.key) = i)) end as tags,
    coalesce(tok(j_prompt), 0) as input_tokens,
    0::bigint as cache_write_5m_tokens,
    0::bigint as cache_write_1h_tokens,
    0::bigint as cache_read_tokens,
    coalesce(tok(j_completion), 0) as output_tokens,
    0::bigint as web_search_requests,
    false as batch,
    http_status,
    case when not billable then 'http_' || coalesce(http_status::varchar, 'unknown') end as error_type,
    billable,
    false as usage_missing,
    try_cast(round(try_cast(nullif(trim(str(r.latency)), '') as double)) as bigint) as latency_ms,
    'request' as grain,
    try_cast(cost_text as decimal(38, 12)) as reported_cost_usd,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    $source_format || ':' || coalesce(response_id, 'sha256:' || sha256(text)) as dedupe_key
from judged
