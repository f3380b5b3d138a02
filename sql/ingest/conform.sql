-- The conform step: a normalizer's output (normalized, which holds every canonical column by name, in schema
-- order and type: sql/ingest/prepare.sql) becomes the canonical row. Secrets are redacted here, once, in every
-- text column the log gives (all but source_format and source_file, which spendlog names), in the tags map's keys
-- and values, in rejects' detail (which may quote a value) and in the dedupe key (built from ids as logged). The
-- record's raw_text is redacted only where a reject keeps it (keep_files.sql, conflict_rejects.sql): few records
-- are rejected, and every record's text is long. A row without an app of its own takes the one this run gives its file
-- (run_files.app, from --app). row_fingerprint, which tells
-- an identical repeat from a conflicting one (sql/ingest/dedupe.sql), is the md5 of the canonical columns in
-- schema order, provenance aside, with app_raw last: the order the lake's stored fingerprints have, so rows
-- written by earlier versions compare equal; usage_fingerprint (sql/ingest/prepare.sql) tells a copy of a request
-- from a conflict. Every reject gets a detail (reject_detail, sql/normalize/_macros.sql). total_tokens is what
-- dedupe ranks by.
-- Inputs: normalized, run_files. Output: the view conformed (normalized's columns plus row_fingerprint,
-- usage_fingerprint and total_tokens), every record of the batch, good (status NULL), rejected or ignored.
create or replace temp view conformed as
with redacted as (
    select n.* replace (
               redact(reject_detail(n.status, n.detail)) as detail,
               redact(n.request_id) as request_id,
               redact(n.response_id) as response_id,
               redact(n.provider) as provider,
               redact(n.billed_by) as billed_by,
               redact(n.model) as model,
               redact(coalesce(n.app_raw, f.app)) as app_raw,
               redact(n.workspace) as workspace,
               redact(n.api_key) as api_key,
               redact(n.project) as project,
               redact(n.user_id) as user_id,
               redact(n.session_id) as session_id,
               map_from_entries(list_transform(map_entries(n.tags),
                   lambda e: {'key': redact(e.key), 'value': redact(e.value)})) as tags,
               redact(n.service_tier) as service_tier,
               redact(n.speed) as speed,
               redact(n.inference_geo) as inference_geo,
               redact(n.error_type) as error_type,
               redact(n.grain) as grain,
               redact(n.context_window) as context_window,
               redact(n.dedupe_key) as dedupe_key
           )
    from normalized n
    left join run_files f using (file_id)
)

select *,
       md5(row(*columns(* exclude (file_id, line, status, detail, raw_text, app_raw, source_format, source_file,
                                   source_line, ingested_at, dedupe_key, dedupe_rank)), app_raw)::varchar)
           as row_fingerprint,
       billed_usage_fingerprint(redacted) as usage_fingerprint,
       coalesce(input_tokens, 0) + coalesce(cache_write_5m_tokens, 0) + coalesce(cache_write_1h_tokens, 0)
           + coalesce(cache_read_tokens, 0) + coalesce(output_tokens, 0) as total_tokens
from redacted
