-- The figures of whole local months that a mail records and compares: total spend and a fingerprint of the spend
-- rows (what each row is and costs, not which file it came from), so a report revised after it was sent is noticed.
-- Params: $months (the months' first days).
with months as (
    select distinct unnest($months::date[]) as month
),

source as (
    select * from spend where month in (select month from months)
),

hashed as (
    select
        month,
        cost_usd,
        md5((
            day, app, provider, billed_by, canonical_model, model, request_id, ts, grain, request_count, billable,
            batch, input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, output_tokens,
            web_search_requests, price_id, cost_usd
        )::varchar) as row_md5
    from source
),

per_month as (
    select
        month,
        count(*) as spend_rows,
        sum(cost_usd) as total_cost_usd,
        md5(string_agg(row_md5, ',' order by row_md5)) as fingerprint
    from hashed
    group by month
)

select
    months.month,
    coalesce(per_month.spend_rows, 0) as spend_rows,
    coalesce(per_month.total_cost_usd, 0)::decimal(38, 12) as total_cost_usd,
    coalesce(per_month.fingerprint, md5('')) as fingerprint,
    case when per_month.spend_rows is null then 'no data' else usd(per_month.total_cost_usd) end as total_cost_fmt
from months
left join per_month on per_month.month = months.month
order by months.month
