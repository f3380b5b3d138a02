-- OpenAI organization Usage API, completions (`GET /v1/organization/usage/completions`): a page
-- {"object": "page", "data": [bucket…]} (or a JSON array of pages), each bucket {"start_time", "end_time",
-- "results": [result…]}. One record per result; `line` is its 1-based ordinal in the document. Bucket rows are
-- keyed by (start, width, every group-by dimension), the key openai_dashboard_usage_csv uses too, and a later
-- fetch (the newer file) replaces them (dedupe_rank). Parameters as app_log.sql.
with records as (
    select * from openai_page_results($max_line_bytes)
),

parsed as (
    select file_id, source_file, file_mtime, line, j_start, j_end, result::varchar as text,
           case when json_type(result) = 'OBJECT' then from_json(result, '{
               "object": "JSON", "input_tokens": "JSON", "input_cached_tokens": "JSON",
               "input_uncached_tokens": "JSON", "input_cache_write_tokens": "JSON", "output_tokens": "JSON",
               "num_model_requests": "JSON", "project_id": "JSON", "user_id": "JSON", "api_key_id": "JSON",
               "model": "JSON", "batch": "JSON", "service_tier": "JSON"
           }') end as r
    from records
),

fields as (
    select *,
           ts_parse(j_start) as ts,
           ts_parse(j_end) as bucket_end,
           tok(r.input_cache_write_tokens) as cache_write,
           tok(r.input_cached_tokens) as cache_read,
           coalesce(tok(r.input_uncached_tokens),
                    tok(r.input_tokens) - coalesce(tok(r.input_cached_tokens), 0)
                        - coalesce(tok(r.input_cache_write_tokens), 0)) as uncached_input,
           str(r.model) as model,
           case str(r.batch) when 'true' then true when 'false' then false end as is_batch
    from parsed
),

judged as (
    select *,
           case
               when r is null then 'not_an_object'
               when coalesce(str(r.object), 'organization.usage.completions.result')
                    <> 'organization.usage.completions.result' then 'unknown_record_shape'
               when ts is null or bucket_end is null then 'missing_timestamp'
               when ts < timestamptz '2020-01-01 00:00:00+00' or ts > file_mtime + interval 1 day
                   then 'timestamp_out_of_range'
               when tok_bad(r.input_tokens) or tok_bad(r.input_cached_tokens) or tok_bad(r.input_uncached_tokens)
                    or tok_bad(r.input_cache_write_tokens) or tok_bad(r.output_tokens)
                    or tok_bad(r.num_model_requests) then 'bad_token_count'
               when (r.input_tokens is null and r.input_uncached_tokens is null) or r.output_tokens is null
                   then 'missing_usage'
               when uncached_input < 0 then 'negative_uncached_input'
               when model is null then 'missing_model'
           end as status
    from fields
)

select
    file_id,
    line,
    status,
    case status
        when 'unknown_record_shape' then 'not an organization.usage.completions.result'
        when 'missing_timestamp' then 'bucket without start_time/end_time epoch seconds'
        when 'timestamp_out_of_range' then 'bucket ' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || ' is before 2020 or after the file''s date'
        when 'bad_token_count' then 'a token count is not a non-negative integer'
        when 'negative_uncached_input' then 'cached tokens exceed input tokens'
        when 'missing_model' then 'no model: fetch the usage grouped by model'
    end as detail,
    text as raw_text,
    ts,
    'openai' as provider,
    'openai' as billed_by,
    model,
    str(r.api_key_id) as api_key,
    str(r.project_id) as project,
    str(r.user_id) as user_id,
    uncached_input as input_tokens,
    coalesce(cache_write, 0) as cache_write_5m_tokens,
    0::bigint as cache_write_1h_tokens,
    coalesce(cache_read, 0) as cache_read_tokens,
    tok(r.output_tokens) as output_tokens,
    0::bigint as web_search_requests,
    coalesce(is_batch, false) or coalesce(lower(str(r.service_tier)) = 'batch', false) as batch,
    str(r.service_tier) as service_tier,
    true as billable,
    false as usage_missing,
    'bucket' as grain,
    tok(r.num_model_requests) as request_count,
    bucket_end,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    'openai:usage:' || md5([
        epoch(ts)::bigint::varchar, (epoch(bucket_end) - epoch(ts))::bigint::varchar, str(r.project_id),
        str(r.user_id), str(r.api_key_id), model, is_batch::varchar, str(r.service_tier)
    ]::varchar) as dedupe_key,
    -epoch_ms(file_mtime) as dedupe_rank
from judged
