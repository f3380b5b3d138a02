-- Data completeness per source: files, rows, days with rows, first and last request of the period,
-- rejects in its files, when it was last ingested, and the day its data is complete through: the source's last day
-- with data (over all time, not only the period) when one of its files was read after that day ended, else the day
-- before (the last day may still be filling).
-- Params: $start, $end (inclusive local days), $tz (the report's timezone, for display).
with period as (
    select * from priced_usage where day between $start and $end
),

per_source as (
    select
        source_name,
        count(distinct source_file) as files,
        count(*) as rows,
        count(*) filter (where in_totals) as rows_in_totals,
        count(*) filter (where grain = 'bucket') as bucket_rows,
        count(*) filter (where usage_missing) as usage_missing_rows,
        count(distinct day) as days_with_rows,
        min(ts) as first_ts,
        max(ts) as last_ts
    from period
    group by source_name
),

source_files as (
    select distinct source_name, source_file from period
),

rejected as (
    select source_files.source_name, count(*) as rejected
    from rejects
    join source_files on source_files.source_file = rejects.source_file
    group by source_files.source_name
),

last_ingest as (
    select source_files.source_name, max(ingested_files.ingested_at) as last_ingested_at
    from ingested_files
    join source_files on source_files.source_file = ingested_files.path
    group by source_files.source_name
),

last_data as (
    select
        usage.source_name,
        max(usage.day) as last_day,
        max(ingested_files.ingested_at) as last_read_at
    from priced_usage usage
    left join ingested_files on ingested_files.path = usage.source_file
    where usage.source_name in (select source_name from per_source)
    group by usage.source_name
),

complete as (
    select
        source_name,
        case when last_read_at >= timezone($tz, (last_day + 1)::timestamp) then last_day else last_day - 1 end
            as complete_through
    from last_data
),

calendar_days as (
    select ($end::date - $start::date) + 1 as days
)

select
    per_source.source_name,
    per_source.files,
    per_source.rows,
    per_source.rows_in_totals,
    per_source.bucket_rows,
    per_source.usage_missing_rows,
    per_source.days_with_rows,
    calendar_days.days,
    per_source.first_ts,
    per_source.last_ts,
    coalesce(rejected.rejected, 0) as rejected,
    last_ingest.last_ingested_at,
    complete.complete_through,
    num(per_source.files) as files_fmt,
    num(per_source.rows) as rows_fmt,
    num(per_source.rows_in_totals) as rows_in_totals_fmt,
    num(per_source.usage_missing_rows) as usage_missing_rows_fmt,
    num(per_source.days_with_rows) || ' of ' || num(calendar_days.days) as days_with_rows_fmt,
    local_minute(per_source.first_ts, $tz) as first_ts_fmt,
    local_minute(per_source.last_ts, $tz) as last_ts_fmt,
    num(coalesce(rejected.rejected, 0)) as rejected_fmt,
    local_minute(last_ingest.last_ingested_at, $tz) as last_ingested_fmt,
    strftime(complete.complete_through, '%Y-%m-%d') as complete_through_fmt
from per_source
cross join calendar_days
left join rejected on rejected.source_name = per_source.source_name
left join last_ingest on last_ingest.source_name = per_source.source_name
left join complete on complete.source_name = per_source.source_name
order by per_source.rows desc, per_source.source_name
