-- The lake holds at most one usage row per dedupe key (DESIGN.md §4: a repeated key is a duplicate, a conflict or a revision).
-- Reads: usage_files (the usage rows with their dedupe keys). One row per key held more than once: the key, how
-- many rows and where they are.
select dedupe_key,
       count(*) as rows,
       list(source_file || ':' || source_line order by source_file, source_line) as locations
from usage_files
group by dedupe_key
having count(*) > 1
order by dedupe_key
