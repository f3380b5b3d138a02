-- Spend by app × model (the source article's table), a subtotal per app and a total row.
-- Params: $start, $end (inclusive local days).
with source as (
    select * from spend_rows($start, $end)
),

renamed as (
    select
        app,
        model_label as model,
        requests,
        coalesce(input_tokens, 0) as uncached_input_tokens,
        coalesce(cache_write_5m_tokens, 0) + coalesce(cache_write_1h_tokens, 0) as cache_write_tokens,
        coalesce(cache_read_tokens, 0) as cache_read_tokens,
        coalesce(output_tokens, 0) as output_tokens,
        cost_usd
    from source
),

grouped as (
    select
        app,
        model,
        grouping(app) as is_all_apps,
        grouping(model) as is_all_models,
        sum(requests)::bigint as requests,
        sum(uncached_input_tokens)::bigint as uncached_input_tokens,
        sum(cache_write_tokens)::bigint as cache_write_tokens,
        sum(cache_read_tokens)::bigint as cache_read_tokens,
        sum(output_tokens)::bigint as output_tokens,
        sum(cost_usd) as cost_usd,
        count(*) filter (where cost_usd is null) as unpriced_rows,
        count(*) as row_count
    from renamed
    group by rollup (app, model)
),

measured as (
    select
        *,
        uncached_input_tokens + cache_write_tokens + cache_read_tokens as input_tokens,
        max(case when is_all_apps = 1 then cost_usd end) over () as total_cost_usd,
        max(case when is_all_models = 1 then cost_usd end) over (partition by app, is_all_apps) as app_cost_usd
    from grouped
    where row_count > 0
),

final as (
    select
        case when is_all_apps = 1 then 'total' when is_all_models = 1 then 'app_total' else 'model' end as row_kind,
        app,
        model,
        requests,
        input_tokens,
        uncached_input_tokens,
        cache_write_tokens,
        cache_read_tokens,
        pct_of(cache_read_tokens, input_tokens) as cached_input_pct,
        output_tokens,
        cost_usd,
        money_div(cost_usd, requests) as cost_per_request_usd,
        pct_of(cost_usd, total_cost_usd) as cost_share_pct,
        unpriced_rows,
        case when is_all_apps = 1 then 'Total' else app end as app_label,
        case when is_all_apps = 1 then 'all apps' when is_all_models = 1 then 'all models' else model end as model_label,
        num(requests) as requests_fmt,
        num(input_tokens) as input_tokens_fmt,
        pct(pct_of(cache_read_tokens, input_tokens)) as cached_input_pct_fmt,
        num(output_tokens) as output_tokens_fmt,
        case
            when cost_usd is null then 'unpriced'
            when unpriced_rows > 0 then usd(cost_usd) || chr(160) || '†'
            else usd(cost_usd)
        end as cost_fmt,
        usd6(money_div(cost_usd, requests)) as cost_per_request_fmt,
        pct(pct_of(cost_usd, total_cost_usd)) as cost_share_fmt,
        is_all_apps,
        is_all_models,
        app_cost_usd
    from measured
)

select * exclude (is_all_apps, is_all_models, app_cost_usd)
from final
order by
    is_all_apps,
    app_cost_usd desc nulls last,
    app,
    is_all_models,
    cost_usd desc nulls last,
    model
