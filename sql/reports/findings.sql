-- Findings: the source article's tips computed from the period's data, each only where the data supports it, with
-- its evidence and an estimated saving per 30 days (the period's saving × 30 / its days, through money_div).
--   caching loses money: an app whose cache return over the period is negative. Cache return =
--     Σ reads·(input − read rate) − Σ 5m writes·(5m − input rate) − Σ 1h writes·(1h − input rate)
--     = Σ (cost_without_cache_usd − cost_usd): what caching saved against plain input, cache writes included.
--     Saving: the loss (stop caching there, or reuse the cached prefix more).
--   output length: an app × model with at least $min_sample priced requests whose longest outputs run far past the
--     rest (max output over twice the 95th percentile). Suggested max_tokens: the 95th percentile rounded up to a
--     multiple of 256. Saving: the output cost past that cap (those requests would be cut short: the evidence says
--     how many).
-- A finding is shown when its saving per 30 days is at least $min_saving_usd.
-- Params: $start, $end, $min_sample, $min_saving_usd.
with period as (
    select * from spend_rows($start, $end)
),

days as (
    select (date_diff('day', $start::date, $end::date) + 1)::integer as n
),

cache_by_app as (
    select
        app,
        coalesce(sum(cache_write_5m_tokens), 0) + coalesce(sum(cache_write_1h_tokens), 0) as written_tokens,
        coalesce(sum(cache_read_tokens), 0) as read_tokens,
        sum(cost_without_cache_usd - cost_usd)::decimal(38, 12) as cache_return_usd
    from period
    where cost_usd is not null
    group by app
    having written_tokens + read_tokens > 0
),

cache_findings as (
    select
        'caching loses money' as finding,
        app,
        null::varchar as model,
        format('{} cache tokens written, {} read: cache return {} over the period', num(written_tokens),
               num(read_tokens), usd_change(cache_return_usd)) as evidence,
        (-cache_return_usd)::decimal(38, 12) as saving_usd
    from cache_by_app
    where cache_return_usd < 0
),

outputs as (
    select
        app,
        model_label as model,
        count(*) as requests,
        quantile_cont(output_tokens, 0.5) as p50,
        quantile_cont(output_tokens, 0.95) as p95,
        max(output_tokens) as longest
    from period
    where grain = 'request' and billable and cost_usd is not null and output_tokens is not null
    group by all
    having count(*) >= $min_sample::integer
),

capped as (
    select
        outputs.*,
        (ceil(p95 / 256) * 256)::bigint as suggested_max_tokens
    from outputs
    where longest > 2 * p95
),

past_cap as (
    select
        capped.app,
        capped.model,
        count(period.output_tokens) as cut_short,
        coalesce(sum(money_div((period.output_cost_usd * (period.output_tokens - capped.suggested_max_tokens))
                                   ::decimal(38, 12), period.output_tokens)), 0)::decimal(38, 12) as saving_usd
    from capped
    left join period
      on period.app is not distinct from capped.app and period.model_label = capped.model
     and period.grain = 'request' and period.billable and period.cost_usd is not null
     and period.output_tokens > capped.suggested_max_tokens
    group by capped.app, capped.model
),

output_findings as (
    select
        'output length' as finding,
        capped.app,
        capped.model,
        format('{} requests: output p50 {}, p95 {}, max {} tokens; a max_tokens of {} would cut {} of them short',
               num(capped.requests), num(round(capped.p50)::bigint), num(round(capped.p95)::bigint),
               num(capped.longest), num(capped.suggested_max_tokens), num(past_cap.cut_short)) as evidence,
        past_cap.saving_usd
    from capped
    join past_cap on past_cap.app is not distinct from capped.app and past_cap.model = capped.model
),

findings as (
    select * from cache_findings
    union all
    select * from output_findings
),

scaled as (
    select
        findings.*,
        money_div((saving_usd * 30)::decimal(38, 12), (select n from days)) as monthly_saving_usd
    from findings
)

select
    finding,
    app,
    model,
    evidence,
    saving_usd,
    monthly_saving_usd,
    usd(monthly_saving_usd) as monthly_saving_fmt,
    coalesce(app, 'unattributed') as app_label,
    coalesce(model, 'all models') as model_label
from scaled
where monthly_saving_usd >= $min_saving_usd::decimal(18, 6)
order by monthly_saving_usd desc, finding, app, model
