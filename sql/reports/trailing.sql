-- The day against its trailing average: the whole home's spend and each app's on the report's day ($start), against
-- their average over the $trailing_days days before it that have data, and whether it spikes ([alerts]): the macro
-- trailing_spend (sql/reports/_macros.sql) decides. The nightly alerts read the spiking rows of this query.
-- Params: $start, $trailing_days, $spike_ratio, $spike_floor_usd.
with compared as (
    select * from trailing_spend($start, $start, $trailing_days, $spike_ratio, $spike_floor_usd)
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
