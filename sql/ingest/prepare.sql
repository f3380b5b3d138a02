-- This run's working tables: the lines of a batch of files (raw_lines, run_files), files refused whole
-- (file_errors), the rows kept so far (candidates, with what dedupe needs) and their rejects (new_rejects).
create temp table raw_lines (file_id bigint, line bigint, bytes blob);
create temp table run_files (file_id bigint, source_file varchar, file_mtime timestamptz);
create temp table file_errors (file_id bigint);
create temp table candidates as
select *, null::varchar as dedupe_key, null::bigint as dedupe_rank, null::varchar as row_fingerprint,
       null::bigint as total_tokens, null::varchar as raw_text
from usage_schema
where false;
create temp table new_rejects as select * from rejects_schema where false;
