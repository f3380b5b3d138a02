-- OpenAI dashboard Activity export (platform.openai.com/usage → Export, CSV): the Usage API completions buckets
-- flattened. Each data row arrives as a JSON object of strings keyed by the header (READER "csv"). Counts are
-- floats ("46264.0" is 46264, "46264.5" is bad), booleans TRUE/FALSE, times UTC; a row with times but no model
-- and no counts is an empty day. Keyed like openai_usage_api, so the same bucket from both is one row; a later
-- fetch (the newer file) replaces it. Parameters as app_log.sql.
with lines as (
    select * from checked_lines($max_line_bytes)
),

parsed as (
    select file_id, source_file, file_mtime, line, text, status,
           case when status is null then try(from_json(text, '{
               "start_time": "VARCHAR", "end_time": "VARCHAR", "start_time_iso": "VARCHAR", "end_time_iso": "VARCHAR",
               "project_id": "VARCHAR", "user_id": "VARCHAR", "api_key_id": "VARCHAR", "model": "VARCHAR",
               "batch": "VARCHAR", "service_tier": "VARCHAR", "num_model_requests": "VARCHAR",
               "input_tokens": "VARCHAR", "output_tokens": "VARCHAR", "input_cached_tokens": "VARCHAR",
               "input_uncached_tokens": "VARCHAR", "input_cache_write_tokens": "VARCHAR"
           }')) end as r
    from lines
),

-- counts in order: requests, input, output, cached, uncached, cache write; NULL when blank, -1 when not a count
numbers as (
    select *,
           list_transform(
               [r.num_model_requests, r.input_tokens, r.output_tokens, r.input_cached_tokens,
                r.input_uncached_tokens, r.input_cache_write_tokens],
               lambda s: case
                   when nullif(trim(s), '') is null then null
                   when regexp_full_match(trim(s), '[0-9]{1,18}(\.0*)?') then split_part(trim(s), '.', 1)::bigint
                   else -1
               end) as n
    from parsed
),

fields as (
    select file_id, source_file, file_mtime, line, text, status, r, n,
           n[1] as requests, n[2] as j_input, n[3] as output, n[4] as cache_read, n[5] as uncached, n[6] as cache_write,
           list_contains(n, -1) as bad_counts,
           coalesce(
               case when has_zone(trim(r.start_time_iso)) then try_cast(trim(r.start_time_iso) as timestamptz)
                    else timezone('UTC', try_cast(trim(r.start_time_iso) as timestamp)) end,
               case when regexp_full_match(trim(r.start_time), '[0-9]{9,10}(\.0*)?')
                    then to_timestamp(split_part(trim(r.start_time), '.', 1)::bigint) end) as ts,
           coalesce(
               case when has_zone(trim(r.end_time_iso)) then try_cast(trim(r.end_time_iso) as timestamptz)
                    else timezone('UTC', try_cast(trim(r.end_time_iso) as timestamp)) end,
               case when regexp_full_match(trim(r.end_time), '[0-9]{9,10}(\.0*)?')
                    then to_timestamp(split_part(trim(r.end_time), '.', 1)::bigint) end) as bucket_end,
           nullif(trim(r.project_id), '') as project_id,
           nullif(trim(r.user_id), '') as user_id,
           nullif(trim(r.api_key_id), '') as api_key_id,
           nullif(trim(r.model), '') as model,
           case upper(trim(r.batch)) when 'TRUE' then true when 'FALSE' then false end as is_batch,
           nullif(trim(r.service_tier), '') as service_tier
    from numbers
),

counted as (
    select *,
           coalesce(uncached, j_input - coalesce(cache_read, 0) - coalesce(cache_write, 0)) as uncached_input
    from fields
),

judged as (
    select * replace (coalesce(status, case
               when r is null then 'invalid_json'
               when r.model is null or r.input_tokens is null or r.output_tokens is null then 'unknown_record_shape'
               when ts is not null and model is null and not bad_counts and coalesce(list_max(n), 0) = 0
                   then 'ignored:empty_row'
               when ts is null or bucket_end is null then 'missing_timestamp'
               when ts < timestamptz '2020-01-01 00:00:00+00' or ts > file_mtime + interval 1 day
                   then 'timestamp_out_of_range'
               when bad_counts then 'bad_token_count'
               when (j_input is null and uncached is null) or output is null then 'missing_usage'
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
        when 'missing_timestamp' then 'no start_time/end_time (epoch seconds or ISO 8601)'
        when 'timestamp_out_of_range' then 'bucket ' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || ' is before 2020 or after the file''s date'
        when 'bad_token_count' then 'a count is not a whole number'
        when 'negative_uncached_input' then 'cached tokens exceed input tokens'
        when 'missing_model' then 'no model: export the usage grouped by model'
        when 'unknown_record_shape' then 'no model, input_tokens and output_tokens columns'
    end as detail,
    text as raw_text,
    ts,
    'openai' as provider,
    'openai' as billed_by,
    model,
    api_key_id as api_key,
    project_id as project,
    user_id,
    uncached_input as input_tokens,
    coalesce(cache_write, 0) as cache_write_5m_tokens,
    0::bigint as cache_write_1h_tokens,
    coalesce(cache_read, 0) as cache_read_tokens,
    output as output_tokens,
    0::bigint as web_search_requests,
    coalesce(is_batch, false) or coalesce(lower(service_tier) = 'batch', false) as batch,
    service_tier,
    true as billable,
    false as usage_missing,
    'bucket' as grain,
    requests as request_count,
    bucket_end,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    'openai:usage:' || md5([
        epoch(ts)::bigint::varchar, (epoch(bucket_end) - epoch(ts))::bigint::varchar, project_id,
        user_id, api_key_id, model, is_batch::varchar, service_tier
    ]::varchar) as dedupe_key,
    -epoch_ms(file_mtime) as dedupe_rank
from judged
