-- LiteLLM proxy `LiteLLM_SpendLogs` table exported as CSV, or logged as JSON rows: one row per proxied request,
-- success or failure (the csv_or_json reader hands each CSV row over as a JSON object of strings keyed by the
-- header, a JSON row as it is: str() reads a number or a string alike). `metadata` is a JSON text inside a cell (or
-- an object in a JSON row), parsed once; its `usage_object` rebuilds the token split, because `prompt_tokens` is OpenAI-style (it includes
-- cache reads, and since a 2025 release Anthropic cache writes too). `startTime` is naive UTC. `spend` is dollars.
-- LiteLLM observes, it does not invoice: billed_by is the upstream that ran the model. Parameters as app_log.sql.
with lines as (
    select * from checked_lines($max_line_bytes)
),

parsed as (
    select file_id, source_file, file_mtime, line, text, status,
           case when status is null then try(from_json(text, '{
               "request_id": "JSON", "call_type": "JSON", "api_key": "JSON", "spend": "JSON",
               "total_tokens": "JSON", "prompt_tokens": "JSON", "completion_tokens": "JSON",
               "startTime": "JSON", "endTime": "JSON", "request_duration_ms": "JSON",
               "model": "JSON", "model_group": "JSON", "custom_llm_provider": "JSON", "user": "JSON",
               "metadata": "JSON", "cache_hit": "JSON", "request_tags": "JSON", "team_id": "JSON",
               "organization_id": "JSON", "end_user": "JSON", "session_id": "JSON", "status": "JSON"
           }')) end as r
    from lines
),

cells as (
    select file_id, source_file, file_mtime, line, text, status, r,
           nullif(trim(str(r.request_id)), '') as request_id,
           nullif(trim(str(r.startTime)), '') as start_text,
           nullif(trim(str(r.model)), '') as model,
           lower(nullif(trim(str(r.custom_llm_provider)), '')) as route,
           nullif(trim(str(r.metadata)), '') as metadata_text,
           nullif(trim(str(r.request_tags)), '') as request_tags_text,
           nullif(trim(str(r.prompt_tokens)), '') as cell_prompt,
           nullif(trim(str(r.completion_tokens)), '') as cell_completion,
           nullif(trim(str(r.spend)), '') as spend_text,
           lower(coalesce(nullif(trim(str(r.cache_hit)), ''), 'false')) = 'true' as cache_hit
    from parsed
),

-- the metadata cell, parsed once
metadata as (
    select *,
           try(from_json(metadata_text, '{
               "user_api_key_alias": "JSON", "user_api_key_team_alias": "JSON", "user_api_key_team_id": "JSON",
               "user_api_key_org_id": "JSON", "user_api_key_user_id": "JSON", "status": "JSON",
               "spend_logs_metadata": "MAP(VARCHAR, JSON)",
               "error_information": {"error_code": "JSON", "error_class": "JSON"},
               "additional_usage_values": {"cache_creation_input_tokens": "JSON", "cache_read_input_tokens": "JSON"},
               "usage_object": {
                   "prompt_tokens": "JSON", "completion_tokens": "JSON",
                   "cache_creation_input_tokens": "JSON", "cache_read_input_tokens": "JSON",
                   "cache_creation": {"ephemeral_5m_input_tokens": "JSON", "ephemeral_1h_input_tokens": "JSON"},
                   "prompt_tokens_details": {
                       "cached_tokens": "JSON", "cache_creation_tokens": "JSON", "cache_write_tokens": "JSON",
                       "cache_creation_token_details": {"ephemeral_5m_input_tokens": "JSON", "ephemeral_1h_input_tokens": "JSON"}
                   },
                   "completion_tokens_details": {"reasoning_tokens": "JSON"},
                   "server_tool_use": {"web_search_requests": "JSON"}
               }
           }')) as m
    from cells
),

-- tokens: the usage object when the row has one, else the top-level columns (no cache split known)
tokens as (
    select *,
           coalesce(m.usage_object.prompt_tokens::varchar, cell_prompt) as j_prompt,
           coalesce(m.usage_object.completion_tokens::varchar, cell_completion) as j_completion,
           coalesce(m.usage_object.cache_read_input_tokens, m.usage_object.prompt_tokens_details.cached_tokens,
                    m.additional_usage_values.cache_read_input_tokens)::varchar as j_read,
           coalesce(m.usage_object.cache_creation_input_tokens, m.usage_object.prompt_tokens_details.cache_creation_tokens,
                    m.additional_usage_values.cache_creation_input_tokens,
                    m.usage_object.prompt_tokens_details.cache_write_tokens)::varchar as j_write,
           coalesce(m.usage_object.prompt_tokens_details.cache_creation_token_details.ephemeral_5m_input_tokens,
                    m.usage_object.cache_creation.ephemeral_5m_input_tokens)::varchar as j_write_5m,
           coalesce(m.usage_object.prompt_tokens_details.cache_creation_token_details.ephemeral_1h_input_tokens,
                    m.usage_object.cache_creation.ephemeral_1h_input_tokens)::varchar as j_write_1h,
           m.usage_object.completion_tokens_details.reasoning_tokens::varchar as j_reasoning,
           m.usage_object.server_tool_use.web_search_requests::varchar as j_web_search
    from metadata
),

identified as (
    select *,
           -- whose model ran: the route, or the model's family when the route is a cloud or a gateway
           case
               when route = 'anthropic' then 'anthropic'
               when route in ('openai', 'text-completion-openai', 'azure', 'azure_text') then 'openai'
               when provider_of_model(model) is not null then provider_of_model(model)
               when route in ('gemini', 'vertex_ai', 'vertex_ai_beta') then 'google'
               when route = 'openrouter' and model like '%/%' then lower(split_part(model, '/', 1))
               else route
           end as provider,
           case
               when route = 'openrouter' then 'openrouter'
               when route like 'bedrock%' or route = 'sagemaker' then 'aws'
               when route like 'vertex_ai%' then 'google'
               when route like 'azure%' then 'azure'
           end as billed_by_route,
           case
               when regexp_full_match(start_text, '\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?')
                   then try_cast(start_text || '+00' as timestamptz)
               when has_zone(start_text) then try_cast(start_text as timestamptz)
           end as ts,
           lower(coalesce(nullif(trim(str(r.status)), ''), str(m.status), 'success')) = 'failure' as failed,
           coalesce(tok(j_write_1h), 0) as cw1h,
           coalesce(tok(j_read), 0) as cache_read
    from tokens
),

counted as (
    select *,
           coalesce(tok(j_write_5m), tok(j_write) - cw1h, 0) as cw5m,
           tok(j_prompt) - cache_read - coalesce(tok(j_write_5m), tok(j_write) - cw1h, 0) - cw1h as uncached_all,
           tok(j_prompt) - cache_read as uncached_reads_only,
           tok_bad(j_prompt) or tok_bad(j_completion) or tok_bad(j_read) or tok_bad(j_write) or tok_bad(j_write_5m)
               or tok_bad(j_write_1h) or tok_bad(j_reasoning) or tok_bad(j_web_search) as bad_tokens
    from identified
),

judged as (
    select * exclude (status),
           -- current LiteLLM: prompt = uncached + cache writes + cache reads; older releases added only the reads,
           -- which is the only way a negative can arise for Anthropic
           case
               when uncached_all >= 0 then uncached_all
               when provider = 'anthropic' and uncached_reads_only >= 0 then uncached_reads_only
               else uncached_all
           end as uncached_input,
           coalesce(status, case
               when r is null then 'invalid_json'
               when r.request_id is null and r.startTime is null and r.spend is null then 'unknown_record_shape'
               when metadata_text is not null and m is null then 'invalid_json'
               when start_text is null or ts is null then 'missing_timestamp'
               else ts_problem('"' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || '"', ts, file_mtime)
           end, case
               when bad_tokens or tok_bad(cell_prompt) or tok_bad(cell_completion) then 'bad_token_count'
               when spend_text is not null and try_cast(spend_text as decimal(38, 12)) is null then 'bad_token_count'
               when not failed and (j_prompt is null or j_completion is null) then 'missing_usage'
               when not failed and uncached_all < 0 and not (provider = 'anthropic' and uncached_reads_only >= 0)
                   then 'negative_uncached_input'
               when model is null then 'missing_model'
           end) as status
    from counted
),

tagged as (
    select *,
           list_filter([
               {'key': 'team', 'value': coalesce(str(m.user_api_key_team_alias), nullif(trim(str(r.team_id)), ''))},
               {'key': 'team_id', 'value': coalesce(nullif(trim(str(r.team_id)), ''), str(m.user_api_key_team_id))},
               {'key': 'organization_id', 'value': coalesce(nullif(trim(str(r.organization_id)), ''), str(m.user_api_key_org_id))},
               {'key': 'litellm_user', 'value': coalesce(nullif(trim(str(r.user)), ''), str(m.user_api_key_user_id))},
               {'key': 'model_group', 'value': nullif(trim(str(r.model_group)), '')},
               {'key': 'custom_llm_provider', 'value': route},
               {'key': 'cache_hit', 'value': case when cache_hit then 'true' end}
           ]
           -- request tags "key:value" (a bare tag becomes key = the tag, value 'true')
           || list_transform(coalesce(try(from_json(request_tags_text, '["VARCHAR"]')), []), lambda t: {
                  'key': case when contains(t, ':') then split_part(t, ':', 1) else t end,
                  'value': case when contains(t, ':') then substr(t, strpos(t, ':') + 1) else 'true' end})
           || list_transform(
                  list_filter(map_entries(coalesce(m.spend_logs_metadata, map())),
                              lambda e: json_type(e.value) not in ('OBJECT', 'ARRAY', 'NULL')),
                  lambda e: {'key': e.key, 'value': str(e.value)}),
           lambda e: e.key is not null and e.key <> '' and e.value is not null) as tag_list
    from judged
)

select
    file_id,
    line,
    status,
    case status
        when 'invalid_json' then case when r is not null then 'the metadata cell is not JSON' end
        when 'missing_timestamp' then 'startTime ' || coalesce('''' || start_text || '''', 'is empty') || ' is not a timestamp'
        when 'timestamp_out_of_range' then 'startTime ' || start_text || ' is before 2020 or after the file''s date'
        when 'bad_token_count' then 'a token count is not a whole number >= 0, or spend is not a number'
        when 'missing_usage' then 'a successful request without prompt_tokens or completion_tokens'
        when 'negative_uncached_input' then 'cache tokens exceed prompt_tokens'
        when 'unknown_record_shape' then 'not a LiteLLM_SpendLogs row'
    end as detail,
    text as raw_text,
    request_id,
    case when regexp_matches(request_id, '^(msg_|chatcmpl-|resp_)') then request_id end as response_id,
    ts,
    provider,
    coalesce(billed_by_route, provider) as billed_by,
    model,
    coalesce(str(m.user_api_key_alias), nullif(trim(str(r.api_key)), '')) as api_key,
    coalesce(nullif(trim(str(r.end_user)), ''), nullif(trim(str(r.user)), ''), str(m.user_api_key_user_id)) as user_id,
    nullif(trim(str(r.session_id)), '') as session_id,
    case when len(tag_list) > 0 then map_from_entries(
        list_filter(tag_list, lambda e, i: list_position(list_transform(tag_list, lambda x: x.key), e.key) = i)) end as tags,
    coalesce(uncached_input, 0) as input_tokens,
    cw5m as cache_write_5m_tokens,
    cw1h as cache_write_1h_tokens,
    cache_read as cache_read_tokens,
    coalesce(tok(j_completion), 0) as output_tokens,
    tok(j_reasoning) as reasoning_tokens,
    coalesce(tok(j_web_search), 0) as web_search_requests,
    false as batch,
    case when failed then try_cast(str(m.error_information.error_code) as integer) end as http_status,
    case when failed then coalesce(str(m.error_information.error_class), 'failure') end as error_type,
    not failed and not cache_hit as billable,
    false as usage_missing,
    coalesce(try_cast(nullif(trim(str(r.request_duration_ms)), '') as bigint),
             epoch_ms(try_cast(nullif(trim(str(r.endTime)), '') || '+00' as timestamptz)) - epoch_ms(ts)) as latency_ms,
    'request' as grain,
    try_cast(spend_text as decimal(38, 12)) as reported_cost_usd,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    'litellm:' || coalesce(request_id, 'sha256:' || sha256(text)) as dedupe_key
from tagged
