-- Files of the batch refused whole (DESIGN.md §4 file-level errors), from their counts (file_counts): a JSON
-- document with no record this format knows is unrecognised_format; over half the records rejected is
-- too_many_rejects. Parameter: document (the files were read whole). Output: rows of file_errors.
insert into file_errors
select file_id, reason, detail
from (
    select file_id,
           case
               when $document and records_read = 0 then 'unrecognised_format'
               when rejected * 2 > records_read then 'too_many_rejects'
           end as reason,
           case
               when $document and records_read = 0 then 'a JSON document with no records this format knows'
               when rejected * 2 > records_read then rejected || ' of ' || records_read || ' records rejected'
           end as detail
    from file_counts
)
where reason is not null;
