-- `spendlog prices check`, the lake half (the catalogue half is sql/model/catalog_problems.sql). Named statements,
-- run by pipeline/pricing/explain.py in this order over pricing_input (the lake's usage rows) and the catalogue:
-- lake_keys, lake_keys_priced, problems (one line each: must return no rows), counts (the summary line).
-- name: lake_keys
create or replace temp table lake_keys as
select *, count(*) over (partition by provider, model, cast(timezone('UTC', ts) as date)) as key_rows
from pricing_input
where coalesce(billable, true) and model is not null
qualify row_number() over (partition by provider, model, cast(timezone('UTC', ts) as date) order by ts) = 1;

-- name: lake_keys_priced
create or replace temp table lake_keys_priced as
select * from pricing('lake_keys');

-- name: problems
with lives as (
    select provider, model, effective_from, source_file, source_line,
           max(coalesce(effective_to, date '9999-12-31')) over (
               partition by provider, model
               order by effective_from, source_file, source_line
               rows between unbounded preceding and 1 preceding
           ) as covered_until
    from price_catalog
),

gaps as (
    select 1 as kind, source_file, source_line,
           source_file || ': line ' || source_line::varchar || ': ' || provider || '/' || model || ' has no price from '
           || covered_until::varchar || ' to ' || (effective_from - 1)::varchar || ', before this row' as problem
    from lives
    where covered_until < effective_from
),

lake_names as (
    select distinct lower(provider) as provider, lower(trim(model)) as name from lake_keys
),

-- curated aliases must not overlap; imported ones may (the first in the file wins, sql/model/pricing.sql)
lake_alias_hits as (
    select n.provider, n.name, a.model, a.source_file, a.source_line
    from lake_names n
    join model_aliases a on a.provider = n.provider and a.layer = 'bundled' and regexp_full_match(n.name, a.pattern)
),

alias_clashes as (
    select 2 as kind, min(source_file) as source_file, min(source_line) as source_line,
           min(source_file) || ': lines ' || string_agg(source_line::varchar, ', ' order by source_line) || ': '
           || provider || ' model ''' || name || ''' in the lake matches aliases of '
           || string_agg(distinct model, ' and ' order by model) as problem
    from lake_alias_hits
    group by provider, name
    having count(distinct model) > 1
),

unpriced_keys as (
    select provider, model, canonical_model,
           count(*) as days,
           min(cast(timezone('UTC', ts) as date)) as first_day,
           max(cast(timezone('UTC', ts) as date)) as last_day,
           sum(key_rows) as rows
    from lake_keys_priced
    where price_id is null
    group by all
),

-- the closest catalogue name (a model or an alias target, any layer) to a model string that matches none:
-- Jaro-Winkler similarity of at least 0.8, a name of the row's own provider first, then the most similar, then
-- the last in name order (the newer of two equally close versions)
suggestions as (
    select u.provider, u.model,
           first(case when c.provider = lower(u.provider) then c.model else c.provider || '/' || c.model end
                 order by c.provider = lower(u.provider) desc,
                          jaro_winkler_similarity(lower(trim(u.model)), c.model) desc,
                          c.curated desc, c.model desc, c.provider) as suggestion  -- a curated name before an import
    from unpriced_keys u
    join (select provider, model, bool_or(layer <> 'imported') as curated from price_catalog group by all) c
      on jaro_winkler_similarity(lower(trim(u.model)), c.model) >= 0.8
    where u.canonical_model is null
    group by all
),

lake_coverage as (
    select 3 as kind, 'lake' as source_file, 0 as source_line,
           'lake: ' || coalesce(u.provider, '(no provider)') || ' model ''' || u.model || ''' '
           || case
                  when canonical_model is null then 'matches no catalogue model or alias'
                  else 'is ' || canonical_model || ', which has no price row'
              end
           || case
                  when days = 1 then ' on ' || first_day::varchar
                  else ' on ' || days::varchar || ' days from ' || first_day::varchar || ' to ' || last_day::varchar
              end
           || ' (' || rows::varchar || ' billable row' || case when rows = 1 then '' else 's' end || ')'
           || coalesce(': did you mean ' || s.suggestion || '?', '') as problem
    from unpriced_keys u
    left join suggestions s on s.provider is not distinct from u.provider and s.model = u.model
)

select problem
from (
    select * from gaps
    union all
    select * from alias_clashes
    union all
    select * from lake_coverage
)
order by kind, source_file, source_line, problem;

-- name: counts
select
    (select count(*) from price_catalog where layer = 'bundled') as curated_prices,
    (select count(*) from price_catalog where layer = 'imported') as imported_prices,
    (select count(*) from price_catalog where layer = 'user') + (select count(*) from price_multipliers) as user_prices,
    (select count(*) from model_aliases where layer = 'bundled') as curated_aliases,
    (select count(*) from model_aliases where layer = 'imported') as imported_aliases,
    (select count(distinct (provider, model)) from lake_keys_priced) as lake_models,
    (select count(distinct (provider, model)) from lake_keys_priced where price_id is null) as lake_models_unpriced
