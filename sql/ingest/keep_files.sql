-- Keep a normalized batch of files for this run: good rows become candidates, bad records rejects. Files refused
-- whole (file_errors) are left out. The document parameter: the files were read whole (their records are
-- numbered, not physical lines).
insert into candidates by name
with good as (
    select * exclude (file_id, line, status, detail, app_raw, dedupe_key), coalesce(app_raw, $app) as app_raw,
           redact(dedupe_key) as dedupe_key  -- a key is built from ids as logged: a secret in one never reaches the lake
    from normalized
    where status is null and file_id not in (select file_id from file_errors)
)
select *,
       md5(row(*columns(* exclude (source_format, source_file, source_line, ingested_at, dedupe_key, dedupe_rank, raw_text)))::varchar)
           as row_fingerprint,
       coalesce(input_tokens, 0) + coalesce(cache_write_5m_tokens, 0) + coalesce(cache_write_1h_tokens, 0)
           + coalesce(cache_read_tokens, 0) + coalesce(output_tokens, 0) as total_tokens
from good;

insert into new_rejects by name
select n.source_file,
       n.line as source_line,
       $source_format as source_format,
       n.status as reason,
       n.detail,
       left(coalesce(n.raw_text, redact(left(r.bytes::varchar, 65536))), 65536) as raw,
       coalesce(sha256(r.bytes), sha256(n.raw_text)) as raw_sha256,
       coalesce(octet_length(r.bytes), octet_length(encode(n.raw_text))) as raw_bytes,
       $ingested_at::timestamptz as ingested_at
from normalized n
left join raw_lines r  -- a document's records are not physical lines
       on not $document and r.file_id = n.file_id and r.line = n.line
where n.status is not null and not starts_with(n.status, 'ignored:')
  and n.file_id not in (select file_id from file_errors);
