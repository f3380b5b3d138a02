-- `spendlog apps`, second table: what the unattributed rows have in common. For each of api_key, workspace and
-- project, its values on rows whose app is 'unattributed', dearest first, the top few of each; rows with none of
-- the three are grouped by source format (with their file, or how many files). Requests and cost count rows in
-- totals; rows outside totals are shown apart, as in sql/apps/rules.sql.
-- Inputs: priced_usage, the display macros. Params: month (a local month's first day, or NULL), top (values
-- per kind).
with source as (
    select *
    from priced_usage
    where app = 'unattributed'
      and ($month::date is null or month = $month::date)
),

renamed as (
    select
        api_key,
        workspace,
        project,
        source_format,
        source_file,
        in_totals,
        billable_requests(grain, billable, request_count) as requests,
        cost_usd
    from source
),

by_kind as (
    select 1 as kind_order, 'api_key' as kind, api_key as value, * from renamed where api_key is not null
    union all
    select 2, 'workspace', workspace, * from renamed where workspace is not null
    union all
    select 3, 'project', project, * from renamed where project is not null
    union all
    select 4, 'no key, workspace or project', source_format, * from renamed
    where api_key is null and workspace is null and project is null
),

grouped as (
    select
        kind_order,
        kind,
        value,
        count(distinct source_file) as files,
        min(source_file) as example_file,
        coalesce(sum(requests) filter (where in_totals), 0)::bigint as requests,
        coalesce(sum(cost_usd) filter (where in_totals), 0)::decimal(38, 12) as cost_usd,
        count(*) filter (where in_totals and cost_usd is null) as unpriced_rows,
        coalesce(sum(requests) filter (where not in_totals), 0)::bigint as not_in_totals_requests,
        coalesce(sum(cost_usd) filter (where not in_totals), 0)::decimal(38, 12) as not_in_totals_cost_usd
    from by_kind
    group by all
),

ranked as (
    select
        *,
        row_number() over (
            partition by kind
            order by cost_usd desc, not_in_totals_cost_usd desc, requests + not_in_totals_requests desc, value
        ) as rank,
        count(*) over (partition by kind) as kind_values
    from grouped
)

select
    kind,
    value,
    rank,
    kind_values,
    files,
    example_file,
    requests,
    cost_usd,
    unpriced_rows,
    not_in_totals_requests,
    not_in_totals_cost_usd,
    case
        when kind_order < 4 then value
        when files = 1 then value || ': ' || example_file
        else value || ': ' || num(files) || ' files'
    end as value_fmt,
    num(requests) as requests_fmt,
    usd(cost_usd) || case when unpriced_rows > 0 then ' + ' || num(unpriced_rows) || ' unpriced' else '' end
        as cost_fmt,
    case
        when not_in_totals_requests = 0 and not_in_totals_cost_usd = 0 then ''
        when not_in_totals_requests = 0 then usd(not_in_totals_cost_usd)
        else num(not_in_totals_requests) || if(not_in_totals_requests = 1, ' request, ', ' requests, ')
            || usd(not_in_totals_cost_usd)
    end as not_in_totals_fmt
from ranked
where rank <= $top
order by kind_order, rank
