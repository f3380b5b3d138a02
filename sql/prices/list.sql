-- `spendlog prices list`: the price row in force for every catalogue model at one UTC date, chosen by
-- sql/model/pricing.sql itself (user rows win; contract multipliers applied). Named statements: input (with $at,
-- a DATE, and $provider, NULL for all), then prices (with $source: the layer the row in force comes from,
-- 'bundled', 'imported' or 'user'; NULL for all).
-- name: input
create or replace temp table list_input as
select
    provider, provider as billed_by, model, cast($at as timestamptz) as ts, true as billable, false as usage_missing, 'request' as grain,
    null::varchar as context_window, 0::bigint as input_tokens, 0::bigint as cache_write_5m_tokens,
    0::bigint as cache_write_1h_tokens, 0::bigint as cache_read_tokens, 0::bigint as output_tokens,
    0::bigint as web_search_requests, false as batch, null::varchar as service_tier, null::varchar as speed,
    null::varchar as inference_geo
from (select distinct provider, model from price_catalog)
where $provider is null or provider = lower(trim($provider));

-- name: prices
select
    provider,
    model,
    _price.input as input,
    _price.output as output,
    _price.cache_write_5m as cache_write_5m,
    _price.cache_write_1h as cache_write_1h,
    _price.cache_read as cache_read,
    _price.lc_threshold as lc_threshold,
    _price.lc_input as lc_input,
    _price.lc_output as lc_output,
    _price.batch_multiplier as batch_multiplier,
    _m_contract as contract_multiplier,
    _price.effective_from as effective_from,
    _price.layer as layer,
    _price.source as source,
    price_id
from pricing_steps('list_input', 'price_catalog')
where price_id is not null and ($source is null or _price.layer = $source)
order by provider, model
