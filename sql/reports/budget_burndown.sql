-- The burn-down chart of each [budgets] amount: one row per budget and day of the report day's month, with the
-- day's spend in the budget's scope and the month's cumulative spend through the report day, and from the report
-- day to the month's end the forecast as budgets.sql makes it (budget_forecasts, forecast_ahead in _macros.sql:
-- month to date + the trailing daily average × the days ahead; on the report day it is the month to date, on the
-- last day the budgets section's forecast). Params: $start (the day), $budget_names, $budget_amounts,
-- $trailing_days.
with forecast as (
    select * from budget_forecasts($start, $budget_names, $budget_amounts, $trailing_days)
),

days as (
    select forecast.*, d::date as day
    from forecast, generate_series(forecast.month_start, forecast.month_end, interval 1 day) as t (d)
),

per_day as (
    select
        days.name,
        days.day,
        case when days.day <= $start::date then coalesce(sum(spend.cost_usd), 0) end::decimal(38, 12) as cost_usd
    from days
    left join spend
      on (days.name = 'total' or spend.app = days.name)
     and spend.day = days.day
     and days.day <= $start::date
    group by days.name, days.day
)

select
    days.name,
    days.day,
    days.budget_usd,
    per_day.cost_usd,
    case when days.day <= $start::date then
        sum(per_day.cost_usd) over (partition by days.name order by days.day)
    end::decimal(38, 12) as cumulative_usd,
    case when days.day >= $start::date then
        forecast_ahead(days.mtd_usd, days.trailing_usd, days.trailing_days_with_data,
                       date_diff('day', $start::date, days.day))
    end as forecast_usd,
    days.name_label,
    days.state,
    usd(days.budget_usd) as budget_fmt,
    usd(days.mtd_usd) as mtd_fmt,
    usd(days.forecast_usd) as forecast_fmt
from days
join per_day on per_day.name = days.name and per_day.day = days.day
order by days.name = 'total' desc, days.name, days.day
