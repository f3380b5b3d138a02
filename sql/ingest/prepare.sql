-- This run's working tables: the lines of a batch of files (raw_lines; run_files: each file's path, mtime and the
-- app this run gives it), files refused whole (file_errors), a batch's normalizer output (normalized), the rows
-- kept so far (candidates, with what dedupe needs: billed_usage_fingerprint tells copies from conflicts), their
-- rejects (new_rejects) and the lake rows that share their keys (lake_rows). Inputs: usage_schema, rejects_schema
-- (sql/schema/).
create temp table raw_lines (file_id bigint, line bigint, bytes blob);
create temp table run_files (file_id bigint, source_file varchar, file_mtime timestamptz, app varchar);
create temp table file_errors (file_id bigint, reason varchar, detail varchar);

-- A normalizer's output lands here by name (insert into normalized by name): each canonical column in schema
-- order and type whatever order and type the normalizer gives it, a column it does not emit NULL, dedupe_rank 0
-- unless the format ranks its rows, a column name the table does not know an error.
create temp table normalized as
select null::bigint as file_id, null::bigint as line, null::varchar as status, null::varchar as detail,
       null::varchar as raw_text, *, null::varchar as dedupe_key, null::bigint as dedupe_rank
from usage_schema
where false;
alter table normalized alter column dedupe_rank set default 0;

-- What a row bills: two rows with one dedupe key that bill the same are copies of one request, whatever else differs
-- (a resumed Claude Code session copies its predecessor's lines under a new sessionId; an app logs a request twice).
-- r: a row as a struct (`billed_usage_fingerprint(t)` for a relation t), so conform.sql and lake_rows.sql share it.
create temp macro billed_usage_fingerprint(r) as md5(row(
    r.ts, r.provider, r.billed_by, r.model, r.input_tokens, r.cache_write_5m_tokens, r.cache_write_1h_tokens,
    r.cache_read_tokens, r.output_tokens, r.reasoning_tokens, r.web_search_requests, r.batch, r.service_tier, r.speed,
    r.inference_geo, r.http_status, r.billable, r.usage_missing, r.grain, r.request_count, r.bucket_end,
    r.context_window, r.reported_cost_usd
)::varchar);

create temp table candidates as
select *, null::varchar as dedupe_key, null::bigint as dedupe_rank, null::varchar as row_fingerprint,
       null::varchar as usage_fingerprint, null::bigint as total_tokens, null::varchar as raw_text
from usage_schema
where false;
create temp table new_rejects as select * from rejects_schema where false;
create temp table lake_rows (
    dedupe_key varchar, dedupe_rank bigint, row_fingerprint varchar, usage_fingerprint varchar, total_tokens bigint,
    source_file varchar, source_line bigint, lake_file varchar, ts timestamptz
);
