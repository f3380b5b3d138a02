-- Per source file read in this run, how its rows fared in dedupe (outcomes: sql/ingest/dedupe.sql): loaded,
-- replacing a lake row, duplicates (identical repeats and rows the format ranks lower) and rejected (conflicts).
-- Sub-inference rows ('#iteration:<n>' keys) ride with their record and are not counted.
select source_file,
       count(*) filter (where outcome = 'load') as rows_loaded,
       count(*) filter (where outcome = 'replace') as rows_replaced,
       count(*) filter (where outcome in ('duplicate', 'superseded')) as duplicates,
       count(*) filter (where outcome = 'conflict') as rows_rejected
from outcomes
where origin = 'new' and not contains(dedupe_key, '#iteration:')
group by source_file
