-- Month to date against each [budgets] amount (USD per month: 'total', or an app), through the report's day, with
-- a forecast for the month's end: month to date + the trailing daily average × the days left in the month
-- (budget_forecasts in _macros.sql; the burn-down chart's sql/reports/budget_burndown.sql uses it too). Params:
-- $start (the day), $budget_names, $budget_amounts, $trailing_days.
with forecast as (
    select * from budget_forecasts($start, $budget_names, $budget_amounts, $trailing_days)
)

select
    name,
    budget_usd,
    mtd_usd,
    forecast_usd,
    days_left,
    trailing_days_with_data,
    state,
    name_label,
    usd(budget_usd) as budget_fmt,
    usd(mtd_usd) as mtd_fmt,
    pct(pct_of(mtd_usd, budget_usd)) as used_fmt,
    usd(forecast_usd) as forecast_fmt,
    $trailing_days::integer as trailing_days
from forecast
order by name = 'total' desc, name
