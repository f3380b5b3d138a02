-- Files of the batch refused whole (DESIGN.md §4 file-level errors), from their counts (file_counts): a JSON
-- document with no record this format knows is unrecognised_format; over half the records rejected is
-- too_many_rejects, with the commonest reject's detail. Parameter: document (the files were read whole). Output: rows of file_errors.
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
                   || coalesce(', most ' || top.r.status || ': ' || top.r.detail, '')
           end as detail
    from file_counts
    left join (  -- the commonest reject and its detail, which says what to do about it
        select file_id, arg_max({'status': status, 'detail': detail}, n) as r
        from (select file_id, status, reject_detail(status, detail) as detail, count(*) as n
              from normalized
              where status is not null and not starts_with(status, 'ignored:')
              group by all)
        group by file_id
    ) top using (file_id)
)
where reason is not null;
