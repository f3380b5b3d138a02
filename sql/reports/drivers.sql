-- Why spend changed against the previous period: the change split into drivers that add up to it exactly.
-- Cells are app × model (the catalogue's name). With P, R_P the previous period's cost and billable requests, C, R_C
-- this period's, a cell's requests r and cost c, c' this period's cost at the previous period's prices (its rows
-- priced by price_at on the previous period's last day; a row whose model had no price then keeps its cost), and
-- S = Σ r_C·c_P / r_P over the cells used in both periods plus c' of the cells new this period:
--   volume      = R_C · P / R_P − P       more (or fewer) requests, at the previous average cost per request
--   mix         = S − R_C · P / R_P       the requests spread differently over apps and models (new ones included)
--   cache       = −Σ (saved'_C − r_C · saved_P / r_P) over the cells used in both: caching saving more (negative)
--                 or less per request, where saved = cost_without_cache_usd − cost_usd (saved' at previous prices)
--   prices      = C − Σ c'                the catalogue's prices changing (a price cut, a long-context tier ending)
--   per request = (C − P) − volume − mix − cache − prices: tokens per request, within each app × model
-- Shown only when the previous period has billable requests. Divisions go through money_div (exact to 1e-12).
-- Reads period_rows (this period's spend_rows, made by pipeline/reports.py before this query); only its catalogue rows
-- are priced again, and none when the previous period has no billable requests (the section is empty then).
-- Params: $start, $end (this period), $prev_start, $prev_end (the previous one).
with previous_rows as (
    select * from spend_rows($prev_start, $prev_end)
),

catalogue_rows as (
    select *
    from period_rows
    where coalesce(cost_basis = 'catalogue', false)
      and coalesce((select sum(requests) from previous_rows), 0) > 0
),

current_rows as (
    select
        app,
        model_label,
        requests,
        cost_usd,
        coalesce(cost_at_usd, cost_usd) as cost_at_previous_prices_usd,
        coalesce(cost_without_cache_at_usd, cost_without_cache_usd) as cost_without_cache_at_previous_prices_usd
    from price_at($prev_end, 'catalogue_rows')
    union all
    -- a cost the source states (cost_basis 'stated') does not move with the catalogue's prices
    select app, model_label, requests, cost_usd, cost_usd, cost_without_cache_usd
    from period_rows
    where not coalesce(cost_basis = 'catalogue', false)
),

cells as (
    select
        false as is_current,
        app,
        model_label as model,
        sum(requests)::bigint as requests,
        coalesce(sum(cost_usd), 0)::decimal(38, 12) as cost_usd,
        coalesce(sum(cost_usd), 0)::decimal(38, 12) as cost_at_previous_prices_usd,
        coalesce(sum(cost_without_cache_usd - cost_usd), 0)::decimal(38, 12) as saved_usd
    from previous_rows
    group by all
    union all
    select
        true,
        app,
        model_label,
        sum(requests)::bigint,
        coalesce(sum(cost_usd), 0)::decimal(38, 12),
        coalesce(sum(cost_at_previous_prices_usd), 0)::decimal(38, 12),
        coalesce(sum(cost_without_cache_at_previous_prices_usd - cost_at_previous_prices_usd), 0)::decimal(38, 12)
    from current_rows
    group by all
),

paired as (
    select
        coalesce(c.app, p.app) as app,
        coalesce(c.model, p.model) as model,
        coalesce(p.requests, 0) as prev_requests,
        coalesce(c.requests, 0) as requests,
        coalesce(p.cost_usd, 0)::decimal(38, 12) as prev_cost_usd,
        coalesce(c.cost_usd, 0)::decimal(38, 12) as cost_usd,
        coalesce(c.cost_at_previous_prices_usd, 0)::decimal(38, 12) as cost_at_previous_prices_usd,
        coalesce(p.saved_usd, 0)::decimal(38, 12) as prev_saved_usd,
        coalesce(c.saved_usd, 0)::decimal(38, 12) as saved_usd
    from (select * from cells where is_current) as c
    full outer join (select * from cells where not is_current) as p on c.app = p.app and c.model = p.model
),

at_previous_unit_cost as (
    select
        *,
        case
            when prev_requests > 0 then money_div((prev_cost_usd * requests)::decimal(38, 12), prev_requests)
            else cost_at_previous_prices_usd
        end::decimal(38, 12) as cost_at_previous_usd,
        case
            when prev_requests > 0 and requests > 0
                then (-(saved_usd - money_div((prev_saved_usd * requests)::decimal(38, 12), prev_requests)))
            else 0
        end::decimal(38, 12) as cache_effect_usd
    from paired
),

totals as (
    select
        sum(prev_cost_usd)::decimal(38, 12) as prev_cost_usd,
        sum(cost_usd)::decimal(38, 12) as cost_usd,
        sum(prev_requests)::bigint as prev_requests,
        sum(requests)::bigint as requests,
        sum(cost_at_previous_usd)::decimal(38, 12) as cost_at_previous_usd,
        sum(cost_usd - cost_at_previous_prices_usd)::decimal(38, 12) as prices_usd,
        sum(cache_effect_usd)::decimal(38, 12) as cache_effect_usd
    from at_previous_unit_cost
),

effects as (
    select
        *,
        (cost_usd - prev_cost_usd)::decimal(38, 12) as change_usd,
        money_div((prev_cost_usd * requests)::decimal(38, 12), prev_requests) as volume_base_usd
    from totals
    where prev_requests > 0
),

drivers as (
    select
        *,
        (volume_base_usd - prev_cost_usd)::decimal(38, 12) as volume_usd,
        (cost_at_previous_usd - volume_base_usd)::decimal(38, 12) as mix_usd
    from effects
),

driver_rows as (
    select 1 as position, 'volume' as driver, 'More or fewer requests, at the previous average cost per request' as meaning,
           volume_usd as effect_usd, change_usd
    from drivers
    union all
    select 2, 'mix', 'Requests spread differently over apps and models (new ones included)', mix_usd, change_usd
    from drivers
    union all
    select 3, 'cache', 'Caching saving more (negative) or less per request', cache_effect_usd, change_usd
    from drivers
    union all
    select 4, 'prices', 'The catalogue''s prices changing: this period''s requests at the previous period''s prices',
           prices_usd, change_usd
    from drivers
    union all
    select 5, 'per request', 'Tokens per request, within each app and model',
           (change_usd - volume_usd - mix_usd - cache_effect_usd - prices_usd)::decimal(38, 12), change_usd
    from drivers
    union all
    select 6, 'total', 'The change in spend', change_usd, change_usd
    from drivers
)

select
    position,
    driver,
    meaning,
    effect_usd,
    usd_change(effect_usd) as effect_fmt,
    pct(pct_of(effect_usd, change_usd)) as share_of_change_fmt
from driver_rows
order by position
