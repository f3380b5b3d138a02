-- Lake rows that lost to a row of this run (outcomes: sql/ingest/dedupe.sql): displaced by a conflicting row
-- (they become rejects) or superseded (a revision, or their file read again). Their lake files are rewritten
-- without them and their source files' accounting moves them to rows_rejected or duplicates. Output: the view
-- lost_lake_rows (lake_file, source_file, source_line, dedupe_key, moved_to).
create or replace temp view lost_lake_rows as
select lake_file, source_file, source_line, dedupe_key,
       case outcome when 'displaced' then 'rows_rejected' else 'duplicates' end as moved_to
from outcomes
where outcome in ('displaced', 'superseded_in_lake');
