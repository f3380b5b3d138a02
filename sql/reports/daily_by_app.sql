-- Cost per local day and app, the data of the daily spend chart: one row per app with spend rows that day; a day
-- with data but no spend row is one row without an app at $0, a day without data (covered_days in _macros.sql) one
-- row without an app, cost or requests. Summed by day it is the daily section's table (sql/reports/daily.sql).
-- Params: $start, $end (inclusive local days).
with calendar as (
    select * from covered_days($start, $end)
),

per_app as (
    select
        day,
        app,
        sum(cost_usd)::decimal(38, 12) as cost_usd,
        sum(requests)::bigint as requests
    from spend_rows($start, $end)
    group by day, app
)

select
    calendar.day,
    per_app.app,
    case when calendar.has_data then coalesce(per_app.cost_usd, 0) end::decimal(38, 12) as cost_usd,
    case when calendar.has_data then coalesce(per_app.requests, 0) end::bigint as requests,
    calendar.has_data,
    isodow(calendar.day) in (6, 7) as is_weekend
from calendar
left join per_app on per_app.day = calendar.day
order by calendar.day, per_app.app
