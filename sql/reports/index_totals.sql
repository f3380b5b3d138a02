-- The total of each report that reports/index.html lists, counted as the summary section counts it: one row per
-- period. Params: $periods, a list of {stem, first_day, last_day} (inclusive local days).
-- A period with no row in spend has no total: 'no data', not $0.00.
with periods as (
    select unnest($periods, recursive := true)
),

spend_per_day as (
    select day, sum(cost_usd) as cost_usd, count(*) as spend_row_count
    from spend_rows(null, null)
    group by day
),

totals as (
    select
        periods.stem,
        coalesce(sum(spend_per_day.cost_usd), 0)::decimal(38, 12) as total_cost_usd,
        coalesce(sum(spend_per_day.spend_row_count), 0) as spend_row_count
    from periods
    left join spend_per_day on spend_per_day.day between periods.first_day and periods.last_day
    group by periods.stem
)

select
    stem,
    spend_row_count > 0 as has_data,
    case when spend_row_count > 0 then total_cost_usd end as total_cost_usd,
    case when spend_row_count > 0 then usd(total_cost_usd) else 'no data' end as total_cost_fmt
from totals
order by stem
