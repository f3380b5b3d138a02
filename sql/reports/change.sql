-- The change against the previous period by app × model, and what drove it:
-- more or fewer requests (at the previous cost per request) or a dearer or cheaper request.
-- Spend through spend_rows, as the other sections (rows that are no request and cost nothing are left out).
-- Params: $start, $end (this period), $prev_start, $prev_end (the previous one).
with current_period as (
    select
        app,
        model_label as model,
        sum(cost_usd) as cost_usd,
        sum(requests)::bigint as requests
    from spend_rows($start, $end)
    group by all
),

previous_period as (
    select
        app,
        model_label as model,
        sum(cost_usd) as cost_usd,
        sum(requests)::bigint as requests
    from spend_rows($prev_start, $prev_end)
    group by all
),

joined as (
    select
        coalesce(c.app, p.app) as app,
        coalesce(c.model, p.model) as model,
        c.app is not null as in_current,
        p.app is not null as in_previous,
        c.app is not null and c.cost_usd is null as unpriced_current,
        p.app is not null and p.cost_usd is null as unpriced_previous,
        coalesce(p.cost_usd, 0)::decimal(38, 12) as prev_cost_usd,
        coalesce(c.cost_usd, 0)::decimal(38, 12) as cost_usd,
        coalesce(p.requests, 0) as prev_requests,
        coalesce(c.requests, 0) as requests
    from current_period as c
    full outer join previous_period as p on c.app = p.app and c.model = p.model
),

effects as (
    select
        *,
        cost_usd - prev_cost_usd as change_usd,
        ((requests - prev_requests) * coalesce(money_div(prev_cost_usd, prev_requests), 0))::decimal(38, 12)
            as volume_effect_usd
    from joined
),

change_rows as (
    select
        'model' as row_kind,
        app,
        model,
        prev_cost_usd,
        cost_usd,
        change_usd,
        pct_of(change_usd, prev_cost_usd) as change_pct,
        prev_requests,
        requests,
        volume_effect_usd,
        change_usd - volume_effect_usd as unit_cost_effect_usd,
        unpriced_current,
        unpriced_previous,
        case
            when unpriced_current or unpriced_previous then 'unpriced'
            when not in_previous then 'new this period'
            when not in_current then 'no use this period'
            when change_usd = 0 then 'unchanged'
            when abs(volume_effect_usd) >= abs(change_usd - volume_effect_usd) then
                case when requests >= prev_requests then 'more requests' else 'fewer requests' end
            when change_usd - volume_effect_usd > 0 then 'dearer requests'
            else 'cheaper requests'
        end as driver
    from effects

    union all

    select
        'total',
        null,
        null,
        sum(prev_cost_usd),
        sum(cost_usd),
        sum(change_usd),
        pct_of(sum(change_usd), sum(prev_cost_usd)),
        sum(prev_requests)::bigint,
        sum(requests)::bigint,
        sum(volume_effect_usd),
        sum(change_usd - volume_effect_usd),
        false,
        false,
        ''
    from effects
    having count(*) > 0
)

select
    *,
    case when row_kind = 'total' then 'Total' else app end as app_label,
    case when row_kind = 'total' then 'all models' else model end as model_label,
    case when unpriced_previous then 'unpriced' else usd(prev_cost_usd) end as prev_cost_fmt,
    case when unpriced_current then 'unpriced' else usd(cost_usd) end as cost_fmt,
    case when unpriced_current or unpriced_previous then '—' else usd_change(change_usd) end as change_fmt,
    pct_change(change_pct) as change_pct_fmt,
    num(prev_requests) as prev_requests_fmt,
    num(requests) as requests_fmt
from change_rows
order by row_kind = 'total', abs(change_usd) desc, app, model
