-- Anthropic Admin API cost report (GET /v1/organizations/cost_report): one JSON document,
-- {"data": [{"starting_at", "ending_at", "results": [...]}]}; every result is a record, numbered 1.. as `line`.
-- Money only: token columns are 0 and `amount` (cents, as a decimal string) becomes reported_cost_usd in dollars.
-- Parameters as app_log.sql.
with lines as (
    select * from checked_lines($max_line_bytes)
),

document as (
    select file_id, source_file, file_mtime, line, text, status,
           case when status is null then try(from_json(text, '{
               "data": [{
                   "starting_at": "JSON", "ending_at": "JSON",
                   "results": [{
                       "amount": "JSON", "currency": "JSON", "workspace_id": "JSON", "description": "JSON",
                       "cost_type": "JSON", "context_window": "JSON", "model": "JSON", "service_tier": "JSON",
                       "token_type": "JSON", "inference_geo": "JSON", "speed": "JSON"
                   }]
               }]
           }')) end as r
    from lines
),

-- a document refused before parsing is one record, its line 1
refused as (
    select file_id, source_file, file_mtime, line, text, coalesce(status, 'invalid_json') as status
    from document
    where status is not null or r is null
),

buckets as (
    select file_id, source_file, file_mtime, unnest(r.data) as bucket, generate_subscripts(r.data, 1) as bucket_no
    from document
    where status is null and r is not null
),

results as (
    select file_id, source_file, file_mtime, bucket, bucket_no, unnest(bucket.results) as res, generate_subscripts(bucket.results, 1) as res_no
    from buckets
),

fields as (
    select file_id, source_file, file_mtime, row_number() over (partition by file_id order by bucket_no, res_no) as line,
           res,
           to_json(res)::varchar as text,
           ts_parse(bucket.starting_at) as ts,
           ts_parse(bucket.ending_at) as bucket_end,
           bucket.starting_at as j_start,
           str(res.amount) as amount_text,
           try_cast(str(res.amount) as decimal(38, 12)) as amount_cents,
           str(res.service_tier) as service_tier,
           str(res.model) as model
    from results
),

judged as (
    select *,
           coalesce(ts_problem(j_start, ts, file_mtime), case
               when bucket_end is null or bucket_end <= ts then 'unknown_record_shape'
               when upper(coalesce(str(res.currency), 'USD')) <> 'USD' then 'unknown_record_shape'
               when amount_text is null then 'missing_usage'
               when amount_cents is null then 'bad_token_count'
           end) as status,
           -- the bucket's identity: its start, its width and every dimension
           left(sha256(to_json([
               $source_format, strftime(ts, '%Y-%m-%dT%H:%M:%SZ'), (epoch(bucket_end) - epoch(ts))::varchar,
               str(res.workspace_id), str(res.description), str(res.cost_type), model, service_tier,
               str(res.token_type), str(res.context_window), str(res.inference_geo), str(res.speed)
           ])), 32) as bucket_id
    from fields
),

records as (
    select judged.* from judged
    union all by name
    select file_id, source_file, file_mtime, line, status, text from refused
)

select
    file_id,
    line,
    status,
    case status
        when 'unknown_record_shape' then case
            when bucket_end is null or bucket_end <= ts then 'the bucket has no ending_at after its starting_at'
            else 'currency ' || str(res.currency) || ' is not USD' end
        when 'timestamp_out_of_range' then 'bucket start ' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || ' is before 2020 or after the file''s date'
        when 'missing_usage' then 'a result without an amount'
        when 'bad_token_count' then 'amount ' || amount_text || ' is not a decimal number of cents'
    end as detail,
    text as raw_text,
    'bucket:' || bucket_id as request_id,
    ts,
    'anthropic' as provider,
    'anthropic' as billed_by,
    model,
    str(res.workspace_id) as workspace,
    map_from_entries(list_filter([
        {'key': 'cost_type', 'value': str(res.cost_type)},
        {'key': 'token_type', 'value': str(res.token_type)},
        {'key': 'description', 'value': str(res.description)}
    ], lambda e: e.value is not null)) as tags,
    0::bigint as input_tokens,
    0::bigint as cache_write_5m_tokens,
    0::bigint as cache_write_1h_tokens,
    0::bigint as cache_read_tokens,
    0::bigint as output_tokens,
    0::bigint as web_search_requests,
    coalesce(lower(service_tier) = 'batch', false) as batch,
    service_tier,
    str(res.speed) as speed,
    str(res.inference_geo) as inference_geo,
    true as billable,
    false as usage_missing,
    'bucket' as grain,
    bucket_end,
    str(res.context_window) as context_window,
    (amount_cents * 0.01)::decimal(38, 12) as reported_cost_usd,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    'anthropic:bucket:' || coalesce(bucket_id, 'line-' || line) as dedupe_key,
    -epoch_ms(file_mtime) as dedupe_rank
from records
