-- The lake's rows whose dedupe keys this run's rows (candidates) also have, with what dedupe needs and the
-- Parquet file each lives in. Parameter: files (the manifest's live usage files, at least one). Output: rows
-- of lake_rows.
insert into lake_rows
select dedupe_key, dedupe_rank, row_fingerprint,
       billed_usage_fingerprint(lake) as usage_fingerprint,
       total_tokens, source_file, source_line, filename as lake_file, ts
from read_parquet($files, hive_partitioning = false, filename = true) as lake
where dedupe_key in (select dedupe_key from candidates);
