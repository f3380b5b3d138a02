-- Files of the batch refused whole (DESIGN.md §4 file-level errors), from their counts (file_counts) and their
-- conformed records (conformed: sql/ingest/conform.sql): a JSON document with no record this format knows is unrecognised_format; a batch
-- results file whose records are rejected for want of a time (no side-car batch object, no --batch-ended-at) is
-- batch_timestamp_missing, saying what to add; any other file with over half its records rejected is
-- too_many_rejects, its detail naming the commonest reasons with an example line each, so the user learns why.
-- Parameters: document (the files were read whole), source_format. Output: rows of file_errors.
with reasons as (
    select file_id, status as reason, count(*) as records, min(line) as first_line, arg_min(detail, line) as detail
    from conformed
    where status is not null and not starts_with(status, 'ignored:')
    group by file_id, status
),

commonest as (
    select
        file_id,
        arg_max(reason, (records, -first_line)) as top_reason,
        string_agg(reason || ' ×' || records || ' (line ' || first_line
                   || coalesce(': ' || nullif(detail, ''), '') || ')', '; ' order by records desc, first_line)
            filter (where rank <= 3) as top_reasons
    from (select *, row_number() over (partition by file_id order by records desc, first_line) as rank from reasons)
    group by file_id
),

judged as (
    select
        c.file_id,
        c.records_read,
        c.rejected,
        r.top_reason,
        r.top_reasons,
        regexp_extract(f.source_file, '[^/]*$') as file_name
    from file_counts c
    join run_files f using (file_id)
    left join commonest r using (file_id)
)

insert into file_errors
select file_id, reason, detail
from (
    select file_id,
           case
               when $document and records_read = 0 then 'unrecognised_format'
               when rejected * 2 > records_read and top_reason = 'missing_timestamp'
                    and $source_format in ('openai_batch', 'anthropic_batch') then 'batch_timestamp_missing'
               when rejected * 2 > records_read then 'too_many_rejects'
           end as reason,
           case
               when $document and records_read = 0 then 'a JSON document with no records ' || $source_format || ' knows: '
                   || 'name the format of this file with --format or [[sources]] format (`spendlog formats` lists them)'
               when rejected * 2 > records_read and top_reason = 'missing_timestamp'
                    and $source_format in ('openai_batch', 'anthropic_batch')
                   then rejected || ' of ' || records_read || ' records have no time of their own and the batch''s '
                        || 'end time is unknown: put the batch object beside the file as ' || file_name
                        || '.batch.json, or pass --batch-ended-at'
               when rejected * 2 > records_read
                   then rejected || ' of ' || records_read || ' records rejected (over half): ' || top_reasons
                        || ' — fix those records (or the format named for the file); the file is read again on every run'
           end as detail
    from judged
)
where reason is not null;
