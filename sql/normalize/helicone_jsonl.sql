-- Helicone request export (JSONL, `npx @helicone/export --format jsonl` or the query API): one HeliconeRequest per
-- line. Helicone stores prompt_tokens without the cache columns (its totals add prompt + completion + cache write +
-- cache read); a row whose total_tokens is only prompt + completion while it has cache tokens counts them inside
-- prompt_tokens, and they are subtracted. Helicone observes, it does not invoice. Parameters as app_log.sql.
with lines as (
    select * from checked_lines($max_line_bytes)
),

parsed as (
    select file_id, source_file, file_mtime, line, text, status,
           case when status is null then try(from_json(text, '{
               "request_id": "JSON", "request_created_at": "JSON", "response_id": "JSON", "response_status": "JSON",
               "request_model": "JSON", "response_model": "JSON", "model_override": "JSON", "model": "JSON",
               "provider": "JSON", "request_user_id": "JSON", "request_properties": "MAP(VARCHAR, JSON)",
               "delay_ms": "JSON", "total_tokens": "JSON", "prompt_tokens": "JSON", "completion_tokens": "JSON",
               "prompt_cache_write_tokens": "JSON", "prompt_cache_read_tokens": "JSON", "cost": "JSON", "costUSD": "JSON"
           }')) end as r
    from lines
),

fields as (
    select file_id, source_file, file_mtime, line, text, status, r,
           coalesce(str(r.response_model), str(r.model), str(r.model_override), str(r.request_model)) as model,
           lower(str(r.provider)) as route,
           ts_parse(r.request_created_at) as ts,
           try_cast(str(r.response_status) as integer) as http_status,
           coalesce(r.cost, r.costUSD) as j_cost,
           -- properties set as Helicone-Property-<Name> headers, named without the prefix
           list_transform(
               list_filter(map_entries(coalesce(r.request_properties, map())),
                           lambda e: json_type(e.value) not in ('OBJECT', 'ARRAY', 'NULL')),
               lambda e: {'key': regexp_replace(e.key, '(?i)^helicone-property-', ''), 'value': str(e.value)}) as props
    from parsed
),

counted as (
    select *,
           case
               when route in ('anthropic', 'openai', 'google') then route
               else coalesce(provider_of_model(model), route)
           end as provider,
           tok(r.prompt_tokens) as prompt,
           coalesce(tok(r.prompt_cache_write_tokens), 0) as cache_write,
           coalesce(tok(r.prompt_cache_read_tokens), 0) as cache_read,
           coalesce(http_status between 200 and 399, true) as billable
    from fields
),

judged as (
    select * exclude (status),
           case when cache_write + cache_read > 0 and tok(r.total_tokens) = prompt + tok(r.completion_tokens)
                then prompt - cache_write - cache_read else prompt end as uncached_input,
           coalesce(status, case
               when r is null then 'invalid_json'
               when r.request_id is null and r.response_id is null then 'unknown_record_shape'
               else ts_problem(r.request_created_at, ts, file_mtime)
           end, case
               when tok_bad(r.prompt_tokens) or tok_bad(r.completion_tokens) or tok_bad(r.prompt_cache_write_tokens)
                    or tok_bad(r.prompt_cache_read_tokens) or tok_bad(r.total_tokens) then 'bad_token_count'
               when j_cost is not null and try_cast(j_cost::varchar as decimal(38, 12)) is null then 'bad_token_count'
               when billable and (r.prompt_tokens is null or r.completion_tokens is null) then 'missing_usage'
               when cache_write + cache_read > 0 and tok(r.total_tokens) = prompt + tok(r.completion_tokens)
                    and prompt - cache_write - cache_read < 0 then 'negative_uncached_input'
               when model is null then 'missing_model'
           end) as status
    from counted
)

select
    file_id,
    line,
    status,
    case status
        when 'timestamp_no_zone' then 'request_created_at has no time zone: ' || str(r.request_created_at)
        when 'timestamp_out_of_range' then 'request_created_at ' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || ' is before 2020 or after the file''s date'
        when 'bad_token_count' then 'a token count is not a non-negative integer, or cost is not a number'
        when 'missing_usage' then 'a successful request without prompt_tokens or completion_tokens'
        when 'negative_uncached_input' then 'cache tokens exceed prompt_tokens'
        when 'unknown_record_shape' then 'not a Helicone request record'
    end as detail,
    text as raw_text,
    str(r.request_id) as request_id,
    str(r.response_id) as response_id,
    ts,
    provider,
    case when route in ('openrouter', 'azure') then route when route in ('aws', 'bedrock') then 'aws' else provider end as billed_by,
    model,
    list_extract(list_filter(props, lambda p: lower(p.key) = 'app'), 1).value as app_raw,
    str(r.request_user_id) as user_id,
    case when len(props) > 0 then map_from_entries(
        list_filter(props, lambda e, i: list_position(list_transform(props, lambda x: x.key), e.key) = i)) end as tags,
    coalesce(uncached_input, 0) as input_tokens,
    cache_write as cache_write_5m_tokens,
    0::bigint as cache_write_1h_tokens,
    cache_read as cache_read_tokens,
    coalesce(tok(r.completion_tokens), 0) as output_tokens,
    0::bigint as web_search_requests,
    false as batch,
    http_status,
    case when not billable then 'http_' || coalesce(http_status::varchar, 'unknown') end as error_type,
    billable,
    false as usage_missing,
    try_cast(round(try_cast(str(r.delay_ms) as double)) as bigint) as latency_ms,
    'request' as grain,
    try_cast(j_cost::varchar as decimal(38, 12)) as reported_cost_usd,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    $source_format || ':' || coalesce(str(r.request_id), str(r.response_id), 'sha256:' || sha256(text)) as dedupe_key
from judged
