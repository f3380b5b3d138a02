-- Cost per local day of the period (the numbers of the daily chart, whose data by app is daily_by_app.sql): a day
-- with data but no spend is a $0 day; a day without data (covered_days in _macros.sql) has no cost and is neither
-- cheapest nor dearest.
-- Params: $start, $end (inclusive local days).
with calendar as (
    select * from covered_days($start, $end)
),

period as (
    select * from spend_rows($start, $end)
),

per_day as (
    select
        day,
        sum(cost_usd) as cost_usd,
        sum(requests)::bigint as requests
    from period
    group by day
),

filled as (
    select
        calendar.day,
        calendar.has_data,
        case when calendar.has_data then coalesce(per_day.cost_usd, 0) end::decimal(38, 12) as cost_usd,
        case when calendar.has_data then coalesce(per_day.requests, 0) end::bigint as requests
    from calendar
    left join per_day on per_day.day = calendar.day
),

ranked as (
    select
        *,
        row_number() over (order by not has_data, cost_usd asc, day asc) as cheap_rank,
        row_number() over (order by not has_data, cost_usd desc, day asc) as dear_rank
    from filled
)

select
    day,
    dayname(day) as weekday,
    has_data,
    cost_usd,
    requests,
    isodow(day) in (6, 7) as is_weekend,
    cheap_rank = 1 and has_data as is_cheapest,
    dear_rank = 1 and cost_usd > 0 as is_dearest,
    strftime(day, '%a %d %b') as day_fmt,
    case when has_data then usd(cost_usd) else 'no data' end as cost_fmt,
    num(requests) as requests_fmt
from ranked
order by day
