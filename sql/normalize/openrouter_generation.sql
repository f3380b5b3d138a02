-- OpenRouter generation records (GET /api/v1/generation?id=gen-…) saved as JSON: {"data": {…}} for one generation
-- or {"data": [{…}, …]} for several, each a record numbered 1.. as `line`. OpenRouter invoices (credits = USD), the
-- slug's prefix names whose model ran. Tokens: the provider's native counts when present, else the normalized
-- tokens_*; prompt counts include cached tokens. Parameters as app_log.sql.
with lines as (
    select * from checked_lines($max_line_bytes)
),

document as (
    select file_id, source_file, file_mtime, line, text, status,
           case when status is null then try(case
               -- the shape decides the schema, so the document is parsed once
               when regexp_matches(text, '^\s*\{\s*"data"\s*:\s*\[') then from_json(text, '{"data": [{
                   "id": "JSON", "upstream_id": "JSON", "total_cost": "JSON", "usage": "JSON",
                   "upstream_inference_cost": "JSON", "created_at": "JSON", "model": "JSON", "app_id": "JSON",
                   "streamed": "JSON", "cancelled": "JSON", "provider_name": "JSON", "latency": "JSON",
                   "generation_time": "JSON", "finish_reason": "JSON", "native_finish_reason": "JSON",
                   "tokens_prompt": "JSON", "tokens_completion": "JSON", "native_tokens_prompt": "JSON",
                   "native_tokens_completion": "JSON", "native_tokens_reasoning": "JSON", "native_tokens_cached": "JSON",
                   "origin": "JSON", "is_byok": "JSON", "external_user": "JSON", "api_type": "JSON",
                   "service_tier": "JSON", "data_region": "JSON"
               }]}').data
               else [from_json(text, '{"data": {
                   "id": "JSON", "upstream_id": "JSON", "total_cost": "JSON", "usage": "JSON",
                   "upstream_inference_cost": "JSON", "created_at": "JSON", "model": "JSON", "app_id": "JSON",
                   "streamed": "JSON", "cancelled": "JSON", "provider_name": "JSON", "latency": "JSON",
                   "generation_time": "JSON", "finish_reason": "JSON", "native_finish_reason": "JSON",
                   "tokens_prompt": "JSON", "tokens_completion": "JSON", "native_tokens_prompt": "JSON",
                   "native_tokens_completion": "JSON", "native_tokens_reasoning": "JSON", "native_tokens_cached": "JSON",
                   "origin": "JSON", "is_byok": "JSON", "external_user": "JSON", "api_type": "JSON",
                   "service_tier": "JSON", "data_region": "JSON"
               }}').data]
           end) end as generations
    from lines
),

-- a document refused before parsing is one record, its line 1
refused as (
    select file_id, source_file, file_mtime, line, text, coalesce(status, 'invalid_json') as status
    from document
    where status is not null or generations is null
),

records as (
    select file_id, source_file, file_mtime, unnest(generations) as g, generate_subscripts(generations, 1) as line
    from document
    where status is null and generations is not null
),

fields as (
    select file_id, source_file, file_mtime, line, g, to_json(g)::varchar as text,
           str(g.id) as generation_id,
           str(g.model) as model,
           str(g.created_at) as created_text,
           coalesce(g.native_tokens_prompt, g.tokens_prompt) as j_prompt,
           coalesce(g.native_tokens_completion, g.tokens_completion) as j_completion,
           g.native_tokens_cached as j_cached,
           g.native_tokens_reasoning as j_reasoning,
           coalesce(g.total_cost, case when json_type(g.usage) in ('DOUBLE', 'BIGINT', 'UBIGINT') then g.usage end) as j_cost,
           coalesce(str(g.cancelled) = 'true', false) as cancelled,
           coalesce(str(g.is_byok) = 'true', false) as byok
    from records
),

timed as (
    select *,
           -- OpenRouter times are UTC; a naive one is read as UTC
           case
               when regexp_full_match(created_text, '\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?')
                   then try_cast(created_text || '+00' as timestamptz)
               when has_zone(created_text) then try_cast(created_text as timestamptz)
           end as ts,
           lower(ltrim(split_part(model, '/', 1), '~')) as slug_prefix,
           try_cast(j_cost::varchar as decimal(38, 12)) as cost,
           tok(j_prompt) - coalesce(tok(j_cached), 0) as uncached_input
    from fields
),

judged as (
    select *,
           coalesce(case
               when generation_id is null and g.created_at is null and j_prompt is null then 'unknown_record_shape'
               when created_text is null or ts is null then 'missing_timestamp'
               else ts_problem('"' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || '"', ts, file_mtime)
           end, case
               when tok_bad(j_prompt) or tok_bad(j_completion) or tok_bad(j_cached) or tok_bad(j_reasoning) then 'bad_token_count'
               when j_cost is not null and cost is null then 'bad_token_count'
               when j_prompt is null or j_completion is null then 'missing_usage'
               when uncached_input < 0 then 'negative_uncached_input'
               when model is null then 'missing_model'
           end) as status,
           -- a cancelled generation, or one of a free variant, that cost nothing was not billed
           not ((cancelled or model like '%:free') and coalesce(cost, 0) = 0) as billable
    from timed
),

all_records as (
    select judged.* from judged
    union all by name
    select file_id, source_file, file_mtime, line, status, text from refused
)

select
    file_id,
    line,
    status,
    case status
        when 'missing_timestamp' then 'created_at ' || coalesce('''' || created_text || '''', 'is missing') || ' is not a timestamp'
        when 'timestamp_out_of_range' then 'created_at ' || created_text || ' is before 2020 or after the file''s date'
        when 'bad_token_count' then 'a token count is not a non-negative integer, or total_cost is not a number'
        when 'missing_usage' then 'no prompt or completion token counts'
        when 'negative_uncached_input' then 'cached tokens exceed prompt tokens'
        when 'unknown_record_shape' then 'not an OpenRouter generation'
    end as detail,
    text as raw_text,
    generation_id as request_id,
    generation_id as response_id,
    ts,
    slug_prefix as provider,
    case when byok then slug_prefix else 'openrouter' end as billed_by,
    model,
    str(g.external_user) as user_id,
    case when g is not null then map_from_entries(list_filter([
        {'key': 'provider_name', 'value': str(g.provider_name)},
        {'key': 'upstream_id', 'value': str(g.upstream_id)},
        {'key': 'app_id', 'value': str(g.app_id)},
        {'key': 'origin', 'value': str(g.origin)},
        {'key': 'finish_reason', 'value': coalesce(str(g.native_finish_reason), str(g.finish_reason))},
        {'key': 'api_type', 'value': str(g.api_type)},
        {'key': 'data_region', 'value': str(g.data_region)},
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
    coalesce(lower(str(g.service_tier)) = 'batch', false) as batch,
    str(g.service_tier) as service_tier,
    case when cancelled and not billable then 'cancelled' end as error_type,
    billable,
    false as usage_missing,
    tok(g.generation_time) as latency_ms,
    'request' as grain,
    cost as reported_cost_usd,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    -- per export format: the same generation in both exports is two sources of one request (mark one a mirror)
    $source_format || ':' || coalesce(generation_id, 'sha256:' || sha256(text)) as dedupe_key
from all_records
