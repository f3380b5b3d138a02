-- The derived columns of priced_usage: app and app_rule (attribution: which rule named the app), local day and
-- month, the source (source_name, source_role, source_billing) and in_totals.
-- Inputs: pricing_input (the lake's usage rows, priced here by sql/model/pricing.sql's macro), config_sources,
-- attribution_rules; parameter $timezone.
with priced_rows as (
    select * from pricing('pricing_input')
),

files as (
    select distinct source_file from priced_rows
),

source_of_file as (
    select files.source_file, min(s.idx) as idx
    from files
    join config_sources s on regexp_full_match(files.source_file, s.pattern)
    group by files.source_file
),

rule_keys as (
    select distinct api_key, workspace, project, source_file from priced_rows where app_raw is null
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

attributed as (
    select p.*,
           coalesce(p.app_raw, s.app, r.app, 'unattributed') as app,
           case
               when p.app_raw is not null then 'the record (or ingest --app)'
               when s.app is not null then s.rule
               when r.app is not null then r.rule
               else 'unattributed'
           end as app_rule,
           timezone($timezone, p.ts)::date as day,
           date_trunc('month', timezone($timezone, p.ts)::date)::date as month,
           coalesce(s.role, 'primary') = 'primary' and coalesce(s.billing, 'api') = 'api' as counts,
           coalesce(s.label, p.source_format) as source_name,
           coalesce(s.role, 'primary') as source_role,
           coalesce(s.billing, 'api') as source_billing
    from priced_rows p
    left join source_of_file sf using (source_file)
    left join config_sources s on s.idx = sf.idx
    left join rule_of_key rk
      on p.app_raw is null
     and rk.api_key is not distinct from p.api_key
     and rk.workspace is not distinct from p.workspace
     and rk.project is not distinct from p.project
     and rk.source_file = p.source_file
    left join attribution_rules r on r.idx = rk.idx
),

-- a bucket counts only on a UTC day its biller (billed_by, else provider) has no counted request rows
logged_days as (
    select distinct ts::date as utc_day, coalesce(billed_by, provider) as biller
    from attributed
    where grain = 'request' and counts
)

select a.* exclude (counts, source_name, source_role, source_billing),
       case
           when a.grain = 'request' then a.counts
           else a.counts and l.utc_day is null
       end as in_totals,
       a.source_name,
       a.source_role,
       a.source_billing
from attributed a
left join logged_days l
  on a.grain = 'bucket' and l.utc_day = a.ts::date and l.biller is not distinct from coalesce(a.billed_by, a.provider)
