-- A lake reject file without its stale rejects (stale_rejects.sql). Parameter: lake_file (its path).
select *
from read_parquet($lake_file, hive_partitioning = false)
where (source_file, source_line, reason) not in (
    select (source_file, source_line, reason) from stale_rejects where lake_file = $lake_file
)
