-- Every ingested file has as many usage rows in the lake as its accounting says it loaded or replaced.
-- Reads: ingested_files, usage_files (a sub-inference row, key '#iteration:<n>', rides with its record: not counted).
-- One row per file where the two differ: its path, the counts and the rows held.
with held as (
    select source_file as path, count(*) as usage_rows from usage_files
    where not contains(dedupe_key, '#iteration:') group by source_file
)

select f.path, f.rows_loaded, f.rows_replaced, coalesce(h.usage_rows, 0) as usage_rows
from ingested_files f
left join held h using (path)
where coalesce(h.usage_rows, 0) is distinct from f.rows_loaded + f.rows_replaced
order by f.path
