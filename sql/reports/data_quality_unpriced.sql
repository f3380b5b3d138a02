-- Rows of the period without a price (cost_usd is NULL), by provider, model and flags: listed, never hidden.
-- Reads priced_usage, so rows outside the totals (mirror, subscription) are listed too, and counted apart.
-- Params: $start, $end (inclusive local days).
with source as (
    select * from priced_usage where day between $start and $end and cost_usd is null
),

renamed as (
    select
        coalesce(provider, '') as provider,
        model,
        canonical_model,
        coalesce(array_to_string(list_sort(price_flags), ', '), '') as flags,
        in_totals,
        billable_requests(grain, billable, request_count) as requests,
        input_tokens_all(input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens) as input_tokens,
        coalesce(output_tokens, 0) as output_tokens,
        app,
        day
    from source
),

grouped as (
    select
        provider,
        model,
        canonical_model,
        flags,
        count(*) as rows,
        count(*) filter (where in_totals) as rows_in_totals,
        sum(requests)::bigint as requests,
        sum(input_tokens)::bigint as input_tokens,
        sum(output_tokens)::bigint as output_tokens,
        string_agg(distinct app, ', ' order by app) as apps,
        min(day) as first_day,
        max(day) as last_day
    from renamed
    group by all
)

select
    *,
    coalesce(canonical_model, '—') as canonical_model_fmt,
    case when flags = '' then '—' else flags end as flags_fmt,
    num(rows) as rows_fmt,
    num(rows_in_totals) as rows_in_totals_fmt,
    num(requests) as requests_fmt,
    num(input_tokens) as input_tokens_fmt,
    num(output_tokens) as output_tokens_fmt,
    case when first_day = last_day then strftime(first_day, '%Y-%m-%d')
         else strftime(first_day, '%Y-%m-%d') || ' – ' || strftime(last_day, '%Y-%m-%d') end as days_fmt
from grouped
order by rows desc, provider, model, flags
