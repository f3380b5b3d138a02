-- API-equivalent cost of subscription sources (billing = "subscription", e.g. Claude Code on a Max plan) by
-- app × model, and a total row: what the same usage would have cost on the API. Never spend (DESIGN.md §2).
-- Mirror sources are left out: they log traffic another source already logs.
-- Params: start, end (inclusive local days).
with source as (
    select *
    from priced_usage
    where day between $start and $end
      and source_billing = 'subscription'
      and source_role <> 'mirror'
      and not in_totals
),

renamed as (
    select
        app,
        coalesce(canonical_model, model, '(no model)') as model,
        billable_requests(grain, billable, request_count) as requests,
        input_tokens_all(input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens) as input_tokens,
        coalesce(cache_read_tokens, 0) as cache_read_tokens,
        coalesce(output_tokens, 0) as output_tokens,
        cost_usd
    from source
),

grouped as (
    select
        app,
        model,
        grouping(app) as is_total,
        sum(requests)::bigint as requests,
        sum(input_tokens)::bigint as input_tokens,
        sum(cache_read_tokens)::bigint as cache_read_tokens,
        sum(output_tokens)::bigint as output_tokens,
        sum(cost_usd) as cost_usd,
        count(*) filter (where cost_usd is null) as unpriced_rows,
        count(*) as row_count
    from renamed
    group by grouping sets ((app, model), ())
),

final as (
    select
        case when is_total = 1 then 'total' else 'model' end as row_kind,
        app,
        model,
        requests,
        input_tokens,
        cache_read_tokens,
        pct_of(cache_read_tokens, input_tokens) as cached_input_pct,
        output_tokens,
        cost_usd as api_equivalent_cost_usd,
        unpriced_rows,
        case when is_total = 1 then 'Total' else app end as app_label,
        case when is_total = 1 then 'all models' else model end as model_label,
        num(requests) as requests_fmt,
        num(input_tokens) as input_tokens_fmt,
        pct(pct_of(cache_read_tokens, input_tokens)) as cached_input_pct_fmt,
        num(output_tokens) as output_tokens_fmt,
        case
            when cost_usd is null then 'unpriced'
            when unpriced_rows > 0 then usd(cost_usd) || chr(160) || '†'
            else usd(cost_usd)
        end as api_equivalent_cost_fmt,
        is_total,
        sum(cost_usd) over (partition by app, is_total) as app_cost_usd
    from grouped
    where row_count > 0
)

select * exclude (is_total, app_cost_usd)
from final
order by is_total, app_cost_usd desc nulls last, app, api_equivalent_cost_usd desc nulls last, model
