-- The headline numbers of a period: one row.
-- Params: $today (the local day the report is made, or NULL), $start, $end (inclusive local days), $prev_start, $prev_end (the period it is compared with).
-- The daily average and the cheapest day count the days with data only (covered_days in _macros.sql): a day
-- before every source's first data or after every source's last is "no data", not a $0 day.
with calendar as (
    select * from covered_days($start, $end)
),

period as (
    select * from spend_rows($start, $end)
),

cost_per_day as (
    select day, sum(cost_usd) as cost_usd
    from period
    group by day
),

daily as (
    select calendar.day, coalesce(cost_per_day.cost_usd, 0)::decimal(38, 12) as cost_usd
    from calendar
    left join cost_per_day on cost_per_day.day = calendar.day
    where calendar.has_data
),

-- runs of consecutive days with data, and without
runs as (
    select has_data, min(day) as first_day, max(day) as last_day, count(*) as days
    from (select *, day - (row_number() over (partition by has_data order by day))::integer as run from calendar)
    group by has_data, run
),

coverage as (
    select
        string_agg(
            case when first_day = last_day then strftime(first_day, '%Y-%m-%d')
                 else strftime(first_day, '%Y-%m-%d') || ' – ' || strftime(last_day, '%Y-%m-%d') end,
            ', ' order by first_day) filter (where has_data) as data_runs,
        count(*) filter (where has_data) as data_run_count,
        string_agg(
            case when first_day = last_day then strftime(first_day, '%Y-%m-%d')
                 else strftime(first_day, '%Y-%m-%d') || ' – ' || strftime(last_day, '%Y-%m-%d') end,
            ', ' order by first_day) filter (where not has_data) as no_data_runs,
        min(first_day) filter (where has_data) as first_data_day,
        max(last_day) filter (where has_data) as last_data_day
    from runs
),

cheapest as (
    select day, cost_usd from daily order by cost_usd asc, day asc limit 1
),

dearest as (
    select day, cost_usd from daily where cost_usd > 0 order by cost_usd desc, day asc limit 1
),

totals as (
    select
        coalesce(sum(cost_usd), 0)::decimal(38, 12) as total_cost_usd,
        coalesce(sum(output_cost_usd) filter (where cost_usd is not null), 0)::decimal(38, 12) as output_cost_usd,
        -- the catalogue's price of the priced rows, stated ones included: what the components (output among them)
        -- add up to, so the output share's denominator (stated money has no components of its own)
        coalesce(sum(catalogue_cost_usd) filter (where cost_usd is not null), 0)::decimal(38, 12)
            as catalogue_priced_usd,
        coalesce(sum(requests), 0)::bigint as requests,
        count(*) filter (where grain = 'request' and billable and batch) as batch_requests,
        coalesce(sum(all_input_tokens), 0)::bigint as input_tokens,
        coalesce(sum(output_tokens), 0)::bigint as output_tokens,
        count(*) filter (where cost_usd is null) as unpriced_rows_in_totals,
        -- the money in the total that the source states rather than the catalogue prices (cost_basis 'stated')
        coalesce(sum(cost_usd) filter (where cost_basis = 'stated'), 0)::decimal(38, 12) as stated_cost_usd,
        count(*) filter (where cost_basis = 'stated') as stated_rows
    from period
),

-- spend_rows leaves out rows with nothing to sum (errors among them): count the unbilled requests from spend
unbilled as (
    select count(*) as nonbillable_requests
    from spend
    where day between $start and $end and grain = 'request' and not billable
),

unpriced as (
    select count(*) as unpriced_rows
    from priced_usage
    where day between $start and $end and cost_usd is null
),

period_files as (
    select distinct source_file from priced_usage where day between $start and $end
),

rejected as (
    select count(*) as rejected_records
    from rejects
    where source_file in (select source_file from period_files)
),

previous as (
    select coalesce(sum(cost_usd), 0)::decimal(38, 12) as prev_total_cost_usd, count(*) as prev_rows
    from spend
    where day between $prev_start and $prev_end
),

calendar_days as (
    select count(*) as days, count(*) filter (where has_data) as covered_days from calendar
),

previous_calendar as (
    select count(*) filter (where not has_data) as prev_no_data_days from covered_days($prev_start, $prev_end)
),

final as (
    select
        $start::date as period_start,
        $end::date as period_end,
        calendar_days.days,
        calendar_days.covered_days,
        calendar_days.days - calendar_days.covered_days as no_data_days,
        coverage.first_data_day,
        coverage.last_data_day,
        coverage.data_runs,
        coverage.data_run_count,
        coverage.no_data_runs,
        totals.total_cost_usd,
        money_div(totals.total_cost_usd, calendar_days.covered_days) as daily_average_usd,
        -- a period still running ($today, the local day the report is made, within it) gets a forecast for its end:
        -- the spend so far plus the daily average so far times the days after the last day with data
        $today::date between $start::date and $end::date and coverage.last_data_day is not null as is_running,
        (totals.total_cost_usd + money_div(totals.total_cost_usd, calendar_days.covered_days)
            * date_diff('day', coverage.last_data_day, $end::date))::decimal(38, 12) as forecast_usd,
        date_diff('day', coverage.last_data_day, $end::date) as forecast_days_left,
        cheapest.day as cheapest_day,
        dayname(cheapest.day) as cheapest_weekday,
        cheapest.cost_usd as cheapest_cost_usd,
        dearest.day as dearest_day,
        dayname(dearest.day) as dearest_weekday,
        dearest.cost_usd as dearest_cost_usd,
        totals.output_cost_usd,
        pct_of(totals.output_cost_usd, totals.catalogue_priced_usd) as output_share_pct,
        totals.catalogue_priced_usd,
        totals.requests,
        unbilled.nonbillable_requests,
        totals.batch_requests,
        totals.input_tokens,
        totals.output_tokens,
        case when totals.output_tokens > 0 then totals.input_tokens::double / totals.output_tokens end
            as input_per_output_token,
        unpriced.unpriced_rows,
        totals.unpriced_rows_in_totals,
        totals.stated_cost_usd,
        totals.stated_rows,
        pct_of(totals.stated_cost_usd, totals.total_cost_usd) as stated_share_pct,
        rejected.rejected_records,
        $prev_start::date as prev_start,
        $prev_end::date as prev_end,
        previous.prev_rows > 0 as has_previous,
        previous_calendar.prev_no_data_days,
        money_div(totals.total_cost_usd, totals.requests) as cost_per_request_usd,
        money_div((totals.total_cost_usd * 1000)::decimal(38, 12), totals.requests) as cost_per_1000_requests_usd,
        previous.prev_total_cost_usd,
        totals.total_cost_usd - previous.prev_total_cost_usd as change_usd,
        pct_of(totals.total_cost_usd - previous.prev_total_cost_usd, previous.prev_total_cost_usd) as change_pct
    from calendar_days
    cross join coverage
    cross join totals
    cross join unbilled
    cross join unpriced
    cross join rejected
    cross join previous
    cross join previous_calendar
    left join cheapest on true
    left join dearest on true
)

select
    *,
    usd(total_cost_usd) as total_cost_fmt,
    usd(stated_cost_usd) as stated_cost_fmt,
    pct(stated_share_pct) as stated_share_fmt,
    num(stated_rows) as stated_rows_fmt,
    usd(daily_average_usd) as daily_average_fmt,
    num(days) as days_fmt,
    num(covered_days) as covered_days_fmt,
    case
        when no_data_days = 0 then 'every day has data'
        when covered_days = 0 then 'no data in this period'
        else (case
                  when data_run_count > 1 then 'data on ' || data_runs
                  when first_data_day > period_start and last_data_day < period_end
                      then 'data from ' || strftime(first_data_day, '%Y-%m-%d')
                           || ' through ' || strftime(last_data_day, '%Y-%m-%d')
                  when first_data_day > period_start then 'data from ' || strftime(first_data_day, '%Y-%m-%d')
                  else 'data through ' || strftime(last_data_day, '%Y-%m-%d')
              end)
             || '; ' || num(no_data_days) || (case when no_data_days = 1 then ' day' else ' days' end)
             || ' without data'
    end as coverage_fmt,
    case
        when no_data_days = 0 then 'over ' || num(days) || ' calendar days, zero days included'
        when covered_days = 0 then 'no data in this period'
        else 'over ' || num(covered_days) || (case when covered_days = 1 then ' day' else ' days' end)
             || ' with data, zero days included'
    end as daily_average_basis_fmt,
    coalesce(no_data_runs, '') as no_data_runs_fmt,
    coalesce(strftime(cheapest_day, '%Y-%m-%d'), '—') as cheapest_day_fmt,
    coalesce(cheapest_weekday, '—') as cheapest_weekday_fmt,
    usd(cheapest_cost_usd) as cheapest_cost_fmt,
    coalesce(strftime(dearest_day, '%Y-%m-%d'), '—') as dearest_day_fmt,
    coalesce(dearest_weekday, '—') as dearest_weekday_fmt,
    usd(dearest_cost_usd) as dearest_cost_fmt,
    usd(output_cost_usd) as output_cost_fmt,
    pct(output_share_pct) as output_share_fmt,
    usd(catalogue_priced_usd) as catalogue_priced_fmt,
    num(requests) as requests_fmt,
    num(nonbillable_requests) as nonbillable_requests_fmt,
    num(batch_requests) as batch_requests_fmt,
    num(input_tokens) as input_tokens_fmt,
    num(output_tokens) as output_tokens_fmt,
    case when input_per_output_token is null then '—'
         else format('{:.1f}', round(input_per_output_token, 1)) || '×' end as input_per_output_token_fmt,
    num(unpriced_rows) as unpriced_rows_fmt,
    num(rejected_records) as rejected_records_fmt,
    strftime(prev_start, '%Y-%m-%d') || ' – ' || strftime(prev_end, '%Y-%m-%d') as prev_period_fmt,
    usd(prev_total_cost_usd) as prev_total_cost_fmt,
    usd_change(change_usd) as change_fmt,
    pct_change(change_pct) as change_pct_fmt,
    usd(forecast_usd) as forecast_fmt,
    strftime(period_end, '%Y-%m-%d') as period_end_fmt,
    usd6(cost_per_request_usd) as cost_per_request_fmt,
    usd(cost_per_1000_requests_usd) as cost_per_1000_requests_fmt,
    -- a change against or over a period with days without data compares unlike periods: say so
    case
        when not has_previous then ''
        when no_data_days > 0 and prev_no_data_days > 0
            then 'both periods have days without data (' || num(no_data_days) || ' now, ' || num(prev_no_data_days)
                 || ' then)'
        when no_data_days > 0
            then 'this period has ' || num(no_data_days) || (case when no_data_days = 1 then ' day' else ' days' end)
                 || ' without data'
        when prev_no_data_days > 0
            then 'the earlier period has ' || num(prev_no_data_days)
                 || (case when prev_no_data_days = 1 then ' day' else ' days' end) || ' without data'
        else ''
    end as partial_comparison_fmt
from final
