-- The price catalogue and the model aliases, typed (DESIGN.md §3). pipeline/pricing.py runs these statements in
-- order: it first binds price_rows_raw (prices.csv, then the user's CSV; every column VARCHAR, plus `layer`) and
-- alias_rows_raw (model_aliases.csv). The last statement lists catalogue problems and must return no rows.
create or replace temp table price_catalog as
with typed as (
    select
        lower(trim(provider)) as provider,
        lower(trim(model)) as model,
        cast(effective_from as date) as effective_from,
        cast(nullif(trim(effective_to), '') as date) as effective_to,
        cast(nullif(trim(input), '') as decimal(18, 6)) as input,
        cast(nullif(trim(output), '') as decimal(18, 6)) as output,
        cast(nullif(trim(cache_write_5m), '') as decimal(18, 6)) as cache_write_5m,
        cast(nullif(trim(cache_write_1h), '') as decimal(18, 6)) as cache_write_1h,
        cast(nullif(trim(cache_read), '') as decimal(18, 6)) as cache_read,
        cast(nullif(trim(lc_threshold), '') as bigint) as lc_threshold,
        cast(nullif(trim(lc_input), '') as decimal(18, 6)) as lc_input,
        cast(nullif(trim(lc_output), '') as decimal(18, 6)) as lc_output,
        cast(nullif(trim(lc_cache_write_5m), '') as decimal(18, 6)) as lc_cache_write_5m,
        cast(nullif(trim(lc_cache_write_1h), '') as decimal(18, 6)) as lc_cache_write_1h,
        cast(nullif(trim(lc_cache_read), '') as decimal(18, 6)) as lc_cache_read,
        cast(nullif(trim(fast_input), '') as decimal(18, 6)) as fast_input,
        cast(nullif(trim(fast_output), '') as decimal(18, 6)) as fast_output,
        cast(nullif(trim(fast_lc_input), '') as decimal(18, 6)) as fast_lc_input,
        cast(nullif(trim(fast_lc_output), '') as decimal(18, 6)) as fast_lc_output,
        cast(nullif(trim(batch_multiplier), '') as decimal(18, 6)) as batch_multiplier,
        cast(nullif(trim(us_geo_multiplier), '') as decimal(18, 6)) as us_geo_multiplier,
        cast(nullif(trim(web_search_per_1k), '') as decimal(18, 6)) as web_search_per_1k,
        cast(nullif(trim(batch_cache_read_multiplier), '') as decimal(18, 6)) as batch_cache_read_multiplier,
        cast(nullif(trim(flex_multiplier), '') as decimal(18, 6)) as flex_multiplier,
        cast(nullif(trim(priority_input), '') as decimal(18, 6)) as priority_input,
        cast(nullif(trim(priority_output), '') as decimal(18, 6)) as priority_output,
        cast(nullif(trim(priority_cache_read), '') as decimal(18, 6)) as priority_cache_read,
        cast(nullif(trim(contract_multiplier), '') as decimal(18, 6)) as contract_multiplier,
        nullif(trim(verified), '') as verified,
        nullif(trim(source), '') as source,
        nullif(trim(notes), '') as notes,
        layer
    from price_rows_raw
)
select
    case when layer = 'user' then 'user:' else '' end
        || provider || '/' || model || '@' || strftime(effective_from, '%Y-%m-%d') as price_id,
    *
from typed;

create or replace temp table model_aliases as
select lower(trim(provider)) as provider, trim(pattern) as pattern, lower(trim(model)) as model
from alias_rows_raw;

with rate_columns as (
    unpivot (
        select price_id, input, output, cache_write_5m, cache_write_1h, cache_read, lc_input, lc_output,
               lc_cache_write_5m, lc_cache_write_1h, lc_cache_read, fast_input, fast_output, fast_lc_input,
               fast_lc_output, batch_multiplier, us_geo_multiplier, web_search_per_1k, batch_cache_read_multiplier,
               flex_multiplier, priority_input, priority_output, priority_cache_read, contract_multiplier
        from price_catalog
    ) on columns(* exclude (price_id)) into name rate_name value rate
),

canonical_names as (
    select distinct provider, model from price_catalog
),

alias_hits as (
    select c.provider, c.model as name, a.model as alias_model, a.pattern
    from canonical_names c
    join model_aliases a on a.provider = c.provider and regexp_full_match(c.model, a.pattern)
)

select price_id || ': ' || rate_name || ' is negative' as problem
from rate_columns
where rate < 0
union all
select price_id || ': missing provider, model or effective_from'
from price_catalog
where provider is null or model is null or effective_from is null
union all
select price_id || ': effective_to is not after effective_from'
from price_catalog
where effective_to <= effective_from
union all
select price_id || ': long-context rates without lc_threshold'
from price_catalog
where lc_threshold is null and coalesce(lc_input, lc_output, fast_lc_input, fast_lc_output) is not null
union all
select a.price_id || ' overlaps ' || b.price_id
from price_catalog a
join price_catalog b
  on a.provider = b.provider and a.model = b.model and a.layer = b.layer and a.price_id < b.price_id
 and a.effective_from < coalesce(b.effective_to, date '9999-12-31')
 and b.effective_from < coalesce(a.effective_to, date '9999-12-31')
union all
select 'alias ' || a.provider || ' ' || a.pattern || ' names ' || a.model || ', which has no catalogue row'
from model_aliases a
anti join canonical_names c on c.provider = a.provider and c.model = a.model
union all
select 'alias ' || provider || ' ' || pattern || ' maps canonical ' || name || ' to ' || alias_model
from alias_hits
where alias_model <> name
