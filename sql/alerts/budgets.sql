-- Budgets ([budgets], USD per month) of the month holding $day, against that month's spend through $day: breached
-- when spend is over the budget; forecast to be when spend so far, carried on at the same daily rate to the month's
-- end, would be (compared without dividing money: spend × days in month > budget × days elapsed).
-- Params: $day, $names (budget names: 'total' or an app), $amounts (their USD), $days_in_month.
with budgets as (
    select unnest($names::varchar[]) as name, unnest($amounts::decimal(18, 2)[]) as budget_usd
),

month_spend as (
    select app, cost_usd from spend where day between date_trunc('month', $day::date)::date and $day
),

spent as (
    select
        budgets.name,
        budgets.budget_usd,
        coalesce(sum(month_spend.cost_usd), 0)::decimal(38, 12) as spent_usd
    from budgets
    left join month_spend on budgets.name = 'total' or month_spend.app = budgets.name
    group by budgets.name, budgets.budget_usd
)

select
    name,
    budget_usd,
    spent_usd,
    case when spent_usd > budget_usd then 'breached' else 'forecast' end as state,
    date_part('day', $day::date)::integer as days_elapsed
from spent
where spent_usd > budget_usd
   or spent_usd * $days_in_month::integer > budget_usd * date_part('day', $day::date)::integer
order by name = 'total' desc, name
