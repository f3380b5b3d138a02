-- Rejected records by reason: those in the source files that hold rows of the period,
-- next to every reject in the lake (a file can hold rows of several periods; rejects carry no timestamp).
-- Params: $start, $end (inclusive local days).
with period_files as (
    select distinct source_file from priced_usage where day between $start and $end
),

in_period_files as (
    select
        reason,
        count(*) as rejected,
        count(distinct rejects.source_file) as files,
        min(rejects.source_file || ':' || rejects.source_line) as example
    from rejects
    where source_file in (select source_file from period_files)
    group by reason
),

all_time as (
    select reason, count(*) as rejected_all_time
    from rejects
    group by reason
)

select
    all_time.reason,
    coalesce(in_period_files.rejected, 0) as rejected,
    coalesce(in_period_files.files, 0) as files,
    all_time.rejected_all_time,
    coalesce(in_period_files.example, '') as example,
    num(coalesce(in_period_files.rejected, 0)) as rejected_fmt,
    num(coalesce(in_period_files.files, 0)) as files_fmt,
    num(all_time.rejected_all_time) as rejected_all_time_fmt,
    coalesce(in_period_files.example, '—') as example_fmt
from all_time
left join in_period_files on in_period_files.reason = all_time.reason
order by rejected desc, rejected_all_time desc, reason
