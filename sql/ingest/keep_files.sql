-- Keep a conformed batch of files for this run (conformed: sql/ingest/conform.sql): good rows become candidates,
-- bad records rejects. Files refused whole (file_errors) give no rows but keep their rejects: they say why. Parameters: source_format, ingested_at and
-- document (the files were read whole: their records are numbered, not physical lines, and raw_lines does not
-- hold them).
insert into candidates by name
select * exclude (file_id, line, status, detail)
from conformed
where status is null and file_id not in (select file_id from file_errors);

insert into new_rejects by name
select n.source_file,
       n.line as source_line,
       $source_format as source_format,
       n.status as reason,
       n.detail,
       left(coalesce(n.raw_redacted, redact(left(r.bytes::varchar, 65536))), 65536) as raw,  -- bytes: not valid text
       coalesce(sha256(r.bytes), sha256(n.raw_redacted)) as raw_sha256,
       coalesce(octet_length(r.bytes), octet_length(encode(n.raw_redacted))) as raw_bytes,
       $ingested_at::timestamptz as ingested_at
from (select *, redact(raw_text) as raw_redacted  -- conformed keeps it as logged
      from conformed
      where status is not null and not starts_with(status, 'ignored:')) n
left join raw_lines r
       on not $document and r.file_id = n.file_id and r.line = n.line;
