-- What if: the period's priced requests priced on other models by the engine itself (price_as), from the tables
-- pipeline/reports.py makes first: period_rows (sql/reports/period_rows.sql), whatif_priced (by target and model run
-- on) and whatif_compare (each model in use and its equivalents, from [compare] or its defaults;
-- sql/reports/whatif_prepare.sql).
--   actual   the priced spend as run
--   routing  one line per model in use: every request priced on it, against the same requests as run; the model
--            with the highest cost per request as run first (is_dearest)
--   compare  one line per model in use and equivalent: that model's requests priced on the equivalent, or one
--            line saying it has none
-- Each priced line's note counts the requests the target cannot price (left out of both sides) and those that
-- price_as priced at the target's earliest or latest price or without a US-only multiplier.
-- Only rows the catalogue prices (cost_basis 'catalogue'): a cost the source states has no counterpart on another
-- model.
with in_use as (
    select canonical_model as model, sum(requests) as requests, sum(cost_usd) as cost_usd,
           money_div(sum(cost_usd), sum(requests)) as cost_per_request_usd
    from period_rows
    where cost_basis = 'catalogue' and canonical_model is not null
    group by canonical_model
),

dearest as (
    select model from in_use where requests > 0 order by cost_per_request_usd desc, model limit 1
),

routing as (
    select
        target,
        sum(requests)::bigint as requests,
        sum(cost_usd)::decimal(38, 12) as cost_usd,
        sum(cost_on_usd)::decimal(38, 12) as cost_on_usd,
        sum(unpriced_requests)::bigint as unpriced_requests,
        sum(earliest_requests)::bigint as earliest_requests,
        sum(latest_requests)::bigint as latest_requests,
        sum(no_geo_requests)::bigint as no_geo_requests
    from whatif_priced
    where target in (select model from in_use)
    group by target
),

compare as (
    select
        c.model,
        c.equivalent,
        c.origin,
        c.position,
        u.cost_usd as model_cost_usd,
        p.requests,
        p.cost_usd,
        p.cost_on_usd,
        p.unpriced_requests,
        p.earliest_requests,
        p.latest_requests,
        p.no_geo_requests
    from whatif_compare c
    join in_use u on u.model = c.model
    left join whatif_priced p on p.target = c.equivalent and p.model = c.model
),

lines as (
    select 1 as part, 0 as position, 'actual' as row_kind, null as model, null as equivalent, null as origin,
           false as is_dearest, null::decimal(38, 12) as cost_per_request_usd,
           sum(requests)::bigint as requests, sum(cost_usd)::decimal(38, 12) as cost_usd,
           null::decimal(38, 12) as cost_on_usd, 0::bigint as unpriced_requests, 0::bigint as earliest_requests,
           0::bigint as latest_requests, 0::bigint as no_geo_requests, sum(cost_usd) as sort_cost_usd
    from in_use
    having count(*) > 0
    union all
    select 2, 0, 'routing', r.target, null, null, r.target = d.model,
           u.cost_per_request_usd, r.requests, r.cost_usd, r.cost_on_usd, r.unpriced_requests, r.earliest_requests,
           r.latest_requests, r.no_geo_requests, r.cost_on_usd
    from routing r
    join in_use u on u.model = r.target
    left join dearest d on d.model = r.target
    union all
    select 3, position, 'compare', model, equivalent, origin, false, null, requests, cost_usd, cost_on_usd,
           unpriced_requests, earliest_requests, latest_requests, no_geo_requests, model_cost_usd
    from compare
)

select
    row_kind,
    model,
    equivalent,
    origin,
    is_dearest,
    requests,
    cost_usd,
    cost_on_usd,
    (cost_on_usd - cost_usd)::decimal(38, 12) as difference_usd,
    unpriced_requests,
    earliest_requests,
    latest_requests,
    no_geo_requests,
    case row_kind
        when 'actual' then 'As run'
        when 'routing' then 'Everything on ' || model || case when is_dearest then ' (the dearest per request)' else '' end
        else model
    end as label_fmt,
    coalesce(equivalent, '—') as equivalent_fmt,
    case origin when 'default' then 'default' when 'config' then '[compare]' else '' end as origin_fmt,
    usd6(cost_per_request_usd) as cost_per_request_fmt,
    num(requests) as requests_fmt,
    usd(cost_usd) as cost_fmt,
    usd(cost_on_usd) as cost_on_fmt,
    usd_change(cost_on_usd - cost_usd) as difference_fmt,
    case when cost_usd > 0 and cost_on_usd is not null
         then format('{:.2f}', round(cost_on_usd::double / cost_usd::double, 2)) || '×' else '—' end as times_fmt,
    case
        when row_kind = 'compare' and equivalent is null then 'no equivalent in [compare]'
        else concat_ws('; ',
            case when unpriced_requests > 0
                 then count_of(unpriced_requests, 'request') || ' it cannot price, left out' end,
            case when earliest_requests > 0
                 then count_of(earliest_requests, 'request') || ' before its first price, at its earliest' end,
            case when latest_requests > 0
                 then count_of(latest_requests, 'request') || ' after its last price, at its latest' end,
            case when no_geo_requests > 0
                 then count_of(no_geo_requests, 'US-only request') || ' at ×1 (it has no US-only multiplier)' end)
    end as note_fmt
from lines
order by part, is_dearest desc, sort_cost_usd desc nulls last, model, position
