-- Catalogue problems, one row each (source_file, source_line, problem): a usable catalogue returns none.
-- Inputs: price_rows_raw, alias_rows_raw, price_rows_typed, price_catalog, price_multipliers, model_aliases
-- (sql/model/catalog.sql).
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
