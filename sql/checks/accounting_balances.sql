-- Every ingested file's records read = loaded + replaced + duplicates + rejected + ignored (DESIGN.md §4, §7).
-- A file refused whole loads nothing and is left out. Reads: ingested_files. One row per file whose counts do not add up (or are missing), with the counts.
select path, records_read, rows_loaded, rows_replaced, duplicates, rows_rejected, ignored,
       records_read - (rows_loaded + rows_replaced + duplicates + rows_rejected + ignored) as unaccounted
from ingested_files
where status = 'loaded'
  and records_read is distinct from rows_loaded + rows_replaced + duplicates + rows_rejected + ignored
order by path
