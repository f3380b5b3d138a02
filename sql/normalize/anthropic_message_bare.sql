-- Raw Anthropic Message bodies without an envelope, one per line or one pretty-printed document (pipeline/lines.py
-- reads a document's records): `{"id": "msg_…", "type": "message", "model": …, "usage": {…}}`. A Message has no
-- timestamp and its request id is an HTTP header, so no body is a usage row by itself: each Message is rejected
-- missing_timestamp with a detail that says how to log it (the app log envelope, app_log.sql, reads the same body
-- with its time). Anything else is unknown_record_shape. Parameters as app_log.sql.
with lines as (
    select * from checked_lines($max_line_bytes)
),

parsed as (
    select file_id, source_file, line, text, status,
           case when status is null then try(from_json(text, '{"id": "JSON", "type": "JSON", "usage": "JSON"}')) end as r
    from lines
),

judged as (
    select *,
           coalesce(status, case
               when r is null then 'invalid_json'
               when str(r.type) is distinct from 'message' or json_type(r.usage) is distinct from 'OBJECT'
                   then 'unknown_record_shape'
               else 'missing_timestamp'
           end) as final_status
    from parsed
)

select
    file_id,
    line,
    final_status as status,
    case final_status
        when 'missing_timestamp' then 'an Anthropic Message body (' || coalesce(str(r.id), 'no id')
            || ') has no time: log responses in spendlog''s app log envelope ({"ts": …, "request_id": …, "response": {…}})'
        when 'unknown_record_shape' then 'not an Anthropic Message (type "message" with a usage object)'
    end as detail,
    text as raw_text,
    str(r.id) as request_id,
    str(r.id) as response_id,
    'anthropic' as provider,
    'anthropic' as billed_by,
    'request' as grain,
    $source_format as source_format,
    source_file,
    line as source_line,
    $ingested_at::timestamptz as ingested_at,
    'anthropic:' || coalesce(str(r.id), 'sha256:' || sha256(text)) as dedupe_key
from judged
