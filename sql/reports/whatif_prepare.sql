-- What pipeline/reports.py makes for the what-if section (sql/reports/whatif.sql), over period_rows (the period's
-- rows in groups that price alike): the models in use, then the period's priced rows priced on every target model
-- (price_as_each: each group paired with the targets whose lines need it), summed by target and model, then the
-- compare lines.

-- name: models_in_use
-- The catalogue models of the period's priced rows.
select distinct canonical_model as model
from period_rows
where cost_basis = 'catalogue' and canonical_model is not null
order by model;

-- name: create_priced
create or replace temp table whatif_priced (
    target varchar, model varchar, requests bigint, cost_usd decimal(38, 12), cost_on_usd decimal(38, 12),
    unpriced_requests bigint, earliest_requests bigint, latest_requests bigint, no_geo_requests bigint
);

-- name: create_compare
create or replace temp table whatif_compare (model varchar, equivalent varchar, origin varchar, position integer);

-- name: price_on_targets
-- The period's catalogue-priced rows priced on each target of $pairs (target, model: a target prices the rows of
-- each model paired with it: every model in use for a routing target, whose line prices them all; an equivalent's
-- own models for an equivalent alone), by target and the model they ran on: requests, their cost as run and on the
-- target (rows the target cannot price are left out of both and counted), and the requests price_as flags. Only
-- the columns pricing reads go in.
insert into whatif_priced
with pairs as (
    select unnest($pairs, recursive := true)
),

whatif_rows as (
    select
        pairs.target as price_as_target,
        r.canonical_model, r.requests, r.cost_usd,
        r.ts, r.billable, r.usage_missing, r.grain, r.context_window,
        r.input_tokens, r.cache_write_5m_tokens, r.cache_write_1h_tokens, r.cache_read_tokens, r.output_tokens,
        r.web_search_requests, r.batch, r.service_tier, r.speed, r.inference_geo
    from period_rows r
    join pairs on pairs.model = r.canonical_model
    where r.cost_basis = 'catalogue'
)

select
    price_as_target,
    canonical_model,
    sum(requests),
    coalesce(sum(cost_usd) filter (where cost_as_usd is not null), 0),
    coalesce(sum(cost_as_usd), 0),
    coalesce(sum(requests) filter (where cost_as_usd is null), 0),
    coalesce(sum(requests) filter (where list_contains(price_as_flags, 'price_as_earliest')), 0),
    coalesce(sum(requests) filter (where list_contains(price_as_flags, 'price_as_latest')), 0),
    coalesce(sum(requests) filter (where list_contains(price_as_flags, 'price_as_no_geo')), 0)
from price_as_each('whatif_rows')
group by price_as_target, canonical_model;

-- name: add_compare
insert into whatif_compare values ($model, $equivalent, $origin, $position)
