-- One fingerprint per local day of everything a report of that day shows: its priced rows (provenance timestamps
-- aside) and the rejects of the files behind them. A day whose fingerprint changed since its report was rendered
-- is rendered again; so is the day after (its report compares with this one).
with rows_by_day as (
    select day, bit_xor(hash(*columns(* exclude (ingested_at)))) as rows_hash, count(*) as row_count
    from priced_usage
    where day is not null
    group by day
),

files_by_day as (
    select distinct day, source_file from priced_usage where day is not null
),

rejects_by_day as (
    select files_by_day.day, bit_xor(hash(rejects.source_file, rejects.source_line, rejects.reason)) as rejects_hash
    from files_by_day
    join rejects on rejects.source_file = files_by_day.source_file
    group by files_by_day.day
)

select
    rows_by_day.day,
    hash(rows_by_day.rows_hash, rows_by_day.row_count, coalesce(rejects_by_day.rejects_hash, 0))::varchar as fingerprint
from rows_by_day
left join rejects_by_day on rejects_by_day.day = rows_by_day.day
order by rows_by_day.day
