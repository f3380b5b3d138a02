-- A billable row with tokens or fees has a cost_usd, or says why not (a no_price or no_rate:<component> flag).
-- Reads: priced_usage. One row per such row with neither: where it is, its model and its flags.
select source_file, source_line, provider, model, ts, price_flags
from priced_usage
where billable
  and coalesce(input_tokens, 0) + coalesce(cache_write_5m_tokens, 0) + coalesce(cache_write_1h_tokens, 0)
      + coalesce(cache_read_tokens, 0) + coalesce(output_tokens, 0) + coalesce(web_search_requests, 0) > 0
  and cost_usd is null
  and not list_contains(coalesce(price_flags, []), 'no_price')
  and len(list_filter(coalesce(price_flags, []), lambda flag: starts_with(flag, 'no_rate:'))) = 0
order by all
