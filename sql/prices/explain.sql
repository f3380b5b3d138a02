-- `spendlog prices explain REQUEST_ID`: every priced_usage row of one request id, priced again by
-- sql/model/pricing.sql itself with its working columns kept (rates, tier decision, components before and after
-- each multiplier), next to the cost_usd stored in priced_usage (with its cost_basis and catalogue_cost_usd: a
-- stated cost_usd is the source's money, the catalogue price beside it). Named statements: input (with $request_id), then
-- rows.
-- name: input
create or replace temp table explain_input as
select * exclude (canonical_model, price_id, price_tier, price_flags, input_cost_usd, cache_write_cost_usd,
                  cache_read_cost_usd, output_cost_usd, tool_cost_usd, cost_usd, cost_without_cache_usd,
                  cost_without_batch_usd, catalogue_cost_usd, cost_basis),
       cost_usd as recorded_cost_usd,
       catalogue_cost_usd as recorded_catalogue_cost_usd,
       cost_basis as recorded_cost_basis,
       price_id as recorded_price_id,
       row_number() over (order by ts, source_file, source_line) as explain_row,
       count(*) over () as explain_rows
from priced_usage
where request_id = $request_id;

-- name: rows
with priced as (
    select * from pricing_steps('explain_input', 'price_catalog')
),

matched_aliases as (
    select p.explain_row,
           list(a.source_file || ' line ' || a.source_line::varchar || ': ' || a.pattern order by a.source_line)
               as alias_patterns
    from priced p
    join model_aliases a
      on a.provider = lower(p._price_provider)
     and a.model = p.canonical_model
     and regexp_full_match(lower(trim(p.model)), a.pattern)
    group by p.explain_row
)

select
    p.explain_row,
    p.explain_rows,
    p.request_id,
    p.ts,
    p._price_date as price_date,
    p.provider,
    p.model,
    p.app,
    p.source_format,
    p.source_file,
    p.source_line,
    p.grain,
    p.request_count,
    p.context_window,
    p.http_status,
    p.error_type,
    p.billable,
    p.reported_cost_usd,
    p.usage_missing,
    p.canonical_model,
    p.canonical_model = lower(trim(p.model)) as logged_as_canonical,
    m.alias_patterns,
    p.price_id,
    p._price.effective_from as price_from,
    p._price.effective_to as price_to,
    p._price.layer as price_layer,
    p._price.source as price_source,
    p._price.source_file as price_file,
    p._price.source_line as price_line,
    p._price.lc_threshold as lc_threshold,
    p._price.contract_multiplier as row_contract_multiplier,
    p._contract.price_id as contract_id,
    p._contract.contract_multiplier as contract_multiplier,
    p._contract.source as contract_source,
    p._contract.source_file as contract_file,
    p._contract.source_line as contract_line,
    p.price_tier,
    p.price_flags,
    p._status as status,
    p._fast_requested as fast_requested,
    p._fast as fast,
    p._fast_lc as fast_long_context,
    p._above as above_threshold,
    p._tier_unknown as tier_unknown,
    p._priority_rates as priority_rates,
    p._service_tier as service_tier,
    p._batch as batch,
    p._us as us_geo,
    p._in as input_tokens,
    p._cw5m as cache_write_5m_tokens,
    p._cw1h as cache_write_1h_tokens,
    p._cr as cache_read_tokens,
    p._out as output_tokens,
    p._ws as web_search_requests,
    p._in + p._cw5m + p._cw1h + p._cr as total_input_tokens,
    p._r_in as input_rate,
    p._r_cw5m as cache_write_5m_rate,
    p._r_cw1h as cache_write_1h_rate,
    p._r_cr as cache_read_rate,
    p._r_out as output_rate,
    p._price.web_search_per_1k as web_search_rate,
    p._b_in as input_base,
    p._b_cw5m as cache_write_5m_base,
    p._b_cw1h as cache_write_1h_base,
    p._b_cr as cache_read_base,
    p._b_out as output_base,
    p._b_tool as web_search_base,
    p._c_in as input_cost,
    p._c_cw5m as cache_write_5m_cost,
    p._c_cw1h as cache_write_1h_cost,
    p._c_cr as cache_read_cost,
    p._c_out as output_cost,
    p._c_tool as web_search_cost,
    p._m_batch as batch_multiplier,
    p._m_batch_cache_read as batch_cache_read_multiplier,
    p._m_geo as geo_multiplier,
    p._m_flex as flex_multiplier,
    p._m_flex_cache_read as flex_cache_read_multiplier,
    p._m_contract as contract_total_multiplier,
    p.cost_usd,
    p.recorded_cost_usd,
    p.recorded_price_id,
    p.recorded_catalogue_cost_usd,
    p.recorded_cost_basis,
    p.in_totals,
    p.billed_by,
    p.cost_without_cache_usd,
    p.cost_without_batch_usd
from priced p
left join matched_aliases m using (explain_row)
order by p.explain_row
