-- OpenAI organization Costs API (`GET /v1/organization/costs`): a page {"object": "page", "data": [bucket…]}
-- (or a JSON array of pages), each bucket {"start_time", "end_time", "results": [{"amount": {"value",
-- "currency"}, "line_item", "project_id", "api_key_id", "quantity"}]}. Money only: bucket rows with zero tokens
-- and reported_cost_usd = amount.value (dollars); the model is the "<model>" of a "<model>, <kind>" line item.
-- Keyed like openai_dashboard_cost_csv; a later fetch (the newer file) replaces a bucket. Parameters as app_log.sql.
with records as (
    select * from openai_page_results($max_line_bytes)
),

parsed as (
    select file_id, source_file, file_mtime, line, j_start, j_end, result::varchar as text,
           case when json_type(result) = 'OBJECT' then from_json(result, '{
               "object": "JSON", "amount": {"value": "JSON", "currency": "JSON"}, "line_item": "JSON",
               "project_id": "JSON", "api_key_id": "JSON", "quantity": "JSON"
           }') end as r
    from records
),

fields as (
    select *,
           ts_parse(j_start) as ts,
           ts_parse(j_end) as bucket_end,
           str(r.line_item) as line_item,
           regexp_extract(str(r.line_item), '^([A-Za-z0-9][A-Za-z0-9._:/-]*), .+$', 1) as item_model,
           case when json_type(r.amount.value) in ('UBIGINT', 'BIGINT', 'DOUBLE', 'VARCHAR')
                then try_cast(str(r.amount.value) as decimal(38, 12)) end as amount,
           coalesce(lower(str(r.amount.currency)), 'usd') as currency
    from parsed
)

select
    file_id,
    line,
    case
        when r is null then 'not_an_object'
        when coalesce(str(r.object), 'organization.costs.result') <> 'organization.costs.result'
             or r.amount is null then 'unknown_record_shape'
        when ts is null or bucket_end is null then 'missing_timestamp'
        when ts < timestamptz '2020-01-01 00:00:00+00' or ts > file_mtime + interval 1 day
            then 'timestamp_out_of_range'
        when amount is null or currency <> 'usd' then 'unknown_record_shape'
    end as status,
    case
        when r.amount is not null and (amount is null or currency <> 'usd')
            then 'amount is not a number in usd: ' || coalesce(r.amount::varchar, '')
        when ts is null or bucket_end is null then 'bucket without start_time/end_time epoch seconds'
    end as detail,
    text as raw_text,
    ts,
    'openai' as provider,
    'openai' as billed_by,
    nullif(item_model, '') as model,
    str(r.api_key_id) as api_key,
    str(r.project_id) as project,
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
        epoch(ts)::bigint::varchar, (epoch(bucket_end) - epoch(ts))::bigint::varchar, str(r.project_id),
        line_item, str(r.api_key_id)
    ]::varchar) as dedupe_key,
    -epoch_ms(file_mtime) as dedupe_rank
from fields
