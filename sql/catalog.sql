-- The price catalogue, the user's contract multipliers and the model aliases, typed (DESIGN.md §3).
-- pipeline/pricing.py reads the CSVs (every cell VARCHAR or NULL, plus source_file, source_line and `layer`:
-- 'bundled' for pipeline/catalog/prices.csv, 'user' for [prices] user_file) into price_rows_raw and alias_rows_raw,
-- then runs these statements in order. The last one lists catalogue problems, one row each (source_file,
-- source_line, problem): a usable catalogue returns none.
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
    case when layer = 'user' then 'user:' else '' end
        || provider || '/' || model || '@' || coalesce(strftime(effective_from, '%Y-%m-%d'), '?')
        || case when has_rates or contract_multiplier is null then '' else ':contract' end as price_id,
    case when has_rates or contract_multiplier is null then 'price' else 'multiplier' end as row_type,
    *
from trimmed;

create or replace temp table price_catalog as
select * exclude (row_type, empty_keys, has_rates, has_other_multipliers)
from price_rows_typed
where row_type = 'price' and provider is not null and model is not null and effective_from is not null;

create or replace temp table price_multipliers as
select price_id, provider, model, effective_from, effective_to, contract_multiplier, source, notes, layer,
       source_file, source_line
from price_rows_typed
where row_type = 'multiplier' and provider is not null and model is not null and effective_from is not null;

create or replace temp table model_aliases as
select lower(trim(provider)) as provider, trim(pattern) as pattern, lower(trim(model)) as model,
       source_file, source_line
from alias_rows_raw;

with raw_cells as (
    unpivot (
        select source_file, source_line, effective_from, effective_to, input, output, cache_write_5m, cache_write_1h,
               cache_read, lc_threshold, lc_input, lc_output, lc_cache_write_5m, lc_cache_write_1h, lc_cache_read,
               fast_input, fast_output, fast_lc_input, fast_lc_output, batch_multiplier, us_geo_multiplier,
               web_search_per_1k, batch_cache_read_multiplier, flex_multiplier, priority_input, priority_output,
               priority_cache_read, contract_multiplier
        from price_rows_raw
    ) on columns(* exclude (source_file, source_line)) into name column_name value cell
),

unreadable as (
    select source_file, source_line, column_name || ' ''' || cell || ''' is not '
        || case
               when column_name like 'effective_%' then 'a date (YYYY-MM-DD)'
               when column_name = 'lc_threshold' then 'a whole number of tokens'
               else 'a number'
           end as problem
    from raw_cells
    where case
              when column_name like 'effective_%' then try_cast(cell as date) is null
              when column_name = 'lc_threshold' then try_cast(cell as bigint) is null
              else try_cast(cell as decimal(18, 6)) is null
          end
),

rate_columns as (
    unpivot (
        select source_file, source_line, input, output, cache_write_5m, cache_write_1h, cache_read, lc_threshold,
               lc_input, lc_output, lc_cache_write_5m, lc_cache_write_1h, lc_cache_read, fast_input, fast_output,
               fast_lc_input, fast_lc_output, batch_multiplier, us_geo_multiplier, web_search_per_1k,
               batch_cache_read_multiplier, flex_multiplier, priority_input, priority_output, priority_cache_read,
               contract_multiplier
        from price_rows_typed
    ) on columns(* exclude (source_file, source_line)) into name rate_name value rate
),

dated as (
    select row_type, provider, model, effective_from, coalesce(effective_to, date '9999-12-31') as effective_until,
           layer, source_file, source_line, price_id
    from price_rows_typed
    where provider is not null and model is not null and effective_from is not null
),

canonical_names as (
    select distinct provider, model from price_catalog
),

alias_hits as (
    select c.provider, c.model as name, a.model as alias_model, a.pattern, a.source_file, a.source_line
    from (select distinct provider, model from price_catalog where layer = 'bundled') c
    join model_aliases a on a.provider = c.provider and regexp_full_match(c.model, a.pattern)
),

user_spellings as (
    select t.source_file, t.source_line, t.model, a.model as alias_model, a.source_file as alias_file,
           a.source_line as alias_line
    from price_rows_typed t
    join model_aliases a on a.provider = t.provider and regexp_full_match(t.model, a.pattern) and a.model <> t.model
    where t.layer = 'user'
),

problems as (
    select source_file, source_line, problem from unreadable
    union all
    select source_file, source_line,
           rate_name || ' is negative (' || rtrim(rtrim(rate::varchar, '0'), '.') || ')'
    from rate_columns
    where rate < 0
    union all
    select source_file, source_line, empty_keys || case when empty_keys like '% and %' then ' are' else ' is' end
           || ' empty'
    from price_rows_typed
    where empty_keys <> ''
    union all
    select source_file, source_line,
           'effective_to ' || effective_to::varchar || ' is not after effective_from ' || effective_from::varchar
    from price_rows_typed
    where effective_to <= effective_from
    union all
    select source_file, source_line, 'long-context rates without lc_threshold'
    from price_rows_typed
    where lc_threshold is null and coalesce(lc_input, lc_output, lc_cache_write_5m, lc_cache_write_1h, lc_cache_read,
                                            fast_lc_input, fast_lc_output) is not null
    union all
    select source_file, source_line, 'no rates and no contract_multiplier'
    from price_rows_typed
    where not has_rates and contract_multiplier is null and not has_other_multipliers
    union all
    select source_file, source_line, 'a contract multiplier row takes no rate and no other multiplier'
    from price_rows_typed
    where not has_rates and has_other_multipliers
    union all
    select source_file, source_line, 'model * (every model of the provider) is for contract multiplier rows only'
    from price_rows_typed
    where row_type = 'price' and model = '*'
    union all
    select b.source_file, b.source_line,
           'overlaps ' || case when a.source_file = b.source_file then '' else a.source_file || ' ' end
           || 'line ' || a.source_line::varchar || ': both '
           || case when a.row_type = 'multiplier' then 'set a contract multiplier for ' else 'price ' end
           || b.provider || '/' || b.model || ' on ' || greatest(a.effective_from, b.effective_from)::varchar
    from dated a
    join dated b
      on a.provider = b.provider and a.model = b.model and a.layer = b.layer and a.row_type = b.row_type
     and (a.source_file, a.source_line) < (b.source_file, b.source_line)
     and a.effective_from < b.effective_until and b.effective_from < a.effective_until
    union all
    select m.source_file, m.source_line,
           'contract multiplier for ' || m.provider || '/' || m.model || ', which has no price row'
    from price_multipliers m
    where not exists (from price_catalog p where p.provider = m.provider and (m.model = '*' or p.model = m.model))
    union all
    select source_file, source_line, 'alias ' || pattern || ' names ' || model || ', which has no catalogue row'
    from model_aliases a
    where not exists (from canonical_names c where c.provider = a.provider and c.model = a.model)
    union all
    select source_file, source_line, 'alias ' || pattern || ' maps canonical ' || name || ' to ' || alias_model
    from alias_hits
    where alias_model <> name
    union all
    select source_file, source_line,
           'model ' || model || ' is a spelling of ' || alias_model || ' (' || alias_file || ' line '
           || alias_line::varchar || '): name the catalogue model ' || alias_model
    from user_spellings
)

select source_file, source_line, problem
from problems
order by source_file, source_line, problem
