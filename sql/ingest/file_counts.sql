-- Each normalized file's records read, records rejected and the reasons of its ignored records.
select file_id,
       count(*) as records_read,
       count(*) filter (where status is not null and not starts_with(status, 'ignored:')) as rejected,
       list(status) filter (where starts_with(status, 'ignored:')) as ignored
from normalized
group by file_id
