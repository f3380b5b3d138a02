-- A CSV layout of the user's own ([csv_formats.NAME] in the config): one request per row, columns named by the
-- config. The csv reader hands each row over as a JSON object of strings keyed by the header; one multi-path
-- json_extract_string reads every mapped cell at once, in the order of config.CSV_FIELDS (an unmapped field reads
-- a key that is never there, so it is NULL). Parameters as app_log.sql, plus paths, provider (one for every row,
-- or NULL), input_includes_cache (the input column counts cache reads and writes too: they are subtracted) and
-- timestamp_zone (the zone of timestamps written without one, or NULL: such a timestamp is rejected).
with lines as (
    select * from checked_lines($max_line_bytes)
),

extracted as (
    select file_id, source_file, file_mtime, line, text, status,
           case when status is null then list_transform(json_extract_string(text, $paths),
                                                        lambda v: nullif(trim(v), '')) end as f
    from lines
),

cells as (
    select file_id, source_file, file_mtime, line, text, status, f,
           f[1] as ts_text, f[2] as model, f[3] as j_input, f[4] as j_output, f[5] as provider_text,
           f[6] as request_id, f[7] as app, f[8] as api_key, f[9] as workspace, f[10] as project,
           f[11] as user_id, f[12] as session_id, f[13] as j_write_5m, f[14] as j_write_1h, f[15] as j_read,
           f[16] as j_reasoning, f[17] as j_searches, f[18] as batch_text, f[19] as status_text,
           f[20] as latency_text, f[21] as cost_text
    from extracted
),

typed as (
    select *,
           case
               when ts_text is null then null
               when regexp_full_match(ts_text, '[0-9]{9,10}(\.[0-9]+)?') then to_timestamp(ts_text::double)
               when has_zone(ts_text) then try_cast(ts_text as timestamptz)
               when $timestamp_zone::varchar is not null then timezone($timestamp_zone::varchar, try_cast(ts_text as timestamp))
           end as ts,
           try_cast(status_text as integer) as http_status,
           coalesce(tok(j_read), 0) + coalesce(tok(j_write_5m), 0) + coalesce(tok(j_write_1h), 0) as cached_input,
           coalesce(lower(provider_text), $provider::varchar, provider_of_model(model),
                    case when model like '%/%' then lower(split_part(model, '/', 1)) end) as provider_name
    from cells
),

fields as (
    select *,
           case when $input_includes_cache then tok(j_input) - cached_input else tok(j_input) end as uncached_input,
           coalesce(http_status between 200 and 399, true) as billable
    from typed
),

judged as (
    select * exclude (status),
           coalesce(status, case
               when f is null or list_filter(f, lambda v: v is not null) = [] then 'unknown_record_shape'
               when ts_text is null then 'missing_timestamp'
               when ts is null and not has_zone(ts_text) and try_cast(ts_text as timestamp) is not null
                   then 'timestamp_no_zone'
               when ts is null then 'missing_timestamp'
               when ts < timestamptz '2020-01-01 00:00:00+00' or ts > file_mtime + interval 1 day
                   then 'timestamp_out_of_range'
           end, case
               when tok_bad(j_input) or tok_bad(j_output) or tok_bad(j_write_5m) or tok_bad(j_write_1h)
                    or tok_bad(j_read) or tok_bad(j_reasoning) or tok_bad(j_searches) then 'bad_token_count'
               when status_text is not null and http_status is null then 'bad_token_count'
               when cost_text is not null and try_cast(cost_text as decimal(38, 12)) is null then 'bad_token_count'
               when billable and (j_input is null or j_output is null) then 'missing_usage'
               when billable and uncached_input < 0 then 'negative_uncached_input'
               when model is null then 'missing_model'
           end) as status
    from fields
)

select
    file_id,
    line,
    status,
    case status
        when 'unknown_record_shape' then 'a row with none of the mapped columns filled'
        when 'timestamp_no_zone' then 'timestamp has no time zone (set timestamp_zone in the csv_formats table): ' || ts_text
        when 'missing_timestamp' then case when ts_text is not null then 'not a timestamp: ' || ts_text end
        when 'timestamp_out_of_range' then 'timestamp ' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || ' is before 2020 or after the file''s date'
        when 'bad_token_count' then 'a token count is not a whole number >= 0, or the status or cost is not a number'
        when 'missing_usage' then 'a successful request without its input or output token count'
        when 'negative_uncached_input' then 'cache tokens exceed the input tokens that include them'
    end as detail,
    text as raw_text,
    request_id,
    ts,
    provider_name as provider,
    provider_name as billed_by,
    model,
    app as app_raw,
    workspace,
    api_key,
    project,
    user_id,
    session_id,
    coalesce(uncached_input, 0) as input_tokens,
    coalesce(tok(j_write_5m), 0) as cache_write_5m_tokens,
    coalesce(tok(j_write_1h), 0) as cache_write_1h_tokens,
    coalesce(tok(j_read), 0) as cache_read_tokens,
    coalesce(tok(j_output), 0) as output_tokens,
    tok(j_reasoning) as reasoning_tokens,
    coalesce(tok(j_searches), 0) as web_search_requests,
    coalesce(lower(batch_text) in ('true', '1', 'yes', 'y', 'batch'), false) as batch,
    http_status,
    case when not billable then 'http_' || http_status::varchar end as error_type,
    billable,
    false as usage_missing,
    try_cast(round(try_cast(latency_text as double)) as bigint) as latency_ms,
    'request' as grain,
    try_cast(cost_text as decimal(38, 12)) as reported_cost_usd,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    $source_format || ':' || coalesce(provider_name || ':' || request_id, 'sha256:' || sha256(text)) as dedupe_key
from judged
