-- The derived columns of priced_usage: app (attribution), local day and month, source, in_totals.
-- Inputs: priced_rows (sql/pricing.sql over usage), config_sources, attribution_rules; parameter $timezone.
with files as (
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
           timezone($timezone, p.ts)::date as day,
           date_trunc('month', timezone($timezone, p.ts)::date)::date as month,
           coalesce(s.role, 'primary') = 'primary' and coalesce(s.billing, 'api') = 'api' as counts,
           coalesce(s.role, 'primary') = 'mirror' as is_mirror,
           coalesce(s.label, p.source_format) as source_name
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

logged_days as (
    select distinct ts::date as utc_day, provider from attributed where grain = 'request' and counts
)

select a.* exclude (counts, is_mirror, source_name),
       case
           when a.grain = 'request' then a.counts
           else not a.is_mirror and l.utc_day is null
       end as in_totals,
       a.source_name
from attributed a
left join logged_days l on a.grain = 'bucket' and l.utc_day = a.ts::date and l.provider is not distinct from a.provider
