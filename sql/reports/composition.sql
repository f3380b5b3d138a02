-- What the period's spend is made of: uncached input, cache writes, cache reads, output and tool fees (web search),
-- each with its tokens (or requests) and share of the catalogue-priced total: the components are the catalogue's
-- (of a stated row too: cost_basis 'stated'), so they add up to the catalogue's price of the priced rows, and the
-- shares are of that. Money the source states has no components: a bucket that states only its money is left out
-- (its cost is in the totals), and stated_cost_fmt says how much of the total is stated. Params: $start, $end.
with period as (
    select * from spend_rows($start, $end) where cost_usd is not null
),

components as (
    select 1 as position, 'uncached input' as component, sum(input_tokens)::bigint as quantity, 'tokens' as unit,
           sum(input_cost_usd) as cost_usd
    from period
    union all
    select 2, 'cache writes', sum(coalesce(cache_write_5m_tokens, 0) + coalesce(cache_write_1h_tokens, 0))::bigint,
           'tokens', sum(cache_write_cost_usd)
    from period
    union all
    select 3, 'cache reads', sum(cache_read_tokens)::bigint, 'tokens', sum(cache_read_cost_usd)
    from period
    union all
    select 4, 'output', sum(output_tokens)::bigint, 'tokens', sum(output_cost_usd)
    from period
    union all
    select 5, 'tool fees', sum(web_search_requests)::bigint, 'web searches', sum(tool_cost_usd)
    from period
),

totals as (
    select sum(cost_usd) as total_usd,
           (select sum(cost_usd) filter (where cost_basis = 'stated') from period) as stated_usd
    from components
)

select
    position,
    component,
    coalesce(quantity, 0) as quantity,
    unit,
    coalesce(cost_usd, 0)::decimal(38, 12) as cost_usd,
    num(coalesce(quantity, 0)) || ' ' || unit as quantity_fmt,
    usd(coalesce(cost_usd, 0)) as cost_fmt,
    pct(pct_of(coalesce(cost_usd, 0), totals.total_usd)) as share_fmt,
    usd(totals.total_usd) as catalogue_total_fmt,
    case when totals.stated_usd > 0 then usd(totals.stated_usd) end as stated_cost_fmt
from components, totals
where totals.total_usd > 0
order by position
