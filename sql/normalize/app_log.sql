-- spendlog app log: one JSON object per line, an envelope around an Anthropic, OpenAI or Gemini response
-- (or an error body). Parameters: source_format, ingested_at, max_line_bytes; each line's file_id, source_file
-- and file_mtime come with it from checked_lines (sql/normalize/_macros.sql). Output, as every normalizer's: one
-- row per record with file_id, line, status (NULL, a reject reason or 'ignored:<reason>'), detail, raw_text,
-- dedupe_key and the canonical columns this source has, by name and as logged; sql/ingest/conform.sql fills in the
-- others, types and redacts them.
with lines as (
    select * from checked_lines($max_line_bytes)
),

parsed as (
    select file_id, source_file, file_mtime, line, text, status,
           case when status is null then try(from_json(text, '{
               "ts": "JSON", "logged_at": "JSON", "timestamp": "JSON",
               "app": "JSON", "provider": "JSON", "request_id": "JSON", "x_request_id": "JSON",
               "http_status": "JSON", "latency_ms": "JSON", "aborted": "JSON", "batch": "JSON",
               "workspace": "JSON", "api_key_name": "JSON", "api_key": "JSON", "project": "JSON",
               "openai_project": "JSON", "user_id": "JSON", "session_id": "JSON", "tags": "JSON",
               "model_requested": "JSON", "error": "JSON", "base_url": "JSON", "data_residency": "JSON",
               "response": {
                   "id": "JSON", "type": "JSON", "object": "JSON", "model": "JSON", "service_tier": "JSON",
                   "modelVersion": "JSON", "responseId": "JSON", "promptFeedback": {"blockReason": "JSON"},
                   "output": "JSON", "candidates": "JSON", "embedding": "JSON", "embeddings": "JSON",
                   "usage": {
                       "input_tokens": "JSON", "output_tokens": "JSON",
                       "cache_creation_input_tokens": "JSON", "cache_read_input_tokens": "JSON",
                       "cache_creation": {"ephemeral_5m_input_tokens": "JSON", "ephemeral_1h_input_tokens": "JSON"},
                       "output_tokens_details": {"thinking_tokens": "JSON", "reasoning_tokens": "JSON"},
                       "server_tool_use": {"web_search_requests": "JSON"},
                       "service_tier": "JSON", "speed": "JSON", "inference_geo": "JSON", "iterations": "JSON",
                       "prompt_tokens": "JSON", "completion_tokens": "JSON",
                       "prompt_tokens_details": {"cached_tokens": "JSON", "cache_write_tokens": "JSON"},
                       "completion_tokens_details": {"reasoning_tokens": "JSON"},
                       "input_tokens_details": {"cached_tokens": "JSON", "cache_write_tokens": "JSON"}
                   },
                   "usageMetadata": {
                       "promptTokenCount": "JSON", "cachedContentTokenCount": "JSON", "candidatesTokenCount": "JSON",
                       "thoughtsTokenCount": "JSON", "toolUsePromptTokenCount": "JSON",
                       "trafficType": "JSON", "serviceTier": "JSON"
                   }
               }
           }')) end as r
    from lines
),

shaped as (
    select file_id, source_file, file_mtime, line, text, status, r,
           r.response.usage as u,
           r.response.usageMetadata as g,
           case
               when r.response.usageMetadata is not null or r.response.modelVersion is not null
                    or r.response.embedding is not null or r.response.embeddings is not null then 'gemini'
               when str(r.response.object) = 'chat.completion' then 'openai_chat'
               when str(r.response.object) = 'response' then 'openai_responses'
               when str(r.response.object) = 'list' and r.response.usage.prompt_tokens is not null then 'openai_embeddings'
               when str(r.response.type) = 'message' or starts_with(str(r.response.id), 'msg_') then 'anthropic'
           end as api,
           r.response is not null as has_response,
           r.error is not null and r.response is null as is_error,
           ts_parse(coalesce(r.ts, r.logged_at, r.timestamp)) as ts
    from parsed
),

identified as (
    select *,
           coalesce(lower(str(r.provider)), case
               when api = 'anthropic' then 'anthropic'
               when api in ('openai_chat', 'openai_responses', 'openai_embeddings') then 'openai'
               when api = 'gemini' then 'google'
               when str(r.model_requested) ilike 'claude%' then 'anthropic'
               when regexp_matches(str(r.model_requested), '^(gpt-|o[0-9]|chatgpt|text-embedding|davinci|babbage)') then 'openai'
               when str(r.model_requested) ilike 'gemini%' then 'google'
               when str(json_extract(r.error, '$.type')) = 'error' then 'anthropic'
           end) as provider,
           case api
               when 'anthropic' then u.input_tokens
               when 'openai_chat' then u.prompt_tokens
               when 'openai_embeddings' then u.prompt_tokens
               when 'openai_responses' then u.input_tokens
               when 'gemini' then g.promptTokenCount
           end as j_prompt,
           case api
               when 'openai_chat' then u.completion_tokens
               when 'gemini' then g.candidatesTokenCount
               else u.output_tokens
           end as j_output,
           case api
               when 'openai_chat' then u.prompt_tokens_details.cached_tokens
               when 'openai_responses' then u.input_tokens_details.cached_tokens
               when 'gemini' then g.cachedContentTokenCount
               else u.cache_read_input_tokens
           end as j_cache_read,
           case api
               when 'openai_chat' then u.prompt_tokens_details.cache_write_tokens
               when 'openai_responses' then u.input_tokens_details.cache_write_tokens
               when 'anthropic' then coalesce(u.cache_creation.ephemeral_5m_input_tokens,
                   case when u.cache_creation.ephemeral_1h_input_tokens is null then u.cache_creation_input_tokens end)
           end as j_cache_write_5m,
           case when api = 'anthropic' then u.cache_creation.ephemeral_1h_input_tokens end as j_cache_write_1h,
           case api
               when 'openai_chat' then u.completion_tokens_details.reasoning_tokens
               when 'openai_responses' then u.output_tokens_details.reasoning_tokens
               when 'gemini' then g.thoughtsTokenCount
               else u.output_tokens_details.thinking_tokens
           end as j_reasoning,
           case when api = 'gemini' then g.toolUsePromptTokenCount end as j_tool_prompt,
           case when api = 'anthropic' then u.server_tool_use.web_search_requests end as j_web_search,
           -- Anthropic sampling iterations, each billed (anthropic_iterations, with_sub_inferences: _macros.sql)
           case when api = 'anthropic' then anthropic_iterations(u.iterations) end as j_iterations
    from shaped
),

counted as (
    select *,
           tok_bad(j_prompt) or tok_bad(j_output) or tok_bad(j_cache_read) or tok_bad(j_cache_write_5m)
               or tok_bad(j_cache_write_1h) or tok_bad(j_reasoning) or tok_bad(j_tool_prompt)
               or tok_bad(j_web_search)
               or iterations_bad(j_iterations) as bad_tokens,
           j_prompt is null or (j_output is null and api not in ('gemini', 'openai_embeddings')) as usage_absent,
           tok(j_prompt) - case when api = 'anthropic' then 0
                                else coalesce(tok(j_cache_read), 0) + coalesce(tok(j_cache_write_5m), 0) end
               + coalesce(tok(j_tool_prompt), 0) as uncached_input,
           coalesce(tok(j_output), 0) + case when api = 'gemini' then coalesce(tok(j_reasoning), 0) else 0 end as output,
           coalesce(str(r.aborted) = 'true', false) as aborted,
           coalesce(str(r.response.model), str(r.response.modelVersion), str(r.model_requested)) as model
    from identified
),

judged as (
    select * replace (coalesce(status, case
               when r is null then 'invalid_json'
               when not has_response and not is_error then 'unknown_record_shape'
               when has_response and (api is null or provider is null) then 'unknown_record_shape'
               else ts_problem(coalesce(r.ts, r.logged_at, r.timestamp), ts, file_mtime)
           end, case
               when is_error then null
               when bad_tokens then 'bad_token_count'
               when usage_absent and not aborted then 'missing_usage'
               when not usage_absent and uncached_input < 0 then 'negative_uncached_input'
               when model is null then 'missing_model'
           end) as status)
    from counted
),

records as (
select
    file_id,
    line,
    status,
    case status
        when 'bad_token_count' then 'a token count is not an integer from 0 to 2^53 - 1'
        when 'negative_uncached_input' then 'cached tokens exceed prompt tokens'
        when 'timestamp_no_zone' then 'timestamp has no time zone: ' || str(coalesce(r.ts, r.logged_at, r.timestamp))
        when 'timestamp_out_of_range' then 'timestamp ' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || ' is before 2020 or after the file''s date'
        when 'unknown_record_shape' then 'neither a known response nor an error'
        when 'missing_timestamp' then case
            when coalesce(r.ts, r.logged_at, r.timestamp) is null then 'no `ts`, `logged_at` or `timestamp` in the envelope'
            else 'timestamp ' || left(coalesce(r.ts, r.logged_at, r.timestamp), 80)
                 || ' is not a time: write ISO 8601 with a zone (2026-02-10T10:00:00Z) or epoch seconds' end
        when 'missing_usage' then 'a response without usage (' || coalesce(api, 'unknown API') || '): log the response with its usage, or `aborted: true` for a stream cut short'
        when 'missing_model' then 'the response names no model: log `model_requested` in the envelope'
    end as detail,
    text as raw_text,
    coalesce(str(r.request_id), str(r.x_request_id), str(r.response.id), str(r.response.responseId),
                    str(json_extract(r.error, '$.request_id'))) as request_id,
    coalesce(str(r.response.id), str(r.response.responseId)) as response_id,
    ts,
    provider,
    provider as billed_by,
    model,
    str(r.app) as app_raw,
    str(r.workspace) as workspace,
    coalesce(str(r.api_key_name), str(r.api_key)) as api_key,
    coalesce(str(r.project), str(r.openai_project)) as project,
    str(r.user_id) as user_id,
    str(r.session_id) as session_id,
    case when json_type(r.tags) = 'OBJECT' then json_transform(r.tags, '"MAP(VARCHAR, VARCHAR)"') end as tags,
    case when is_error then 0 when aborted and usage_absent then null else uncached_input end as input_tokens,
    case when is_error then 0 when aborted and usage_absent then null else coalesce(tok(j_cache_write_5m), 0) end as cache_write_5m_tokens,
    case when is_error then 0 when aborted and usage_absent then null else coalesce(tok(j_cache_write_1h), 0) end as cache_write_1h_tokens,
    case when is_error then 0 when aborted and usage_absent then null else coalesce(tok(j_cache_read), 0) end as cache_read_tokens,
    case when is_error then 0 when aborted and usage_absent then null else output end as output_tokens,
    tok(j_reasoning) as reasoning_tokens,
    -- the fees as billed: Anthropic server_tool_use.web_search_requests; OpenAI Responses one per web_search_call
    -- output item, a Chat Completions search model one per response; Gemini grounding with Google Search per
    -- grounded prompt on Gemini 2.x and earlier, per search query on Gemini 3 and later (_macros.sql)
    case when is_error then 0 else coalesce(case api
        when 'openai_responses' then openai_web_search_calls(true, model, r.response.output)
        when 'openai_chat' then openai_web_search_calls(false, model, r.response.output)
        when 'gemini' then gemini_grounding_units(model, r.response.candidates)
        else tok(j_web_search)
    end, 0) end as web_search_requests,
    coalesce(str(r.batch) = 'true' or lower(coalesce(str(u.service_tier), str(r.response.service_tier))) = 'batch', false) as batch,
    coalesce(str(u.service_tier), str(r.response.service_tier), str(g.serviceTier), str(g.trafficType)) as service_tier,
    str(u.speed) as speed,
    -- OpenAI data residency: the envelope's `data_residency`, else the region of the `base_url` the app called
    -- (https://eu.api.openai.com/v1 → 'eu'); the response body does not say
    coalesce(str(u.inference_geo), case when provider = 'openai' then coalesce(lower(str(r.data_residency)),
        nullif(regexp_extract(lower(str(r.base_url)), '^(https?://)?([a-z]{2})\.api\.openai\.com', 2), ''))
    end) as inference_geo,
    try_cast(str(r.http_status) as integer) as http_status,
    case when is_error then coalesce(
        case when json_type(json_extract(r.error, '$.error.code')) = 'VARCHAR' then str(json_extract(r.error, '$.error.code')) end,
        str(json_extract(r.error, '$.error.status')),
        str(json_extract(r.error, '$.error.type')),
        nullif(str(json_extract(r.error, '$.type')), 'error'),
        'http_' || str(r.http_status))
        -- a Gemini prompt blocked by a safety filter: billed for its input (usageMetadata), no output
        when api = 'gemini' then 'blocked:' || str(r.response.promptFeedback.blockReason) end as error_type,
    not is_error and coalesce(try_cast(str(r.http_status) as integer) < 400, true) as billable,
    aborted and usage_absent and not is_error as usage_missing,
    tok(r.latency_ms) as latency_ms,
    'request' as grain,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    coalesce(provider, 'unknown') || ':' || coalesce(
        coalesce(str(r.request_id), str(r.x_request_id), str(r.response.id), str(r.response.responseId),
                 str(json_extract(r.error, '$.request_id'))),
        'sha256:' || sha256(text)) as dedupe_key,
    case when status is null and not is_error then j_iterations end as j_iterations
from judged
)

select * from with_sub_inferences(records)
