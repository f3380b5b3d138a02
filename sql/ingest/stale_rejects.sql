-- Lake rejects of the files this run read that this read does not state again (a file refused for want of its batch
-- side-car, read again once it is there; a file a new normalizer reads better): a file read again is judged by
-- its new read, so they leave the lake (their reject files are rewritten without them). Parameters: files (the
-- manifest's reject files, at least one), read (the paths this run read). Inputs: new_rejects (this run's, before
-- repeated_rejects.sql). Output: the table stale_rejects (lake_file, source_file, source_line, reason).
create or replace temp table stale_rejects as
select filename as lake_file, source_file, source_line, reason
from read_parquet($files, hive_partitioning = false, filename = true)
where list_contains($read, source_file)
  and (source_file, source_line, reason) not in (select (source_file, source_line, reason) from new_rejects);
