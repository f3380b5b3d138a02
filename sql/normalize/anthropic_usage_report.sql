-- Anthropic Admin API usage report (GET /v1/organizations/usage_report/messages): one JSON document,
-- {"data": [{"starting_at", "ending_at", "results": [...]}]}; every element of a bucket's results is a record,
-- numbered 1.. across the document as `line`. Parameters as app_log.sql.
with lines as (
    select * from checked_lines($max_line_bytes)
),

document as (
    select file_id, source_file, file_mtime, line, text, status,
           case when status is null then try(from_json(text, '{
               "data": [{
                   "starting_at": "JSON", "ending_at": "JSON",
                   "results": [{
                       "api_key_id": "JSON", "workspace_id": "JSON", "model": "JSON", "service_tier": "JSON",
                       "context_window": "JSON", "inference_geo": "JSON", "speed": "JSON",
                       "account_id": "JSON", "service_account_id": "JSON",
                       "uncached_input_tokens": "JSON", "cache_read_input_tokens": "JSON", "output_tokens": "JSON",
                       "cache_creation": {"ephemeral_5m_input_tokens": "JSON", "ephemeral_1h_input_tokens": "JSON"},
                       "server_tool_use": {"web_search_requests": "JSON"}
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
           res.cache_creation as cc,
           str(res.service_tier) as service_tier,
           str(res.model) as model
    from results
),

judged as (
    select *,
           coalesce(ts_problem(j_start, ts, file_mtime), case
               when bucket_end is null or bucket_end <= ts then 'unknown_record_shape'
               when tok_bad(res.uncached_input_tokens) or tok_bad(res.cache_read_input_tokens)
                    or tok_bad(res.output_tokens) or tok_bad(cc.ephemeral_5m_input_tokens)
                    or tok_bad(cc.ephemeral_1h_input_tokens)
                    or tok_bad(res.server_tool_use.web_search_requests) then 'bad_token_count'
               when res.uncached_input_tokens is null or res.output_tokens is null then 'missing_usage'
           end) as status,
           -- the bucket's identity: its start, its width and every dimension
           left(sha256(to_json([
               $source_format, strftime(ts, '%Y-%m-%dT%H:%M:%SZ'), (epoch(bucket_end) - epoch(ts))::varchar,
               str(res.api_key_id), str(res.workspace_id), model, service_tier, str(res.context_window),
               str(res.inference_geo), str(res.speed), str(res.account_id), str(res.service_account_id)
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
        when 'unknown_record_shape' then 'the bucket has no ending_at after its starting_at'
        when 'timestamp_out_of_range' then 'bucket start ' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || ' is before 2020 or after the file''s date'
        when 'missing_usage' then 'a result without uncached_input_tokens or output_tokens'
    end as detail,
    text as raw_text,
    'bucket:' || bucket_id as request_id,
    ts,
    'anthropic' as provider,
    'anthropic' as billed_by,
    model,
    str(res.workspace_id) as workspace,
    str(res.api_key_id) as api_key,
    str(res.account_id) as user_id,
    case when str(res.service_account_id) is not null
         then map {'service_account_id': str(res.service_account_id)} end as tags,
    tok(res.uncached_input_tokens) as input_tokens,
    coalesce(tok(cc.ephemeral_5m_input_tokens), 0) as cache_write_5m_tokens,
    coalesce(tok(cc.ephemeral_1h_input_tokens), 0) as cache_write_1h_tokens,
    coalesce(tok(res.cache_read_input_tokens), 0) as cache_read_tokens,
    tok(res.output_tokens) as output_tokens,
    coalesce(tok(res.server_tool_use.web_search_requests), 0) as web_search_requests,
    coalesce(lower(service_tier) = 'batch', false) as batch,
    service_tier,
    str(res.speed) as speed,
    str(res.inference_geo) as inference_geo,
    true as billable,
    false as usage_missing,
    'bucket' as grain,
    bucket_end,
    str(res.context_window) as context_window,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    'anthropic:bucket:' || coalesce(bucket_id, 'line-' || line) as dedupe_key,
    -epoch_ms(file_mtime) as dedupe_rank
from records
