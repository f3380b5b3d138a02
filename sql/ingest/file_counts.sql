-- Each file of the batch (run_files) with its records read, records rejected and its ignored records by reason,
-- from the normalizer's output (normalized). A sub-inference row (its dedupe key ends in '#iteration:<n>', see
-- sql/normalize/app_log.sql) is part of its record, not a record. Output: the table file_counts.
create or replace temp table file_counts as
with counts as (
    select f.file_id,
           count(n.file_id) filter (where not coalesce(contains(n.dedupe_key, '#iteration:'), false)) as records_read,
           count(*) filter (where n.status is not null and not starts_with(n.status, 'ignored:')) as rejected
    from run_files f
    left join normalized n using (file_id)
    group by f.file_id
),

ignored as (
    select file_id, list({'reason': reason, 'records': records} order by reason) as ignored
    from (
        select file_id, regexp_replace(status, '^ignored:', '') as reason, count(*) as records
        from normalized
        where starts_with(status, 'ignored:')
        group by all
    )
    group by file_id
)

select file_id, records_read, rejected, coalesce(ignored, []) as ignored
from counts
left join ignored using (file_id);
