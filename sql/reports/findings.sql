-- Findings: the source article's tips computed from the period's data, each only where the data supports it, with
-- its evidence and an estimated saving per 30 days (the period's saving × 30 / its days with data — a day before
-- every source's first data or after its last is no day of spending — through money_div). Each
-- finding is a macro of sql/reports/_findings.sql, which says what it looks for and how its saving is estimated:
-- caching loses money, output length, routing, caching not used, batch, long context (savings); near long context
-- and spend spike (for attention, no saving).
-- A finding with a saving is shown when its saving per 30 days is at least $min_saving_usd; one for attention
-- always.
-- Params: $start, $end, $min_sample, $min_saving_usd, $routing_max_output_tokens, $batch_candidates,
-- $long_context_margin, $trailing_days, $spike_ratio, $spike_floor_usd.
with findings as (
    select * from cache_loss_findings($start, $end)
    union all
    select * from output_length_findings($start, $end, $min_sample)
    union all
    select * from routing_findings($start, $end, $min_sample, $routing_max_output_tokens)
    union all
    select * from missing_cache_findings($start, $end, $min_sample)
    union all
    select * from batch_findings($start, $end, $batch_candidates)
    union all
    select * from long_context_findings($start, $end)
    union all
    select * from near_long_context_findings($start, $end, $long_context_margin)
    union all
    select * from spike_findings($start, $end, $trailing_days, $spike_ratio, $spike_floor_usd)
),

days_with_data as (
    select count(*) filter (where has_data) as n from covered_days($start, $end)
),

scaled as (
    select
        findings.*,
        money_div((saving_usd * 30)::decimal(38, 12), days_with_data.n) as monthly_saving_usd
    from findings, days_with_data
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
where saving_usd is null or monthly_saving_usd >= $min_saving_usd::decimal(18, 6)
order by monthly_saving_usd desc nulls last, finding, app, model, evidence
