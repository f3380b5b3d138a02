-- The price catalogue, the user's contract multipliers and the model aliases, typed (DESIGN.md §3).
-- pipeline/pricing/catalog.py reads the CSVs (every cell VARCHAR or NULL, plus source_file, source_line and
-- `layer`: 'bundled' for the curated pipeline/catalog/prices.csv and model_aliases.csv, 'imported' for
-- pipeline/catalog/imported_prices.csv and imported_model_aliases.csv, 'user' for [prices] user_file) into
-- price_rows_raw and alias_rows_raw, then runs these statements in order; sql/model/catalog_problems.sql then
-- lists what is wrong.
-- Layers: user > bundled > imported. An imported row never prices a curated model: a model the curated rows price,
-- or a spelling a curated alias maps (the imported claude-3-opus-latest is claude-3-opus), keeps only its curated
-- rows, on every date; an imported alias never names such a model nor matches a curated model's name. User rows
-- win over the others on the dates they cover (sql/model/pricing.sql).
-- A row with at least one rate is a price row (table price_catalog). A row with no rate and only a
-- contract_multiplier is a contract multiplier row (table price_multipliers): a negotiated discount on every
-- charge of a provider's model (model `*`: every model of the provider) for its dates, on top of the price row
-- in force.
create or replace temp table price_rows_typed as
with trimmed as (
    select
        lower(trim(provider)) as provider,
        lower(trim(model)) as model,
        try_cast(effective_from as date) as effective_from,
        try_cast(effective_to as date) as effective_to,
        try_cast(input as decimal(18, 6)) as input,
        try_cast(output as decimal(18, 6)) as output,
        try_cast(cache_write_5m as decimal(18, 6)) as cache_write_5m,
        try_cast(cache_write_1h as decimal(18, 6)) as cache_write_1h,
        try_cast(cache_read as decimal(18, 6)) as cache_read,
        try_cast(lc_threshold as bigint) as lc_threshold,
        try_cast(lc_input as decimal(18, 6)) as lc_input,
        try_cast(lc_output as decimal(18, 6)) as lc_output,
        try_cast(lc_cache_write_5m as decimal(18, 6)) as lc_cache_write_5m,
        try_cast(lc_cache_write_1h as decimal(18, 6)) as lc_cache_write_1h,
        try_cast(lc_cache_read as decimal(18, 6)) as lc_cache_read,
        try_cast(fast_input as decimal(18, 6)) as fast_input,
        try_cast(fast_output as decimal(18, 6)) as fast_output,
        try_cast(fast_lc_input as decimal(18, 6)) as fast_lc_input,
        try_cast(fast_lc_output as decimal(18, 6)) as fast_lc_output,
        try_cast(batch_multiplier as decimal(18, 6)) as batch_multiplier,
        try_cast(us_geo_multiplier as decimal(18, 6)) as us_geo_multiplier,
        try_cast(web_search_per_1k as decimal(18, 6)) as web_search_per_1k,
        try_cast(batch_cache_read_multiplier as decimal(18, 6)) as batch_cache_read_multiplier,
        try_cast(flex_multiplier as decimal(18, 6)) as flex_multiplier,
        try_cast(priority_input as decimal(18, 6)) as priority_input,
        try_cast(priority_output as decimal(18, 6)) as priority_output,
        try_cast(priority_cache_read as decimal(18, 6)) as priority_cache_read,
        try_cast(contract_multiplier as decimal(18, 6)) as contract_multiplier,
        verified,
        source,
        notes,
        layer,
        source_file,
        source_line,
        concat_ws(' and ', case when provider is null then 'provider' end, case when model is null then 'model' end,
                  case when effective_from is null then 'effective_from' end) as empty_keys,
        coalesce(input, output, cache_write_5m, cache_write_1h, cache_read, lc_threshold, lc_input, lc_output,
                 lc_cache_write_5m, lc_cache_write_1h, lc_cache_read, fast_input, fast_output, fast_lc_input,
                 fast_lc_output, web_search_per_1k, priority_input, priority_output, priority_cache_read) is not null
            as has_rates,
        coalesce(batch_multiplier, us_geo_multiplier, batch_cache_read_multiplier, flex_multiplier) is not null
            as has_other_multipliers
    from price_rows_raw
)
select
    case layer when 'user' then 'user:' when 'imported' then 'imported:' else '' end
        || provider || '/' || model || '@' || coalesce(strftime(effective_from, '%Y-%m-%d'), '?')
        || case when has_rates or contract_multiplier is null then '' else ':contract' end as price_id,
    case when has_rates or contract_multiplier is null then 'price' else 'multiplier' end as row_type,
    *
from trimmed;

create or replace temp table curated_names as
select distinct provider, model from price_rows_typed where layer = 'bundled' and row_type = 'price';

create or replace temp table shadowed_imports as
select distinct t.provider, t.model
from price_rows_typed t
where t.layer = 'imported'
  and (exists (from curated_names c where c.provider = t.provider and c.model = t.model)
       or exists (from alias_rows_raw a
                  where a.layer = 'bundled' and lower(trim(a.provider)) = t.provider
                    and regexp_full_match(t.model, trim(a.pattern))));

create or replace temp table price_catalog as
select * exclude (row_type, empty_keys, has_rates, has_other_multipliers)
from price_rows_typed t
where row_type = 'price' and provider is not null and model is not null and effective_from is not null
  and not (layer = 'imported' and exists (from shadowed_imports s where s.provider = t.provider and s.model = t.model));

create or replace temp table price_multipliers as
select price_id, provider, model, effective_from, effective_to, contract_multiplier, source, notes, layer,
       source_file, source_line
from price_rows_typed
where row_type = 'multiplier' and provider is not null and model is not null and effective_from is not null;

create or replace temp table model_aliases as
with aliases as (
    select lower(trim(provider)) as provider, trim(pattern) as pattern, lower(trim(model)) as model, layer,
           source_file, source_line
    from alias_rows_raw
)
select *
from aliases a
where layer <> 'imported'
   or (not exists (from shadowed_imports s where s.provider = a.provider and s.model = a.model)
       and not exists (from curated_names c where c.provider = a.provider and regexp_full_match(c.model, a.pattern)));
