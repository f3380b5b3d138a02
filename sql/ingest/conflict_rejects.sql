-- Rows that lost a duplicate conflict become rejects, with the row that stayed named in the detail. A
-- sub-inference row ('#iteration:<n>' key) is not a record: its record's outcome speaks for it.
insert into new_rejects by name
select o.source_file,
       o.source_line,
       coalesce(c.source_format, 'lake') as source_format,
       'duplicate_conflict' as reason,
       case o.outcome
           when 'conflict' then 'same key as ' || o.kept_file || ':' || o.kept_line || ', which has more tokens or comes first'
           else 'replaced by ' || o.kept_file || ':' || o.kept_line || ', which has more tokens or comes first'
       end as detail,
       redact(c.raw_text) as raw,  -- candidates keep it as logged (conform.sql)
       sha256(redact(c.raw_text)) as raw_sha256,
       octet_length(encode(redact(c.raw_text))) as raw_bytes,
       $ingested_at::timestamptz as ingested_at
from outcomes o
left join candidates c on o.origin = 'new' and c.source_file = o.source_file and c.source_line = o.source_line
                       and c.dedupe_key = o.dedupe_key
where o.outcome in ('conflict', 'displaced') and not contains(o.dedupe_key, '#iteration:');
