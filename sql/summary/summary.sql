-- `spendlog summary`: spend per local day, local month, app or model, optionally broken down within each by a
-- second dimension, and a total row. Only keys with spend rows appear (no $0 rows are made up).
-- Params: $grain (daily, monthly, app, model); $by (NULL, app, model, api_key, workspace, project, user or tag) and $tag
-- (the tag's name when $by is tag); $since, $until (inclusive local days, NULL for an open end).
-- Spend is read through spend_rows (sql/reports/_macros.sql), as the report sections read it.
with source as (
    select * from spend_rows($since, $until)
),

keyed as (
    select
        case $grain
            when 'daily' then strftime(day, '%Y-%m-%d')
            when 'monthly' then strftime(month, '%Y-%m')
            when 'app' then app
            when 'model' then model_label
        end as label,
        case
            when $by is not null
                then breakdown_value($by, $tag, app, model_label, api_key, workspace, project, user_id, tags)
        end as breakdown,
        requests,
        all_input_tokens,
        coalesce(output_tokens, 0) as output_tokens,
        coalesce(cache_read_tokens, 0) as cache_read_tokens,
        cost_usd
    from source
),

grouped as (
    select
        label,
        breakdown,
        grouping(label) = 1 as is_total,
        grouping(breakdown) = 1 as is_group,
        coalesce(sum(requests), 0)::bigint as requests,
        coalesce(sum(all_input_tokens), 0)::bigint as input_tokens,
        coalesce(sum(output_tokens), 0)::bigint as output_tokens,
        coalesce(sum(cache_read_tokens), 0)::bigint as cache_read_tokens,
        case when count(*) = 0 then 0 else sum(cost_usd) end::decimal(38, 12) as cost_usd,  -- NULL: all unpriced
        count(*) filter (where cost_usd is null) as unpriced_rows,
        count(*) as row_count
    from keyed
    group by rollup (label, breakdown)
),

ranked as (
    select
        *,
        max(case when is_group then cost_usd end) over (partition by is_total, label) as group_cost_usd
    from grouped
    where is_group or $by is not null
)

select
    case when is_total then 'total' when is_group then 'group' else 'breakdown' end as row_kind,
    label,
    breakdown,
    requests,
    input_tokens,
    output_tokens,
    cache_read_tokens,
    cost_usd,
    unpriced_rows,
    row_count,
    num(requests) as requests_fmt,
    num(input_tokens) as input_tokens_fmt,
    num(output_tokens) as output_tokens_fmt,
    num(cache_read_tokens) as cache_read_tokens_fmt,
    case
        when cost_usd is null then 'unpriced'
        when unpriced_rows > 0 then usd(cost_usd) || ' †'
        else usd(cost_usd)
    end as cost_fmt
from ranked
order by
    is_total,
    case when $grain in ('app', 'model') then group_cost_usd end desc nulls last,
    label,
    is_group desc,
    cost_usd desc nulls last,
    breakdown
