-- `spendlog apps`, first table: how apps were attributed. One row per (rule, app), in rule order: the record's
-- own app, each [[sources]] entry with an app, each [[attribution]] rule, then unattributed. A configured rule
-- that attributed nothing is listed with 0 requests. Requests and cost count rows in totals (spend); rows outside
-- totals (mirror and subscription sources, usage buckets covered by request logs) are shown apart, with why.
-- Inputs: priced_usage, config_sources and attribution_rules (pipeline/priced.bind_config), the display macros.
-- Param: month (the first day of a local month, or NULL for all time).
with source as (
    select * from priced_usage where $month::date is null or month = $month::date
),

rules as (
    select 0 as rule_group, 0 as rule_idx, 'the record (or ingest --app)' as app_rule, null::varchar as app
    union all
    select 1, idx, rule, app from config_sources where app is not null
    union all
    select 2, idx, rule, app from attribution_rules
    union all
    select 3, 0, 'unattributed', 'unattributed'
),

renamed as (
    select
        app_rule,
        app,
        in_totals,
        billable_requests(grain, billable, request_count) as requests,
        cost_usd,
        case
            when in_totals then null
            when source_role = 'mirror' then 'mirror source'
            when source_billing = 'subscription' then 'subscription, API-equivalent'
            else 'usage buckets covered by request logs'
        end as outside_reason,
        case
            when in_totals then 0
            when source_role = 'mirror' then 1
            when source_billing = 'subscription' then 2
            else 3
        end as outside_order
    from source
),

outside as (
    select
        app_rule,
        app,
        outside_reason,
        any_value(outside_order) as outside_order,
        sum(requests)::bigint as requests,
        sum(cost_usd) as cost_usd,
        count(*) filter (where cost_usd is null) as unpriced_rows
    from renamed
    where not in_totals
    group by all
),

outside_text as (
    select
        app_rule,
        app,
        sum(requests)::bigint as outside_requests,
        sum(cost_usd) as outside_cost_usd,
        string_agg(
            case when requests = 0 then '' else num(requests) || if(requests = 1, ' request, ', ' requests, ') end
                || usd(cost_usd)
                || case when unpriced_rows > 0 then ' + ' || num(unpriced_rows) || ' unpriced' else '' end
                || ' (' || outside_reason || ')',
            '; ' order by outside_order
        ) as not_in_totals
    from outside
    group by all
),

grouped as (
    select
        app_rule,
        app,
        count(*) as row_count,
        coalesce(sum(requests) filter (where in_totals), 0)::bigint as requests,
        coalesce(sum(cost_usd) filter (where in_totals), 0)::decimal(38, 12) as cost_usd,
        count(*) filter (where in_totals and cost_usd is null) as unpriced_rows
    from renamed
    group by all
),

listed as (
    select
        coalesce(r.rule_group, 4) as rule_group,
        coalesce(r.rule_idx, 0) as rule_idx,
        coalesce(g.app_rule, r.app_rule) as app_rule,
        coalesce(g.app, r.app) as app,
        coalesce(g.row_count, 0) as row_count,
        coalesce(g.requests, 0) as requests,
        coalesce(g.cost_usd, 0)::decimal(38, 12) as cost_usd,
        coalesce(g.unpriced_rows, 0) as unpriced_rows
    from grouped g
    full join rules r
      on r.app_rule = g.app_rule
     and (r.rule_group = 0 or r.app = g.app)
    where g.app_rule is not null or r.rule_group <> 0
)

select
    l.app_rule as rule,
    l.app,
    l.row_count,
    l.requests,
    l.cost_usd,
    l.unpriced_rows,
    coalesce(o.outside_requests, 0) as not_in_totals_requests,
    coalesce(o.outside_cost_usd, 0)::decimal(38, 12) as not_in_totals_cost_usd,
    num(l.requests) as requests_fmt,
    usd(l.cost_usd) || case when l.unpriced_rows > 0 then ' + ' || num(l.unpriced_rows) || ' unpriced' else '' end
        as cost_fmt,
    coalesce(o.not_in_totals, '') as not_in_totals_fmt
from listed l
left join outside_text o on o.app_rule = l.app_rule and o.app = l.app
order by l.rule_group, l.rule_idx, l.cost_usd desc, l.requests desc, l.app
