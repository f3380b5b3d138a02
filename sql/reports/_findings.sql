-- The findings of sql/reports/findings.sql, one table macro each over the spend rows of the local days since to
-- until (both inclusive): finding, app, model (NULL: all models), evidence and saving_usd, the period's saving
-- (NULL for a finding that is for attention only). A what-if saving prices the changed rows again with
-- sql/model/pricing.sql itself (the macro repriced), so tiers, batch, geo and contracts count as they do in spend.
-- Temporary macros, like sql/reports/_macros.sql (which they use); run_section (pipeline/reports.py) creates them
-- before it runs findings.sql.

-- The rows of the relation named by rows (spend rows, changed for a what-if) priced again against the price rows
-- of the relation named by catalog, in the groups that price alike (pricing_groups, sql/prices/price_as.sql) of
-- the columns named by keys: their requests, their recorded catalogue price as recorded_cost_usd
-- (catalogue_cost_usd: for a stated row the catalogue's price, never the money the source states, so a what-if
-- compares like with like) and the new one as cost_usd, summed by group.
create or replace temp macro repriced(rows, catalog, keys) as table
with wanted as (
    select columns(lambda c: list_contains(keys || [
               'requests', 'ts', 'provider', 'billed_by', 'model', 'billable', 'usage_missing', 'grain',
               'context_window', 'input_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens', 'cache_read_tokens',
               'output_tokens', 'web_search_requests', 'batch', 'service_tier', 'speed', 'inference_geo'], c)),
           catalogue_cost_usd as recorded_cost_usd
    from query_table(rows)
),

unpriced as (
    select * from pricing_groups('wanted')
)

select columns(lambda c: not starts_with(c, '_')) from pricing_steps('unpriced', catalog);

-- caching loses money: an app whose cache return over the period is negative. Cache return =
--   Σ reads·(input − read rate) − Σ 5m writes·(5m − input rate) − Σ 1h writes·(1h − input rate)
--   = Σ (cost_without_cache_usd − cost_usd): what caching saved against plain input, cache writes included.
--   Saving: the loss (stop caching there, or reuse the cached prefix more).
create or replace temp macro cache_loss_findings(since, until) as table
with cache_by_app as (
    select
        app,
        coalesce(sum(cache_write_5m_tokens), 0) + coalesce(sum(cache_write_1h_tokens), 0) as written_tokens,
        coalesce(sum(cache_read_tokens), 0) as read_tokens,
        sum(cost_without_cache_usd - cost_usd)::decimal(38, 12) as cache_return_usd
    from spend_rows(since, until)
    where cost_usd is not null
    group by app
    having written_tokens + read_tokens > 0
)
select
    'caching loses money' as finding,
    app,
    null::varchar as model,
    format('{} cache tokens written, {} read: cache return {} over the period', num(written_tokens),
           num(read_tokens), usd_change(cache_return_usd)) as evidence,
    (-cache_return_usd)::decimal(38, 12) as saving_usd
from cache_by_app
where cache_return_usd < 0;

-- output length: an app × model with at least min_sample priced requests whose longest outputs run far past the
--   rest (max output over twice the 95th percentile). Suggested max_tokens: the 95th percentile rounded up to a
--   multiple of 256. Saving: the output cost past that cap (those requests would be cut short: the evidence says
--   how many).
create or replace temp macro output_length_findings(since, until, min_sample) as table
with answered as (
    select *
    from spend_rows(since, until)
    where grain = 'request' and billable and cost_usd is not null and output_tokens is not null
),

capped as (
    select
        app,
        model_label,
        count(*) as requests,
        quantile_cont(output_tokens, 0.5) as p50,
        quantile_cont(output_tokens, 0.95) as p95,
        max(output_tokens) as longest,
        (ceil(quantile_cont(output_tokens, 0.95) / 256) * 256)::bigint as suggested_max_tokens
    from answered
    group by app, model_label
    having count(*) >= min_sample::integer and max(output_tokens) > 2 * quantile_cont(output_tokens, 0.95)
),

past_cap as (
    select
        capped.app,
        capped.model_label,
        count(*) as cut_short,
        sum(money_div((answered.output_cost_usd * (answered.output_tokens - capped.suggested_max_tokens))
                          ::decimal(38, 12), answered.output_tokens))::decimal(38, 12) as saving_usd
    from capped
    join answered
      on answered.app is not distinct from capped.app and answered.model_label = capped.model_label
     and answered.output_tokens > capped.suggested_max_tokens
    group by capped.app, capped.model_label
)

select
    'output length' as finding,
    capped.app,
    capped.model_label as model,
    format('{} requests: output p50 {}, p95 {}, max {} tokens; a max_tokens of {} would cut {} of them short',
           num(capped.requests), num(round(capped.p50)::bigint), num(round(capped.p95)::bigint),
           num(capped.longest), num(capped.suggested_max_tokens), num(past_cap.cut_short)) as evidence,
    past_cap.saving_usd
from capped
join past_cap on past_cap.app is not distinct from capped.app and past_cap.model_label = capped.model_label;

-- routing: an app × model with at least min_sample priced requests whose answers are short (95th-percentile
--   output at most max_output tokens: classification-like) on a model dearer than another model of the same
--   provider in use in the period. Target: of those models, the one the same requests would cost least on (each
--   candidate must price every one of them at its date). Saving: their cost − their cost on the target.
create or replace temp macro routing_findings(since, until, min_sample, max_output) as table
with answered as (
    select *
    from spend_rows(since, until)
    where grain = 'request' and billable and catalogue_cost_usd is not null and output_tokens is not null
),

short_answers as (
    select app, provider, model_label, count(*) as requests, quantile_cont(output_tokens, 0.95) as p95,
           sum(catalogue_cost_usd) as cost_usd
    from answered
    group by app, provider, model_label
    having count(*) >= min_sample::integer and quantile_cont(output_tokens, 0.95) <= max_output::integer
),

models_in_use as (
    select distinct provider, canonical_model as target
    from spend_rows(since, until)
    where canonical_model is not null
),

on_target as (
    select answered.* replace (models_in_use.target as model), models_in_use.target,
           short_answers.requests as sample_requests, short_answers.p95
    from short_answers
    join answered on answered.app is not distinct from short_answers.app
                 and answered.provider = short_answers.provider and answered.model_label = short_answers.model_label
    join models_in_use on models_in_use.provider = short_answers.provider
                      and models_in_use.target <> short_answers.model_label
),

targets as (
    select app, provider, model_label, target, any_value(sample_requests) as requests, any_value(p95) as p95,
           sum(recorded_cost_usd) as cost_usd, sum(cost_usd) as cost_as_usd
    from repriced('on_target', 'price_catalog', ['app', 'model_label', 'target', 'sample_requests', 'p95'])
    group by app, provider, model_label, target
    having count(cost_usd) = count(*)
    qualify row_number() over (partition by app, provider, model_label order by sum(cost_usd), target) = 1
)

select
    'routing' as finding,
    app,
    model_label as model,
    format('{} requests, output p95 {} tokens (at most {}: classification-like); on {}, the cheapest {} model '
           || 'in use in the period, they would cost {} instead of {} (check its answers first)',
           num(requests), num(round(p95)::bigint), num(max_output::integer), target, provider_name(provider),
           usd(cost_as_usd), usd(cost_usd)) as evidence,
    (cost_usd - cost_as_usd)::decimal(38, 12) as saving_usd
from targets
where cost_as_usd < cost_usd;

-- The smallest prompt an Anthropic model caches (prompt-caching doc, March 2026: reference/pricing.md); 1,024 for
-- the models it does not list (the lowest minimum).
create or replace temp macro min_cacheable_tokens(model) as
    case
        when model in ('claude-opus-4-6', 'claude-opus-4-5', 'claude-haiku-4-5') then 4096
        when model in ('claude-sonnet-4-6', 'claude-3-5-haiku', 'claude-3-haiku') then 2048
        else 1024
    end;

-- caching not used: an Anthropic app × model (elsewhere caching is automatic: no reads there means no shared
--   prefix) with at least min_sample priced non-batch requests, none reading or writing the cache, whose inputs
--   are large: the 5th percentile (P, an observed input) at least the model's minimum cacheable prompt. The logs
--   hold no prompt text, so the estimate assumes that the first P tokens of every request of at least P tokens
--   are one shared prompt, in a 5-minute cache: read by a request within 5 minutes of the one before (in the
--   app × model), written by the others. Saving: those requests' cost − their cost with P tokens read or written.
create or replace temp macro missing_cache_findings(since, until, min_sample) as table
with prompts as (
    select *
    from spend_rows(since, until)
    where provider = 'anthropic' and grain = 'request' and billable and not coalesce(batch, false)
      and catalogue_cost_usd is not null
),

uncached as (
    select app, model_label, count(*) as requests,
           quantile_disc(all_input_tokens, 0.05) as prefix_tokens
    from prompts
    group by app, model_label
    having count(*) >= min_sample::integer
       and sum(coalesce(cache_read_tokens, 0) + coalesce(cache_write_5m_tokens, 0)
               + coalesce(cache_write_1h_tokens, 0)) = 0
       and quantile_disc(all_input_tokens, 0.05) >= min_cacheable_tokens(model_label)
),

sequenced as (
    select prompts.*, uncached.prefix_tokens, uncached.requests as sample_requests,
           coalesce(prompts.ts - lag(prompts.ts) over (partition by prompts.app, prompts.model_label
                                                       order by prompts.ts, prompts.request_id)
                    <= interval 5 minutes, false) as reads_cache
    from uncached
    join prompts on prompts.app is not distinct from uncached.app and prompts.model_label = uncached.model_label
                and prompts.input_tokens >= uncached.prefix_tokens
),

cached as (
    select * replace (
        input_tokens - prefix_tokens as input_tokens,
        case when reads_cache then prefix_tokens else 0 end as cache_read_tokens,
        case when reads_cache then 0 else prefix_tokens end as cache_write_5m_tokens
    )
    from sequenced
),

estimated as (
    select app, model_label, any_value(sample_requests) as requests, any_value(prefix_tokens) as prefix_tokens,
           sum(requests) filter (where reads_cache) as reads, sum(requests) filter (where not reads_cache) as writes,
           sum(recorded_cost_usd) as cost_usd, sum(cost_usd) as cost_cached_usd
    from repriced('cached', 'price_catalog', ['app', 'model_label', 'sample_requests', 'prefix_tokens', 'reads_cache'])
    group by app, model_label
)

select
    'caching not used' as finding,
    app,
    model_label as model,
    format('{} requests, no cache reads or writes; 95% of inputs are at least {} tokens (the model caches from {}). '
           || 'If their first {} tokens are one shared prompt, a 5-minute cache would be read by {} requests (within '
           || '5 minutes of the one before) and written by {}: {} instead of {} (an estimate: the logs hold no '
           || 'prompt text)',
           num(requests), num(prefix_tokens), num(min_cacheable_tokens(model_label)), num(prefix_tokens),
           num(reads), num(writes), usd(cost_cached_usd), usd(cost_usd)) as evidence,
    (cost_usd - cost_cached_usd)::decimal(38, 12) as saving_usd
from estimated
where cost_cached_usd < cost_usd;

-- batch: an app that needs no answer within seconds — listed in candidates ([findings] batch_candidates) or
--   sending some requests by the Batch API at any time in the data — with priced requests not by batch (fast mode
--   has no batch). Saving: their cost − their cost by batch (token charges × the batch multiplier, 0.5; tool fees
--   unchanged).
create or replace temp macro batch_findings(since, until, candidates) as table
with batch_users as (
    select app, sum(requests) as batch_requests
    from spend_rows(null, null)
    where batch
    group by app
),

interactive as (
    select period.*, batch_users.batch_requests
    from spend_rows(since, until) as period
    left join batch_users on batch_users.app is not distinct from period.app
    where not coalesce(period.batch, false) and coalesce(lower(period.speed), '') <> 'fast'
      and period.catalogue_cost_usd is not null and period.requests > 0
      and (batch_users.app is not null or list_contains(candidates::varchar[], period.app))
),

by_batch as (
    select * replace (true as batch, null::varchar as service_tier) from interactive
),

estimated as (
    select app, any_value(batch_requests) as batch_requests, sum(requests) as requests,
           sum(recorded_cost_usd) as cost_usd, sum(cost_usd) as cost_batch_usd
    from repriced('by_batch', 'price_catalog', ['app', 'batch_requests'])
    group by app
    having count(cost_usd) = count(*)
)

select
    'batch' as finding,
    app,
    null::varchar as model,
    format('{} requests not by the Batch API, from an app {}; by batch (if its answers can wait: results come '
           || 'within 24 hours) their token charges would halve: {} instead of {}',
           num(requests),
           case when batch_requests is null then 'listed in [findings] batch_candidates'
                else format('already using it (batch requests so far: {})', num(batch_requests)) end,
           usd(cost_batch_usd), usd(cost_usd)) as evidence,
    (cost_usd - cost_batch_usd)::decimal(38, 12) as saving_usd
from estimated
where cost_batch_usd < cost_usd;

-- long context: priced rows on a long-context tier (input over the model's threshold at the time: every token at
--   the long-context rates). Saving: the premium, their cost − their cost at the standard tier's rates; the
--   evidence says when the catalogue's rates for the model drop the tier.
create or replace temp macro long_context_findings(since, until) as table
with long_rows as (
    select period.*, price_catalog.lc_threshold, price_catalog.provider as price_provider,
           price_catalog.effective_from as price_from,
           max(period.all_input_tokens) filter (where period.grain = 'request')
               over (partition by period.app, period.model_label) as largest_input
    from spend_rows(since, until) as period
    join price_catalog using (price_id)
    where period.price_tier = 'long_context' and period.catalogue_cost_usd is not null
),

standard_tier_catalog as (
    select * replace (null::bigint as lc_threshold) from price_catalog
),

tier_ends as (
    select long_prices.model_label, min(later.effective_from) as tier_ends
    from (select distinct price_provider, model_label, price_from from long_rows) as long_prices
    join price_catalog as later
      on later.provider = long_prices.price_provider and later.model = long_prices.model_label
     and later.effective_from > long_prices.price_from and later.lc_threshold is null
    group by long_prices.model_label
),

premiums as (
    select app, model_label, min(lc_threshold) as lc_threshold, sum(requests) as requests,
           any_value(largest_input) as largest_input, sum(recorded_cost_usd) as cost_usd,
           sum(cost_usd) as cost_standard_usd
    from repriced('long_rows', 'standard_tier_catalog', ['app', 'model_label', 'lc_threshold', 'largest_input'])
    group by app, model_label
)

select
    'long context' as finding,
    app,
    model_label as model,
    format('{} requests over the {}-token long-context threshold (largest input {}) paid long-context rates on all '
           || 'their tokens: {} instead of {} at the standard rates{}',
           num(requests), num(lc_threshold), num(largest_input), usd(cost_usd), usd(cost_standard_usd),
           case when tier_ends is not null
                then format('; the catalogue drops the tier from {}', strftime(tier_ends, '%Y-%m-%d')) else '' end)
        as evidence,
    (cost_usd - cost_standard_usd)::decimal(38, 12) as saving_usd
from premiums
left join tier_ends using (model_label)
where cost_standard_usd < cost_usd;

-- near long context: requests on the standard tier of a price row with a long-context threshold whose input lies
--   within margin (a share) below it: a little more context puts every token at the long-context rates. For
--   attention: no saving.
create or replace temp macro near_long_context_findings(since, until, margin) as table
select
    'near long context' as finding,
    period.app,
    period.model_label as model,
    format('{} requests within {} below the {}-token long-context threshold (largest input {}): a request over it '
           || 'pays long-context rates on all its tokens', num(count(*)), pct(margin::double * 100),
           num(price_catalog.lc_threshold), num(max(period.all_input_tokens))) as evidence,
    null::decimal(38, 12) as saving_usd
from spend_rows(since, until) as period
join price_catalog using (price_id)
where period.grain = 'request' and period.price_tier = 'standard' and price_catalog.lc_threshold is not null
  and period.all_input_tokens <= price_catalog.lc_threshold
  and period.all_input_tokens > price_catalog.lc_threshold * (1 - margin::double)
group by period.app, period.model_label, price_catalog.lc_threshold;

-- spend spike: a day of the period on which an app's spend spiked against its trailing average ([alerts], the
--   macro trailing_spend). For attention: no saving.
create or replace temp macro spike_findings(since, until, trailing_days, spike_ratio, spike_floor_usd) as table
select
    'spend spike' as finding,
    app,
    null::varchar as model,
    format('{}: {} spent, {:.1f}× its average of {} over the {} days before it with data', strftime(day, '%Y-%m-%d'),
           usd(day_cost_usd), day_cost_usd::double / average_usd::double, usd(average_usd),
           num(trailing_days_with_data)) as evidence,
    null::decimal(38, 12) as saving_usd
from trailing_spend(since, until, trailing_days, spike_ratio, spike_floor_usd)
where scope <> 'total' and spike;
