-- Every usage row's stored row_fingerprint is the md5 of its canonical columns (sql/ingest/conform.sql), so dedupe tells repeats from conflicts.
-- Reads: usage_files. One row per row whose fingerprint differs: where it is, the stored and the recomputed one.
with recomputed as (
    select source_file, source_line, row_fingerprint,
           md5(row(*columns(lambda c: c not in ('app_raw', 'source_format', 'source_file', 'source_line', 'ingested_at',
                                           'dedupe_key', 'dedupe_rank', 'row_fingerprint', 'total_tokens')),
                   app_raw)::varchar) as expected
    from usage_files
)

select source_file, source_line, row_fingerprint, expected
from recomputed
where row_fingerprint is distinct from expected
order by all
