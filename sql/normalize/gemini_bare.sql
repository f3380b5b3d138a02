-- Raw Gemini `generateContent` responses without an envelope, one per line (Vertex AI adds `createTime`, the
-- only time a bare response has: without it a line is missing_timestamp). Same token semantics as the Gemini
-- branch of app_log.sql. A stream logs one line per chunk with the same responseId and cumulative counts: the
-- biggest chunk of a responseId in the file is the row, the others are ignored:streaming_chunk.
-- Parameters as app_log.sql.
with lines as (
    select * from checked_lines($max_line_bytes)
),

parsed as (
    select file_id, source_file, file_mtime, line, text, status,
           case when status is null then try(from_json(text, '{
               "candidates": "JSON", "modelVersion": "JSON", "responseId": "JSON", "createTime": "JSON",
               "promptFeedback": {"blockReason": "JSON"},
               "error": {"code": "JSON", "status": "JSON"},
               "usageMetadata": {
                   "promptTokenCount": "JSON", "cachedContentTokenCount": "JSON", "candidatesTokenCount": "JSON",
                   "thoughtsTokenCount": "JSON", "toolUsePromptTokenCount": "JSON",
                   "trafficType": "JSON", "serviceTier": "JSON"
               }
           }')) end as r
    from lines
),

fields as (
    select file_id, source_file, file_mtime, line, text, status, r,
           r.usageMetadata as g,
           r.error is not null and r.usageMetadata is null and r.candidates is null as is_error,
           ts_parse(r.createTime) as ts,
           str(r.responseId) as response_id,
           str(r.modelVersion) as model
    from parsed
),

counted as (
    select *,
           tok_bad(g.promptTokenCount) or tok_bad(g.cachedContentTokenCount) or tok_bad(g.candidatesTokenCount)
               or tok_bad(g.thoughtsTokenCount) or tok_bad(g.toolUsePromptTokenCount) as bad_tokens,
           g.promptTokenCount is null as usage_absent,
           tok(g.promptTokenCount) - coalesce(tok(g.cachedContentTokenCount), 0)
               + coalesce(tok(g.toolUsePromptTokenCount), 0) as uncached_input,
           coalesce(tok(g.candidatesTokenCount), 0) + coalesce(tok(g.thoughtsTokenCount), 0) as output,
           coalesce(tok(g.promptTokenCount), 0) + coalesce(tok(g.candidatesTokenCount), 0)
               + coalesce(tok(g.thoughtsTokenCount), 0) + coalesce(tok(g.toolUsePromptTokenCount), 0) as chunk_tokens
    from fields
),

judged as (
    select * replace (coalesce(status, case
               when r is null then 'invalid_json'
               when not is_error and g is null and r.candidates is null then 'unknown_record_shape'
               else ts_problem(r.createTime, ts, file_mtime)
           end, case
               when is_error then null
               when bad_tokens then 'bad_token_count'
               when usage_absent then 'missing_usage'
               when uncached_input < 0 then 'negative_uncached_input'
               when model is null then 'missing_model'
           end) as status)
    from counted
),

-- chunks of one stream: the good line with the most tokens (the last on a tie) stays; the other lines of that
-- responseId that are not the same text (an identical line is a duplicate for dedupe) are chunks
streams as (
    select *,
           first_value(case when status is null then line end) over stream as kept_line,
           first_value(case when status is null then text end) over stream as kept_text
    from judged
    window stream as (partition by file_id, response_id order by status is null desc, chunk_tokens desc, line desc)
),

collapsed as (
    select * replace (case
               when response_id is not null and not is_error and kept_line is not null and line <> kept_line
                    and text <> kept_text and (status is null or status = 'missing_usage')
                   then 'ignored:streaming_chunk'
               else status
           end as status)
    from streams
)

select
    file_id,
    line,
    status,
    case status
        when 'bad_token_count' then 'a token count is not a non-negative integer'
        when 'negative_uncached_input' then 'cached tokens exceed prompt tokens'
        when 'missing_timestamp' then 'no createTime (only Vertex AI responses carry one): log them in an envelope'
        when 'timestamp_no_zone' then 'createTime has no time zone: ' || str(r.createTime)
        when 'timestamp_out_of_range' then 'timestamp ' || strftime(ts, '%Y-%m-%dT%H:%M:%SZ') || ' is before 2020 or after the file''s date'
        when 'unknown_record_shape' then 'neither a generateContent response nor an error'
        when 'missing_usage' then 'a response without usageMetadata.promptTokenCount'
        when 'missing_model' then 'a response without modelVersion: log it in an envelope with model_requested'
    end as detail,
    text as raw_text,
    response_id as request_id,
    response_id,
    ts,
    'google' as provider,
    'google' as billed_by,
    model,
    case when is_error then 0 else uncached_input end as input_tokens,
    0::bigint as cache_write_5m_tokens,
    0::bigint as cache_write_1h_tokens,
    case when is_error then 0 else coalesce(tok(g.cachedContentTokenCount), 0) end as cache_read_tokens,
    case when is_error then 0 else output end as output_tokens,
    tok(g.thoughtsTokenCount) as reasoning_tokens,
    -- grounding with Google Search (gemini_grounding_units, _macros.sql)
    case when is_error then 0 else coalesce(gemini_grounding_units(model, r.candidates), 0) end as web_search_requests,
    false as batch,
    coalesce(str(g.serviceTier), str(g.trafficType)) as service_tier,
    case when is_error then try_cast(str(r.error.code) as integer) end as http_status,
    case when is_error then coalesce(str(r.error.status), 'http_' || str(r.error.code))
         -- a prompt blocked by a safety filter: billed for its input (usageMetadata), no output
         else 'blocked:' || str(r.promptFeedback.blockReason) end as error_type,
    not is_error as billable,
    false as usage_missing,
    'request' as grain,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    'google:' || coalesce(response_id, 'sha256:' || sha256(text)) as dedupe_key
from collapsed
