-- A lake usage file without its rows that lost (lost_lake_rows). Parameter: lake_file (its path).
select *
from read_parquet($lake_file, hive_partitioning = false)
where (source_file, source_line, dedupe_key) not in (select (source_file, source_line, dedupe_key) from lost_lake_rows)
