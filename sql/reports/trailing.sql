-- The day against its trailing average: the whole home's spend and each app's on the report's day ($start), against
-- their average over the $trailing_days days before it that have data (a day with no data at all is not a $0 day).
-- A scope spikes ([alerts]) when its spend is at least $spike_floor_usd and more than $spike_ratio times that average
-- (compared without dividing money: cost × days > ratio × trailing sum); a scope with no spend before has no
-- baseline and never spikes. The nightly alerts read the spiking rows of this query.
-- Params: $start, $trailing_days, $spike_ratio, $spike_floor_usd.
with window_days as (
    select count(distinct day)::integer as n
    from priced_usage
    where day between $start::date - $trailing_days::integer and $start::date - 1
),

by_scope as (
    select day, 'total' as scope, cost_usd
    from spend where day between $start::date - $trailing_days::integer and $start::date
    union all
    select day, 'app ' || coalesce(app, 'unattributed'), cost_usd
    from spend where day between $start::date - $trailing_days::integer and $start::date
),

scoped as (
    select
        scope,
        coalesce(sum(cost_usd) filter (where day = $start::date), 0)::decimal(38, 12) as day_cost_usd,
        coalesce(sum(cost_usd) filter (where day < $start::date), 0)::decimal(38, 12) as trailing_cost_usd,
        (select n from window_days) as trailing_days_with_data
    from by_scope
    group by scope
),

compared as (
    select
        *,
        money_div(trailing_cost_usd, trailing_days_with_data) as average_usd,
        trailing_days_with_data > 0
            and trailing_cost_usd > 0
            and day_cost_usd >= $spike_floor_usd::decimal(18, 6)
            and day_cost_usd * trailing_days_with_data > $spike_ratio::decimal(18, 6) * trailing_cost_usd as spike
    from scoped
)

select
    scope,
    day_cost_usd,
    trailing_cost_usd,
    trailing_days_with_data,
    average_usd,
    spike,
    case when scope = 'total' then 'Total' else substr(scope, 5) end as scope_label,
    usd(day_cost_usd) as day_cost_fmt,
    usd(average_usd) as average_fmt,
    case when average_usd > 0 then format('{:.1f}×', day_cost_usd::double / average_usd::double) else '—' end
        as ratio_fmt,
    $trailing_days::integer as trailing_days,
    regexp_replace(format('{}', $spike_ratio::double), '\.0$', '') as spike_ratio_fmt,
    usd($spike_floor_usd::decimal(18, 6)) as spike_floor_fmt
from compared
order by scope = 'total' desc, day_cost_usd desc, scope
