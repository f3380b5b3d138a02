-- Month to date against each [budgets] amount (USD per month: 'total', or an app), through the report's day, with
-- a forecast for the month's end: month to date + the trailing daily average × the days left in the month. The
-- trailing average is the scope's spend over the $trailing_days days up to the report's day that have data (a day
-- with no data at all is not a $0 day), through money_div. Params: $start (the day), $budget_names,
-- $budget_amounts, $trailing_days.
with budgets as (
    select unnest($budget_names::varchar[]) as name, unnest($budget_amounts::decimal(18, 2)[]) as budget_usd
),

bounds as (
    select
        date_trunc('month', $start::date)::date as month_start,
        (date_trunc('month', $start::date) + interval 1 month - interval 1 day)::date as month_end,
        ($start::date - ($trailing_days::integer - 1))::date as trailing_start
),

days_with_data as (
    select count(distinct day)::integer as n
    from priced_usage, bounds
    where day between bounds.trailing_start and $start::date
),

scoped as (
    select
        budgets.name,
        budgets.budget_usd,
        coalesce(sum(spend.cost_usd) filter (where spend.day >= bounds.month_start), 0)::decimal(38, 12) as mtd_usd,
        coalesce(sum(spend.cost_usd) filter (where spend.day >= bounds.trailing_start), 0)::decimal(38, 12)
            as trailing_usd
    from budgets
    cross join bounds
    left join spend
      on (budgets.name = 'total' or spend.app = budgets.name)
     and spend.day between least(bounds.month_start, bounds.trailing_start) and $start::date
    group by budgets.name, budgets.budget_usd
),

forecast as (
    select
        scoped.*,
        (select n from days_with_data) as trailing_days_with_data,
        date_diff('day', $start::date, bounds.month_end)::integer as days_left,
        (mtd_usd + coalesce(money_div((trailing_usd * date_diff('day', $start::date, bounds.month_end))
                                          ::decimal(38, 12), (select n from days_with_data)), 0))::decimal(38, 12)
            as forecast_usd
    from scoped, bounds
)

select
    name,
    budget_usd,
    mtd_usd,
    forecast_usd,
    days_left,
    trailing_days_with_data,
    case when mtd_usd > budget_usd then 'over budget'
         when forecast_usd > budget_usd then 'forecast over'
         else 'on track' end as state,
    case when name = 'total' then 'Total' else name end as name_label,
    usd(budget_usd) as budget_fmt,
    usd(mtd_usd) as mtd_fmt,
    pct(pct_of(mtd_usd, budget_usd)) as used_fmt,
    usd(forecast_usd) as forecast_fmt,
    $trailing_days::integer as trailing_days
from forecast
order by name = 'total' desc, name
