-- Per source file, how many of its lake rows lost (lost_lake_rows) and which count they move to
-- (rows_rejected or duplicates).
select source_file, moved_to, count(*) as rows_lost
from lost_lake_rows
group by all
order by all
