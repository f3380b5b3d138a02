-- Per source file, how many of its lake rows lost (lost_lake_rows) and which count they move to
-- (rows_rejected or duplicates); sub-inference rows ('#iteration:<n>' keys) are not records and not counted.
select source_file, moved_to, count(*) as rows_lost
from lost_lake_rows
where not contains(dedupe_key, '#iteration:')
group by all
order by all
