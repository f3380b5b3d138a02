-- Every cost column of priced_usage is DECIMAL(38,12), and no priced amount is negative (DESIGN.md §2 Money).
-- Reads: priced_usage. One row per cost column of another type (the column and its type) and per row with a
-- negative amount (where it is, which column, the amount). A cost the source states (reported_cost_usd) may be
-- negative (a credit) and is left out of the second part, and so are the costs of a row whose cost_usd is that
-- stated cost (cost_basis 'stated'): its cost_usd and counterfactuals; its catalogue_cost_usd is checked.
with typed as (
    select column_name, column_type
    from (describe priced_usage)
    where column_name like '%cost_usd'
),

amounts as (
    unpivot (
        select source_file, source_line, input_cost_usd, cache_write_cost_usd, cache_read_cost_usd, output_cost_usd,
               tool_cost_usd, catalogue_cost_usd,
               case when cost_basis = 'stated' then 0 else cost_usd end as cost_usd,
               case when cost_basis = 'stated' then 0 else cost_without_cache_usd end as cost_without_cache_usd,
               case when cost_basis = 'stated' then 0 else cost_without_batch_usd end as cost_without_batch_usd
        from priced_usage
    )
    on columns(* exclude (source_file, source_line)) into name column_name value amount
)

select 'wrong type' as problem, column_name, column_type, null as source_file, null as source_line, null as amount
from typed
where column_type <> 'DECIMAL(38,12)'
union all
select 'negative', column_name, null, source_file, source_line, amount
from amounts
where amount < 0
order by all
