-- OpenRouter aggregated activity export (CSV, every value quoted): one bucket row per (day, model slug) with
-- `Date,Slug,Usage,BYOK Usage,Requests,Prompt Tokens,Completion Tokens,Reasoning Tokens`. `Date` is a UTC day
-- ("YYYY-MM-DD 00:00:00", naive). Prompt tokens include cached ones and the export has no split, so all are input.
-- `Usage` is credits = USD. Parameters as app_log.sql.
with lines as (
    select * from checked_lines($max_line_bytes)
),

parsed as (
    select file_id, source_file, file_mtime, line, text, status,
           case when status is null then try(from_json(text, '{
               "Date": "JSON", "Slug": "JSON", "Usage": "JSON", "BYOK Usage": "JSON", "Requests": "JSON",
               "Prompt Tokens": "JSON", "Completion Tokens": "JSON", "Reasoning Tokens": "JSON"
           }')) end as r
    from lines
),

cells as (
    select file_id, source_file, file_mtime, line, text, status, r,
           nullif(trim(str(r."Date")), '') as date_text,
           nullif(trim(str(r.Slug)), '') as model,
           nullif(trim(str(r.Usage)), '') as usage_text,
           nullif(trim(str(r."BYOK Usage")), '') as byok_text,
           nullif(trim(str(r.Requests)), '') as j_requests,
           nullif(trim(str(r."Prompt Tokens")), '') as j_prompt,
           nullif(trim(str(r."Completion Tokens")), '') as j_completion,
           nullif(trim(str(r."Reasoning Tokens")), '') as j_reasoning
    from parsed
),

timed as (
    select *,
           -- a UTC day: midnight, with or without the clock
           case when regexp_full_match(date_text, '\d{4}-\d{2}-\d{2}([ T]00:00(:00(\.0+)?)?)?Z?')
                then try_cast(left(date_text, 10) || ' 00:00:00+00' as timestamptz) end as ts,
           lower(ltrim(split_part(model, '/', 1), '~')) as slug_prefix,
           try_cast(usage_text as decimal(38, 12)) as cost,
           tok_bad(j_requests) or tok_bad(j_prompt) or tok_bad(j_completion) or tok_bad(j_reasoning) as bad_tokens
    from cells
),

judged as (
    select * exclude (status),
           coalesce(status, case
               when r is null then 'invalid_json'
               when r."Date" is null and r.Slug is null then 'unknown_record_shape'
               when model is null and not bad_tokens and coalesce(tok(j_requests), 0) + coalesce(tok(j_prompt), 0)
                    + coalesce(tok(j_completion), 0) = 0 and coalesce(cost, 0) = 0 then 'ignored:empty_row'
               when date_text is null or ts is null then 'missing_timestamp'
               else ts_problem('"' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || '"', ts, file_mtime)
           end, case
               when bad_tokens then 'bad_token_count'
               when usage_text is not null and cost is null then 'bad_token_count'
               when j_prompt is null or j_completion is null then 'missing_usage'
               when model is null then 'missing_model'
           end) as status,
           -- the bucket's identity: its start, its width and every dimension
           left(sha256(to_json([$source_format, strftime(ts, '%Y-%m-%dT%H:%M:%SZ'), '86400', model])), 32) as bucket_id
    from timed
)

select
    file_id,
    line,
    status,
    case status
        when 'missing_timestamp' then 'Date ' || coalesce('''' || date_text || '''', 'is empty') || ' is not a UTC day'
        when 'timestamp_out_of_range' then 'Date ' || date_text || ' is before 2020 or after the file''s date'
        when 'bad_token_count' then 'a count is not a whole number >= 0, or Usage is not a number'
        when 'missing_usage' then 'no Prompt Tokens or Completion Tokens'
        when 'unknown_record_shape' then 'not an OpenRouter aggregated activity row'
    end as detail,
    text as raw_text,
    'bucket:' || bucket_id as request_id,
    ts,
    slug_prefix as provider,
    'openrouter' as billed_by,
    model,
    case when try_cast(byok_text as double) > 0 then map {'byok_usage_usd': byok_text} end as tags,
    tok(j_prompt) as input_tokens,
    0::bigint as cache_write_5m_tokens,
    0::bigint as cache_write_1h_tokens,
    0::bigint as cache_read_tokens,
    tok(j_completion) as output_tokens,
    tok(j_reasoning) as reasoning_tokens,
    0::bigint as web_search_requests,
    false as batch,
    true as billable,
    false as usage_missing,
    'bucket' as grain,
    tok(j_requests) as request_count,
    ts + interval 1 day as bucket_end,
    cost as reported_cost_usd,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    'openrouter:bucket:' || coalesce(bucket_id, 'line-' || line) as dedupe_key,
    -epoch_ms(file_mtime) as dedupe_rank
from judged
