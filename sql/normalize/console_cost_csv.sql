-- Anthropic Console cost CSV export: money only, one bucket row per data row (as JSON objects of strings from the
-- csv reader). Token columns are 0; `cost_usd` (dollars) becomes reported_cost_usd; `model` is the display name
-- ("Claude Sonnet 4.5"), kept as logged. `usage_date_utc` as in console_usage_csv.sql. Parameters as app_log.sql.
with lines as (
    select * from checked_lines($max_line_bytes)
),

parsed as (
    select file_id, source_file, file_mtime, line, text, status,
           case when status is null then try(from_json(text, '{
               "usage_date_utc": "JSON", "model": "JSON", "workspace": "JSON", "api_key": "JSON",
               "usage_type": "JSON", "context_window": "JSON", "token_type": "JSON", "cost_usd": "JSON",
               "list_price_usd": "JSON", "cost_type": "JSON", "inference_geo": "JSON", "speed": "JSON",
               "api_key_id": "JSON", "api_key_status": "JSON"
           }')) end as r
    from lines
),

fields as (
    select file_id, source_file, file_mtime, line, text, status, r,
           trim(str(r.usage_date_utc)) as date_text,
           console_cell(r.model) as model,
           console_cell(r.usage_type) as usage_type,
           console_cell(r.context_window) as window_text,
           nullif(trim(str(r.cost_usd)), '') as cost_text,
           try_cast(nullif(trim(str(r.cost_usd)), '') as decimal(38, 12)) as cost_usd,
           console_cell(r.speed) as speed_text
    from parsed
),

timed as (
    select *, console_date_shape(date_text) as date_shape, console_ts(date_text) as ts
    from fields
),

widths as (
    select *,
           case date_shape
               when 'day' then interval 1 day
               -- an export by the minute has rows off the hour; an hourly one never does
               when 'clock' then case when bool_or(date_shape = 'clock' and minute(ts) <> 0) over (partition by file_id) then interval 1 minute
                                      else interval 1 hour end
           end as width
    from timed
),

judged as (
    select * replace (coalesce(status, case
               when r is null then 'invalid_json'
               when r.usage_date_utc is null and r.cost_usd is null then 'unknown_record_shape'
               when model is null and cost_text is null and console_cell(r.token_type) is null
                   then 'ignored:empty_row'
               when date_shape is null then 'missing_timestamp'
               else ts_problem('"' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || '"', ts, file_mtime)
           end, case
               when cost_text is null then 'missing_usage'
               when cost_usd is null then 'bad_token_count'
           end) as status),
           case
               when window_text in ('≤ 200k', '≤200k', '<= 200k', '0-200k') then '0-200k'
               when window_text in ('> 200k', '>200k', '200k-1M', '200k-1m', '> 200k ≤ 1M', '200k - 1M') then '200k-1M'
           end as context_window,
           -- only a service tier when it names one (the export's usage_type is usually `message`)
           case when lower(usage_type) in ('standard', 'batch', 'priority', 'priority_on_demand', 'flex', 'flex_discount')
                then usage_type end as service_tier
    from widths
),

dimensioned as (
    select *,
           -- the bucket's identity: its start, its width and every dimension
           to_json([
               $source_format, strftime(ts, '%Y-%m-%dT%H:%M:%SZ'), (epoch(ts + width) - epoch(ts))::varchar,
               model, str(r.workspace), str(r.api_key), str(r.api_key_id), usage_type,
               coalesce(context_window, window_text), str(r.token_type), str(r.cost_type), str(r.inference_geo), speed_text
           ])::varchar as dimensions
    from judged
),

identified as (
    select *, console_bucket_id(dimensions, occurrence) as bucket_id
    from (select *, row_number() over (partition by file_id, dimensions order by line) as occurrence
          from dimensioned)
)

select
    file_id,
    line,
    status,
    case status
        when 'missing_timestamp' then 'usage_date_utc ' || coalesce('''' || date_text || '''', 'is empty') || ' is not YYYY-MM-DD or YYYY-MM-DD HH:MM'
        when 'timestamp_out_of_range' then 'usage_date_utc ' || date_text || ' is before 2020 or after the file''s date'
        when 'bad_token_count' then 'cost_usd ' || cost_text || ' is not a decimal number of dollars'
        when 'missing_usage' then 'no cost_usd'
        when 'unknown_record_shape' then 'not a Console cost export row'
    end as detail,
    text as raw_text,
    'bucket:' || bucket_id as request_id,
    ts,
    'anthropic' as provider,
    'anthropic' as billed_by,
    model,
    console_cell(r.workspace) as workspace,
    console_cell(r.api_key) as api_key,
    map_from_entries(list_filter([
        {'key': 'token_type', 'value': console_cell(r.token_type)},
        {'key': 'cost_type', 'value': console_cell(r.cost_type)},
        {'key': 'usage_type', 'value': usage_type},
        {'key': 'list_price_usd', 'value': nullif(trim(str(r.list_price_usd)), '')},
        {'key': 'api_key_id', 'value': nullif(trim(str(r.api_key_id)), '')},
        {'key': 'api_key_status', 'value': nullif(trim(str(r.api_key_status)), '')},
        {'key': 'context_window', 'value': case when context_window is null then window_text end}
    ], lambda e: e.value is not null)) as tags,
    0::bigint as input_tokens,
    0::bigint as cache_write_5m_tokens,
    0::bigint as cache_write_1h_tokens,
    0::bigint as cache_read_tokens,
    0::bigint as output_tokens,
    0::bigint as web_search_requests,
    coalesce(lower(service_tier) = 'batch', false) as batch,
    service_tier,
    -- an empty speed is standard; the older header has no speed column at all
    case when r.speed is not null then coalesce(speed_text, 'standard') end as speed,
    console_cell(r.inference_geo) as inference_geo,
    true as billable,
    false as usage_missing,
    'bucket' as grain,
    ts + width as bucket_end,
    context_window,
    cost_usd as reported_cost_usd,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    'anthropic:bucket:' || coalesce(bucket_id, 'line-' || line) as dedupe_key,
    -epoch_ms(file_mtime) as dedupe_rank
from identified
