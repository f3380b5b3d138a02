-- Spend spikes on $day: the whole home's spend and each app's, against their average over the trailing days that
-- have data ($trailing_days before $day; a day with no data at all is not a $0 day). A scope spikes when its spend is
-- at least $floor_usd and more than $ratio times that average (compared without dividing money: cost × days > ratio ×
-- trailing sum). Scopes with no trailing data have no baseline and never spike.
with window_days as (
    select distinct day
    from priced_usage
    where day between $day - $trailing_days::integer and $day - 1
),

by_scope as (
    select day, 'total' as scope, cost_usd from spend where day between $day - $trailing_days::integer and $day
    union all
    select day, 'app ' || coalesce(app, 'unattributed'), cost_usd
    from spend where day between $day - $trailing_days::integer and $day
),

scoped as (
    select
        scope,
        coalesce(sum(cost_usd) filter (where day = $day), 0)::decimal(38, 12) as day_cost_usd,
        coalesce(sum(cost_usd) filter (where day < $day), 0)::decimal(38, 12) as trailing_cost_usd,
        (select count(*) from window_days) as trailing_days_with_data
    from by_scope
    group by scope
)

select scope, day_cost_usd, trailing_cost_usd, trailing_days_with_data
from scoped
where trailing_days_with_data > 0
  and trailing_cost_usd > 0
  and day_cost_usd >= $floor_usd::decimal(18, 6)
  and day_cost_usd * trailing_days_with_data > $ratio::decimal(18, 6) * trailing_cost_usd
order by scope = 'total' desc, scope
