-- The derived columns of priced_usage: app and app_rule (attribution: which rule named the app), local day and
-- month, the source (source_name, source_role, source_billing), in_totals, and cost_basis with catalogue_cost_usd.
-- Inputs: pricing_input (the lake's usage rows, priced here by sql/model/pricing.sql's macro), config_sources,
-- attribution_rules; parameter $timezone.
-- The rules that look beyond a row read only input columns, so they are worked out first over narrow reads of
-- pricing_input (per file, per key, per UTC day and biller); the priced rows then pass once through small joins,
-- never materialized whole.
with files as (
    select distinct source_file from pricing_input
),

source_of_file as (
    select files.source_file, min(s.idx) as idx
    from files
    join config_sources s on regexp_full_match(files.source_file, s.pattern)
    group by files.source_file
),

file_sources as (
    select f.source_file, s.*,
           coalesce(s.role, 'primary') = 'primary' and coalesce(s.billing, 'api') = 'api' as counts
    from files f
    left join source_of_file sf using (source_file)
    left join config_sources s on s.idx = sf.idx
),

rule_keys as (
    select distinct api_key, workspace, project, source_file from pricing_input where app_raw is null
),

rule_of_key as (
    select k.api_key, k.workspace, k.project, k.source_file, min(r.idx) as idx
    from rule_keys k
    join attribution_rules r
      on (r.api_key is null or regexp_full_match(k.api_key, r.api_key))
     and (r.workspace is null or regexp_full_match(k.workspace, r.workspace))
     and (r.project is null or regexp_full_match(k.project, r.project))
     and (r.path is null or regexp_full_match(k.source_file, r.path))
    group by all
),

-- per row, what the day rules read: its UTC day, biller, grain, whether its source counts, whether it states
-- only money (money_only: billed, no usage to price, a stated cost — a cost export's bucket)
day_rows as (
    select i.ts::date as utc_day, coalesce(i.billed_by, i.provider) as biller, i.grain,
           coalesce(f.counts, true) as counts, money_only(i) as money_only, i.source_format
    from pricing_input i
    left join file_sources f using (source_file)
),

-- a bucket counts only on a UTC day its biller (billed_by, else provider) has no counted request rows
logged_days as (
    select distinct utc_day, biller from day_rows where grain = 'request' and counts
),

counted_rows as (
    select d.*,
           case when d.grain = 'request' then d.counts else d.counts and l.utc_day is null end as counted
    from day_rows d
    left join logged_days l on d.grain = 'bucket' and l.utc_day = d.utc_day and l.biller is not distinct from d.biller
),

-- the (UTC day, biller) pairs whose counted rows carry usage (request logs or token buckets): a money-only row
-- there states money those rows already price
usage_days as (
    select distinct utc_day, biller from counted_rows where counted and not money_only
),

-- elsewhere one statement counts per (UTC day, biller): two exports of the same charges (the Admin API cost report
-- and the Console cost CSV) are not summed; the first source format by name wins
statements as (
    select utc_day, biller, min(source_format) as source_format
    from counted_rows
    where counted and money_only
    group by all
),

attributed as (
    select p.*,
           coalesce(p.app_raw, f.app, r.app, 'unattributed') as app,
           case
               when p.app_raw is not null then 'the record (or ingest --app)'
               when f.app is not null then f.rule
               when r.app is not null then r.rule
               else 'unattributed'
           end as app_rule,
           timezone($timezone, p.ts)::date as day,
           date_trunc('month', timezone($timezone, p.ts)::date)::date as month,
           coalesce(f.counts, true) as counts,
           coalesce(f.label, p.source_format) as source_name,
           coalesce(f.role, 'primary') as source_role,
           coalesce(f.billing, 'api') as source_billing,
           money_only(p) as money_only,
           p.ts::date as _utc_day,
           coalesce(p.billed_by, p.provider) as _biller
    from pricing('pricing_input') p
    left join file_sources f using (source_file)
    left join rule_of_key rk
      on p.app_raw is null
     and rk.api_key is not distinct from p.api_key
     and rk.workspace is not distinct from p.workspace
     and rk.project is not distinct from p.project
     and rk.source_file = p.source_file
    left join attribution_rules r on r.idx = rk.idx
),

settled as (
    select a.* exclude (_utc_day, _biller),
           case when a.grain = 'request' then a.counts else a.counts and l.utc_day is null end
               and (not a.money_only or (u.utc_day is null and s.source_format = a.source_format)) as in_totals
    from attributed a
    left join logged_days l on a.grain = 'bucket' and l.utc_day = a._utc_day and l.biller is not distinct from a._biller
    left join usage_days u on a.money_only and u.utc_day = a._utc_day and u.biller is not distinct from a._biller
    left join statements s on a.money_only and s.utc_day = a._utc_day and s.biller is not distinct from a._biller
),

-- cost_basis (DESIGN.md §2): 'stated' where cost_usd is the money the source states — a money-only row that counts,
-- or a billed row of a gateway that states what it charged (OpenRouter's total_cost; BYOK rows are billed by the
-- provider) — else 'catalogue' where the engine priced the row, NULL where it could not. The engine's price stays
-- in catalogue_cost_usd (the what-if, and what reconciliation compares); the components stay the catalogue's, and
-- the counterfactuals of a stated row keep the catalogue's savings: stated + (catalogue counterfactual − catalogue).
based as (
    select *,
           case
               when money_only and in_totals then 'stated'
               when billed_by = 'openrouter' and reported_cost_usd is not null and coalesce(billable, true)
                   then 'stated'
               when cost_usd is not null then 'catalogue'
           end as cost_basis
    from settled
)

select * exclude (money_only, source_name, source_role, source_billing, in_totals, cost_basis)
       replace (
           case when cost_basis = 'stated' then reported_cost_usd else cost_usd end::decimal(38, 12) as cost_usd,
           case when cost_basis = 'stated'
                then reported_cost_usd + coalesce(cost_without_cache_usd - cost_usd, 0)
                else cost_without_cache_usd
           end::decimal(38, 12) as cost_without_cache_usd,
           case when cost_basis = 'stated'
                then reported_cost_usd + coalesce(cost_without_batch_usd - cost_usd, 0)
                else cost_without_batch_usd
           end::decimal(38, 12) as cost_without_batch_usd
       ),
       cost_usd::decimal(38, 12) as catalogue_cost_usd,
       cost_basis,
       in_totals,
       source_name,
       source_role,
       source_billing
from based
