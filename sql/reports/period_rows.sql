-- The temp table period_rows: the report period's spend rows (spend_rows), which the drivers and what-if sections
-- price again (price_at, price_as_each) rather than the whole lake: only the columns they read (the pricing inputs,
-- the cost, the cells' app and model), summed into the groups that price alike (pricing_groups,
-- sql/prices/price_as.sql), so the copy and the pricing stay small however many requests the period has. Made by
-- pipeline/reports.py once per report, before the first of those sections.
-- Params: $start, $end (inclusive local days).
create or replace temp table period_rows as
with period_spend as (
    select
        app, model_label, canonical_model, cost_basis, requests, cost_usd, cost_without_cache_usd,
        ts, provider, billed_by, model, billable, usage_missing, grain, context_window,
        input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, output_tokens,
        web_search_requests, batch, service_tier, speed, inference_geo
    from spend_rows($start, $end)
)

select * from pricing_groups('period_spend')
