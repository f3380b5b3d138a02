-- Every row that counts in totals has a local day and a month that is the first day of that day's month.
-- Reads: spend (priced_usage where in_totals). One row per row without them: where it is, its ts, day and month.
select source_file, source_line, ts, day, month
from spend
where day is null or month is null or month <> date_trunc('month', day)
order by all
