-- OpenRouter generation-level activity export (openrouter.ai/activity → export, CSV): one request per row (the csv
-- reader hands each row over as a JSON object of strings keyed by the header). `created_at` is
-- "YYYY-MM-DD HH:MM:SS.mmm", naive UTC. tokens_prompt includes tokens_cached; the export has no cache-write count.
-- cost_total is credits = USD; OpenRouter invoices unless the key is BYOK. Parameters as app_log.sql.
with lines as (
    select * from checked_lines($max_line_bytes)
),

parsed as (
    select file_id, source_file, file_mtime, line, text, status,
           case when status is null then try(from_json(text, '{
               "generation_id": "JSON", "created_at": "JSON", "cost_total": "JSON", "cost_web_search": "JSON",
               "cost_cache": "JSON", "byok_usage_inference": "JSON", "tokens_prompt": "JSON",
               "tokens_completion": "JSON", "tokens_reasoning": "JSON", "tokens_cached": "JSON",
               "model_permaslug": "JSON", "provider_name": "JSON", "variant": "JSON", "cancelled": "JSON",
               "streamed": "JSON", "user": "JSON", "finish_reason_raw": "JSON", "finish_reason_normalized": "JSON",
               "generation_time_ms": "JSON", "api_key_name": "JSON", "app_name": "JSON"
           }')) end as r
    from lines
),

cells as (
    select file_id, source_file, file_mtime, line, text, status, r,
           nullif(trim(str(r.generation_id)), '') as generation_id,
           nullif(trim(str(r.created_at)), '') as created_text,
           nullif(trim(str(r.model_permaslug)), '') as model,
           nullif(trim(str(r.tokens_prompt)), '') as j_prompt,
           nullif(trim(str(r.tokens_completion)), '') as j_completion,
           nullif(trim(str(r.tokens_reasoning)), '') as j_reasoning,
           nullif(trim(str(r.tokens_cached)), '') as j_cached,
           nullif(trim(str(r.cost_total)), '') as cost_text,
           lower(trim(coalesce(str(r.cancelled), ''))) = 'true' as cancelled,
           coalesce(try_cast(nullif(trim(str(r.byok_usage_inference)), '') as double), 0) > 0 as byok,
           nullif(trim(str(r.variant)), '') as variant
    from parsed
),

timed as (
    select *,
           case
               when regexp_full_match(created_text, '\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?')
                   then try_cast(created_text || '+00' as timestamptz)
               when has_zone(created_text) then try_cast(created_text as timestamptz)
           end as ts,
           lower(ltrim(split_part(model, '/', 1), '~')) as slug_prefix,
           try_cast(cost_text as decimal(38, 12)) as cost,
           tok(j_prompt) - coalesce(tok(j_cached), 0) as uncached_input
    from cells
),

judged as (
    select * exclude (status),
           coalesce(status, case
               when r is null then 'invalid_json'
               when r.generation_id is null and r.created_at is null then 'unknown_record_shape'
               when created_text is null or ts is null then 'missing_timestamp'
               else ts_problem('"' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || '"', ts, file_mtime)
           end, case
               when tok_bad(j_prompt) or tok_bad(j_completion) or tok_bad(j_reasoning) or tok_bad(j_cached) then 'bad_token_count'
               when cost_text is not null and cost is null then 'bad_token_count'
               when j_prompt is null or j_completion is null then 'missing_usage'
               when uncached_input < 0 then 'negative_uncached_input'
               when model is null then 'missing_model'
           end) as status,
           -- a cancelled generation, or one of a free variant, that cost nothing was not billed
           not ((cancelled or lower(variant) = 'free') and coalesce(cost, 0) = 0) as billable
    from timed
)

select
    file_id,
    line,
    status,
    case status
        when 'missing_timestamp' then 'created_at ' || coalesce('''' || created_text || '''', 'is empty') || ' is not a timestamp'
        when 'timestamp_out_of_range' then 'created_at ' || created_text || ' is before 2020 or after the file''s date'
        when 'bad_token_count' then 'a token count is not a whole number >= 0, or cost_total is not a number'
        when 'missing_usage' then 'no tokens_prompt or tokens_completion'
        when 'negative_uncached_input' then 'tokens_cached exceeds tokens_prompt'
        when 'unknown_record_shape' then 'not an OpenRouter activity export row'
    end as detail,
    text as raw_text,
    generation_id as request_id,
    generation_id as response_id,
    ts,
    slug_prefix as provider,
    case when byok then slug_prefix else 'openrouter' end as billed_by,
    model,
    nullif(trim(str(r.app_name)), '') as app_raw,
    nullif(trim(str(r.api_key_name)), '') as api_key,
    nullif(trim(str(r.user)), '') as user_id,
    case when r is not null then map_from_entries(list_filter([
        {'key': 'provider_name', 'value': nullif(trim(str(r.provider_name)), '')},
        {'key': 'variant', 'value': variant},
        {'key': 'finish_reason', 'value': coalesce(nullif(trim(str(r.finish_reason_raw)), ''),
                                                   nullif(trim(str(r.finish_reason_normalized)), ''))},
        {'key': 'cancelled', 'value': case when cancelled then 'true' end},
        {'key': 'byok', 'value': case when byok then 'true' end}
    ], lambda e: e.value is not null)) end as tags,
    uncached_input as input_tokens,
    0::bigint as cache_write_5m_tokens,
    0::bigint as cache_write_1h_tokens,
    coalesce(tok(j_cached), 0) as cache_read_tokens,
    tok(j_completion) as output_tokens,
    tok(j_reasoning) as reasoning_tokens,
    0::bigint as web_search_requests,
    false as batch,
    case when cancelled and not billable then 'cancelled' end as error_type,
    billable,
    false as usage_missing,
    try_cast(try_cast(nullif(trim(str(r.generation_time_ms)), '') as double) as bigint) as latency_ms,
    'request' as grain,
    cost as reported_cost_usd,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    -- per export format: the same generation in both exports is two sources of one request (mark one a mirror)
    $source_format || ':' || coalesce(generation_id, 'sha256:' || sha256(text)) as dedupe_key
from judged
