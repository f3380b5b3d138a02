-- What pipeline/reports.py makes for the what-if section (sql/reports/whatif.sql), over period_rows: the models in
-- use, then the period's priced rows priced on each target model (price_as takes one constant model: one insert
-- per target, over the rows that target's lines need), then the compare lines.

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

-- name: rows_for
-- The rows price_on prices next: the period's catalogue-priced rows of the models in $sources (every model in use for
-- a routing target, whose line prices them all; an equivalent's own models for an equivalent alone).
create or replace temp table whatif_rows as
select *
from period_rows
where cost_basis = 'catalogue' and canonical_model is not null and list_contains($sources, canonical_model);

-- name: price_on
-- whatif_rows priced on $target, by the model they ran on: requests, their cost as run and on the target (rows the
-- target cannot price are left out of both and counted), and the requests price_as flags.
insert into whatif_priced
select
    $target,
    canonical_model,
    sum(requests),
    coalesce(sum(cost_usd) filter (where cost_as_usd is not null), 0),
    coalesce(sum(cost_as_usd), 0),
    coalesce(sum(requests) filter (where cost_as_usd is null), 0),
    coalesce(sum(requests) filter (where list_contains(price_as_flags, 'price_as_earliest')), 0),
    coalesce(sum(requests) filter (where list_contains(price_as_flags, 'price_as_latest')), 0),
    coalesce(sum(requests) filter (where list_contains(price_as_flags, 'price_as_no_geo')), 0)
from price_as($target, relation := 'whatif_rows')
group by canonical_model;

-- name: add_compare
insert into whatif_compare values ($model, $equivalent, $origin, $position)
