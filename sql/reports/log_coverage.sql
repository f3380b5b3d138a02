-- Spend not covered by logs (DESIGN.md §2): on each (UTC day, provider) that has both counted request rows and
-- usage-bucket rows of an API-billed, non-mirror source (Admin usage/cost report, OpenAI Usage API, Console
-- exports), the total counts the requests and leaves the buckets out; this section shows bucket cost − request cost
-- and the coverage (request cost ÷ bucket cost), per provider and overall. A bucket row in the totals (no request
-- rows on its UTC day) is never part of the overlap, so nothing here is counted twice.
-- Overlap is decided per whole UTC day, and each UTC day belongs to the local day that holds its start (as a daily
-- bucket does): with timezone UTC these are the period's days; elsewhere no UTC day is split between two reports.
-- Bucket cost is the priced cost of the bucket rows; money-only exports (no tokens, so priced at 0) use the cost
-- the export states (reported_cost_usd).
-- The provider here is who bills the row (billed_by, else provider): OpenRouter's export of Claude traffic is
-- OpenRouter's, not covered by direct Anthropic logs.
-- Params: start, end (inclusive local days), tz (the timezone of the day column).
with utc_days as (
    select d::date as utc_day
    from generate_series($start::date - 1, $end::date + 1, interval 1 day) as t (d)
    where timezone($tz, timezone('UTC', d::timestamp))::date between $start and $end
),

-- the range on ts holds every row of utc_days with a day to spare either side: it only lets the scan skip the
-- lake's other months (row groups), the list decides
period as (
    select * replace (coalesce(billed_by, provider) as provider), ts::date as utc_day
    from priced_usage
    where ts >= ($start::date - 2)::timestamptz and ts < ($end::date + 3)::timestamptz
      and ts::date in (select utc_day from utc_days)
),

logged as (
    select
        utc_day,
        provider,
        coalesce(sum(cost_usd), 0)::decimal(38, 12) as request_cost_usd,
        count(*) filter (where cost_usd is null) as unpriced_request_rows
    from period
    where grain = 'request' and in_totals
    group by all
),

exported as (
    select
        utc_day,
        provider,
        coalesce(sum(cost_usd), 0)::decimal(38, 12) as priced_cost_usd,
        sum(reported_cost_usd)::decimal(38, 12) as reported_cost_usd,
        count(*) filter (where cost_usd is null) as unpriced_bucket_rows
    from period
    where grain = 'bucket' and source_role <> 'mirror' and source_billing = 'api' and not in_totals
    group by all
),

overlap as (
    select
        exported.utc_day,
        exported.provider,
        exported.priced_cost_usd = 0 and exported.reported_cost_usd is not null as uses_reported_cost,
        case
            when exported.priced_cost_usd = 0 and exported.reported_cost_usd is not null
                then exported.reported_cost_usd
            else exported.priced_cost_usd
        end as bucket_cost_usd,
        logged.request_cost_usd,
        case
            when exported.priced_cost_usd = 0 and exported.reported_cost_usd is not null then 0
            else exported.unpriced_bucket_rows
        end as unpriced_bucket_rows,
        logged.unpriced_request_rows
    from exported
    join logged
      on logged.utc_day = exported.utc_day
     and logged.provider is not distinct from exported.provider
),

grouped as (
    select
        provider,
        grouping(provider) as is_total,
        count(distinct coalesce(provider, '')) as providers,
        count(*) as provider_days,
        count(distinct utc_day) as utc_days,
        count(*) filter (where uses_reported_cost) as reported_cost_days,
        min(utc_day) as first_utc_day,
        max(utc_day) as last_utc_day,
        sum(bucket_cost_usd) as bucket_cost_usd,
        sum(request_cost_usd) as request_cost_usd,
        sum(bucket_cost_usd - request_cost_usd) as not_covered_usd,
        sum(unpriced_bucket_rows)::bigint as unpriced_bucket_rows,
        sum(unpriced_request_rows)::bigint as unpriced_request_rows
    from overlap
    group by grouping sets ((provider), ())
),

final as (
    select
        case when is_total = 1 then 'total' else 'provider' end as row_kind,
        provider,
        providers,
        provider_days,
        utc_days,
        reported_cost_days,
        first_utc_day,
        last_utc_day,
        bucket_cost_usd,
        request_cost_usd,
        not_covered_usd,
        pct_of(request_cost_usd, bucket_cost_usd) as coverage_pct,
        unpriced_bucket_rows,
        unpriced_request_rows,
        count(*) filter (where is_total = 0 and not_covered_usd < 0) over () as providers_logs_exceed,
        case
            when not_covered_usd > 0 then 'not_covered'
            when not_covered_usd < 0 then 'logs_exceed'
            else 'equal'
        end as gap_kind,
        case
            when is_total = 1 then 'All providers'
            else coalesce(provider_name(provider), '(no provider)')
        end as provider_label,
        usd(bucket_cost_usd) || case when unpriced_bucket_rows > 0 then chr(160) || '†' else '' end
            as bucket_cost_fmt,
        usd(request_cost_usd) || case when unpriced_request_rows > 0 then chr(160) || '†' else '' end
            as request_cost_fmt,
        usd(not_covered_usd) as not_covered_fmt,
        usd(abs(not_covered_usd)) as gap_fmt,
        pct(pct_of(request_cost_usd, bucket_cost_usd)) as coverage_pct_fmt,
        case
            when utc_days = 1 then 'on 1 UTC day (' || strftime(first_utc_day, '%Y-%m-%d') || ')'
            else 'on ' || num(utc_days) || ' UTC days from ' || strftime(first_utc_day, '%Y-%m-%d')
                 || ' to ' || strftime(last_utc_day, '%Y-%m-%d')
        end as utc_days_fmt,
        is_total
    from grouped
    where provider_days > 0
)

select * exclude (is_total)
from final
order by is_total, bucket_cost_usd desc, provider_label
