-- OpenAI dashboard Cost export (platform.openai.com/usage → Export, CSV): the Costs API buckets flattened, one
-- data row per (day, line item, project) as a JSON object of strings (READER "csv"). Money only, as
-- openai_costs_api.sql: zero tokens, reported_cost_usd = amount_value (dollars), model from a "<model>, <kind>"
-- line item; a row with times but no amount and no line item is an empty day. Keyed like openai_costs_api, so
-- the same bucket from both is one row; a later fetch (the newer file) replaces it. Parameters as app_log.sql.
with lines as (
    select * from checked_lines($max_line_bytes)
),

parsed as (
    select file_id, source_file, file_mtime, line, text, status,
           case when status is null then try(from_json(text, '{
               "start_time": "VARCHAR", "end_time": "VARCHAR", "start_time_iso": "VARCHAR", "end_time_iso": "VARCHAR",
               "amount_value": "VARCHAR", "amount_currency": "VARCHAR", "line_item": "VARCHAR",
               "project_id": "VARCHAR", "api_key_id": "VARCHAR"
           }')) end as r
    from lines
),

fields as (
    select file_id, source_file, file_mtime, line, text, status, r,
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
           nullif(trim(r.amount_value), '') as amount_text,
           try_cast(trim(r.amount_value) as decimal(38, 12)) as amount,
           coalesce(lower(nullif(trim(r.amount_currency), '')), 'usd') as currency,
           nullif(trim(r.line_item), '') as line_item,
           nullif(regexp_extract(trim(r.line_item), '^([A-Za-z0-9][A-Za-z0-9._:/-]*), .+$', 1), '') as item_model,
           nullif(trim(r.project_id), '') as project_id,
           nullif(trim(r.api_key_id), '') as api_key_id
    from parsed
),

judged as (
    select * replace (coalesce(status, case
               when r is null then 'invalid_json'
               when r.amount_value is null then 'unknown_record_shape'
               when ts is not null and amount_text is null and line_item is null then 'ignored:empty_row'
               when ts is null or bucket_end is null then 'missing_timestamp'
               when ts < timestamptz '2020-01-01 00:00:00+00' or ts > file_mtime + interval 1 day
                   then 'timestamp_out_of_range'
               when amount is null or currency <> 'usd' then 'unknown_record_shape'
           end) as status)
    from fields
)

select
    file_id,
    line,
    status,
    case status
        when 'missing_timestamp' then 'no start_time/end_time (epoch seconds or ISO 8601)'
        when 'timestamp_out_of_range' then 'bucket ' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || ' is before 2020 or after the file''s date'
        when 'unknown_record_shape' then case when r.amount_value is null then 'no amount_value column'
            else 'amount_value is not an amount in usd: ' || coalesce(amount_text, '') || ' ' || currency end
    end as detail,
    text as raw_text,
    ts,
    'openai' as provider,
    'openai' as billed_by,
    item_model as model,
    api_key_id as api_key,
    project_id as project,
    case when line_item is not null then map {'line_item': line_item} end as tags,
    0::bigint as input_tokens,
    0::bigint as cache_write_5m_tokens,
    0::bigint as cache_write_1h_tokens,
    0::bigint as cache_read_tokens,
    0::bigint as output_tokens,
    0::bigint as web_search_requests,
    false as batch,
    true as billable,
    false as usage_missing,
    'bucket' as grain,
    bucket_end,
    amount as reported_cost_usd,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    'openai:costs:' || md5([
        epoch(ts)::bigint::varchar, (epoch(bucket_end) - epoch(ts))::bigint::varchar, project_id,
        line_item, api_key_id
    ]::varchar) as dedupe_key,
    -epoch_ms(file_mtime) as dedupe_rank
from judged
