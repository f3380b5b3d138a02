-- Anthropic Console usage ("tokens") CSV export: one bucket row per data row (the csv reader hands each row over as
-- a JSON object of strings keyed by the header). `usage_date_utc` is a UTC date (a 1-day bucket) or
-- `YYYY-MM-DD HH:MM` (1 hour; 1 minute when the file has any row off the hour). Names, not ids.
-- Both headers: 2026 (context_window, inference_geo, speed) and mid-2025 (without them). Parameters as app_log.sql.
with lines as (
    select * from checked_lines($max_line_bytes)
),

parsed as (
    select file_id, source_file, file_mtime, line, text, status,
           case when status is null then try(from_json(text, '{
               "usage_date_utc": "JSON", "model_version": "JSON", "api_key": "JSON", "workspace": "JSON",
               "usage_type": "JSON", "context_window": "JSON",
               "usage_input_tokens_no_cache": "JSON", "usage_input_tokens_cache_write_5m": "JSON",
               "usage_input_tokens_cache_write_1h": "JSON", "usage_input_tokens_cache_read": "JSON",
               "usage_output_tokens": "JSON", "web_search_count": "JSON",
               "inference_geo": "JSON", "speed": "JSON"
           }')) end as r
    from lines
),

fields as (
    select file_id, source_file, file_mtime, line, text, status, r,
           trim(str(r.usage_date_utc)) as date_text,
           nullif(trim(str(r.model_version)), '') as model,
           nullif(trim(str(r.usage_type)), '') as usage_type,
           nullif(trim(str(r.context_window)), '') as window_text,
           -- counts arrive as strings: tok() judges the bare text (digits only)
           nullif(trim(str(r.usage_input_tokens_no_cache)), '') as j_input,
           nullif(trim(str(r.usage_input_tokens_cache_write_5m)), '') as j_cw5m,
           nullif(trim(str(r.usage_input_tokens_cache_write_1h)), '') as j_cw1h,
           nullif(trim(str(r.usage_input_tokens_cache_read)), '') as j_cache_read,
           nullif(trim(str(r.usage_output_tokens)), '') as j_output,
           nullif(trim(str(r.web_search_count)), '') as j_web_search
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
               when r.usage_date_utc is null and r.model_version is null then 'unknown_record_shape'
               when model is null and coalesce(tok(j_input), 0) + coalesce(tok(j_cw5m), 0) + coalesce(tok(j_cw1h), 0)
                    + coalesce(tok(j_cache_read), 0) + coalesce(tok(j_output), 0) + coalesce(tok(j_web_search), 0) = 0
                    and not (tok_bad(j_input) or tok_bad(j_cw5m) or tok_bad(j_cw1h) or tok_bad(j_cache_read)
                             or tok_bad(j_output) or tok_bad(j_web_search)) then 'ignored:empty_row'
               when date_shape is null then 'missing_timestamp'
               else ts_problem('"' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || '"', ts, file_mtime)
           end, case
               when tok_bad(j_input) or tok_bad(j_cw5m) or tok_bad(j_cw1h) or tok_bad(j_cache_read)
                    or tok_bad(j_output) or tok_bad(j_web_search) then 'bad_token_count'
               when j_input is null or j_output is null then 'missing_usage'
               when model is null then 'missing_model'
           end) as status),
           case
               when window_text in ('≤ 200k', '≤200k', '<= 200k', '0-200k') then '0-200k'
               when window_text in ('> 200k', '>200k', '200k-1M', '200k-1m', '> 200k ≤ 1M', '200k - 1M') then '200k-1M'
           end as context_window,
           nullif(trim(str(r.speed)), '') as speed_text
    from widths
),

dimensioned as (
    select *,
           -- the bucket's identity: its start, its width and every dimension
           to_json([
               $source_format, strftime(ts, '%Y-%m-%dT%H:%M:%SZ'), (epoch(ts + width) - epoch(ts))::varchar,
               model, str(r.api_key), str(r.workspace), usage_type, coalesce(context_window, window_text),
               str(r.inference_geo), speed_text
           ]::varchar[])::varchar as dimensions
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
        when 'bad_token_count' then 'a token count is not a whole number >= 0'
        when 'missing_usage' then 'no usage_input_tokens_no_cache or usage_output_tokens'
        when 'unknown_record_shape' then 'not a Console usage export row'
    end as detail,
    text as raw_text,
    'bucket:' || bucket_id as request_id,
    ts,
    'anthropic' as provider,
    'anthropic' as billed_by,
    model,
    str(r.workspace) as workspace,
    str(r.api_key) as api_key,
    case when context_window is null and window_text is not null
         then map {'context_window': window_text} end as tags,
    tok(j_input) as input_tokens,
    coalesce(tok(j_cw5m), 0) as cache_write_5m_tokens,
    coalesce(tok(j_cw1h), 0) as cache_write_1h_tokens,
    coalesce(tok(j_cache_read), 0) as cache_read_tokens,
    tok(j_output) as output_tokens,
    coalesce(tok(j_web_search), 0) as web_search_requests,
    coalesce(lower(usage_type) = 'batch', false) as batch,
    usage_type as service_tier,
    -- an empty speed is standard; the mid-2025 header has no speed column at all
    case when r.speed is not null then coalesce(speed_text, 'standard') end as speed,
    nullif(trim(str(r.inference_geo)), '') as inference_geo,
    true as billable,
    false as usage_missing,
    'bucket' as grain,
    ts + width as bucket_end,
    context_window,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    'anthropic:bucket:' || coalesce(bucket_id, 'line-' || line) as dedupe_key,
    -epoch_ms(file_mtime) as dedupe_rank
from identified
