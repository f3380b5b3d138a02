-- Spend by the report's --by dimension (api_key, workspace, project, user, tag:NAME; also app or model), dearest
-- first, and a total row; a row without a value for it counts as '(none)'. No rows without --by.
-- Params: $start, $end (inclusive local days), $by (NULL or the dimension), $tag (the tag's name when $by is tag).
with source as (
    select
        breakdown_value($by, $tag, app, model_label, api_key, workspace, project, user_id, tags) as value,
        requests,
        all_input_tokens,
        coalesce(output_tokens, 0) as output_tokens,
        cost_usd
    from spend_rows($start, $end)
    where $by is not null
),

grouped as (
    select
        value,
        grouping(value) = 1 as is_total,
        sum(requests)::bigint as requests,
        sum(all_input_tokens)::bigint as input_tokens,
        sum(output_tokens)::bigint as output_tokens,
        sum(cost_usd) as cost_usd,
        count(*) filter (where cost_usd is null) as unpriced_rows,
        count(*) as row_count
    from source
    group by rollup (value)
),

measured as (
    select *, max(case when is_total then cost_usd end) over () as total_cost_usd
    from grouped
    where row_count > 0
)

select
    case when is_total then 'total' else 'value' end as row_kind,
    value,
    requests,
    input_tokens,
    output_tokens,
    cost_usd,
    pct_of(cost_usd, total_cost_usd) as cost_share_pct,
    money_div(cost_usd, requests) as cost_per_request_usd,
    unpriced_rows,
    case when is_total then 'Total' else value end as value_label,
    num(requests) as requests_fmt,
    num(input_tokens) as input_tokens_fmt,
    num(output_tokens) as output_tokens_fmt,
    case
        when cost_usd is null then 'unpriced'
        when unpriced_rows > 0 then usd(cost_usd) || chr(160) || '†'
        else usd(cost_usd)
    end as cost_fmt,
    pct(pct_of(cost_usd, total_cost_usd)) as cost_share_fmt,
    usd6(money_div(cost_usd, requests)) as cost_per_request_fmt
from measured
order by is_total, cost_usd desc nulls last, value
