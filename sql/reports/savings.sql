-- What prompt caching and the Batch API saved, by app, against their counterfactuals, and a total row.
-- Only priced rows count (a row without a cost has no counterfactual either).
-- Params: $start, $end (inclusive local days).
with source as (
    select * from spend where day between $start and $end and cost_usd is not null
),

renamed as (
    select
        app,
        cost_usd,
        coalesce(cost_without_cache_usd, cost_usd) as cost_without_cache_usd,
        coalesce(cost_without_batch_usd, cost_usd) as cost_without_batch_usd
    from source
),

grouped as (
    select
        app,
        grouping(app) as is_total,
        sum(cost_usd) as cost_usd,
        sum(cost_without_cache_usd) as cost_without_cache_usd,
        sum(cost_without_cache_usd - cost_usd) as cache_saved_usd,
        sum(cost_without_batch_usd) as cost_without_batch_usd,
        sum(cost_without_batch_usd - cost_usd) as batch_saved_usd,
        count(*) as row_count
    from renamed
    group by rollup (app)
)

select
    case when is_total = 1 then 'total' else 'app' end as row_kind,
    app,
    cost_usd,
    cost_without_cache_usd,
    cache_saved_usd,
    pct_of(cache_saved_usd, cost_without_cache_usd) as cache_saved_pct,
    cost_without_batch_usd,
    batch_saved_usd,
    pct_of(batch_saved_usd, cost_without_batch_usd) as batch_saved_pct,
    case when is_total = 1 then 'Total' else app end as app_label,
    usd(cost_usd) as cost_fmt,
    usd(cost_without_cache_usd) as cost_without_cache_fmt,
    usd(cache_saved_usd) as cache_saved_fmt,
    pct(pct_of(cache_saved_usd, cost_without_cache_usd)) as cache_saved_pct_fmt,
    usd(cost_without_batch_usd) as cost_without_batch_fmt,
    usd(batch_saved_usd) as batch_saved_fmt,
    pct(pct_of(batch_saved_usd, cost_without_batch_usd)) as batch_saved_pct_fmt
from grouped
where row_count > 0
order by is_total, cache_saved_usd + batch_saved_usd desc, app
