-- Display macros for report sections (DESIGN.md §2 Money, §5 Reports).
-- Rounding happens here, once: totals to cents, per-request amounts to 6 places,
-- a nonzero amount under a cent as '<$0.01'. Templates print these strings as they are.
-- Temporary macros, so a read-only warehouse connection can load them.
--
-- Display columns (the _fmt convention): a section's query returns its raw values (cost_usd, requests …) and,
-- beside them, the display strings made with these macros, named with the suffix _fmt (cost_fmt, requests_fmt …).
-- Templates print the _fmt columns and do no arithmetic; a section's CSV leaves out every column ending in _fmt
-- (DISPLAY_SUFFIX in pipeline/reports.py), so it holds the exact values.

-- Exact money ÷ count, half away from zero at 12 places (never `/` on DECIMAL: it turns into DOUBLE).
create or replace temp macro money_div(x, n) as
    case
        when x is null or n is null or n = 0 then null
        else (
            (sign(x) * ((abs(x::decimal(38, 12) * 1000000000000)::hugeint * 2 + abs(n)::hugeint)
                        // (abs(n)::hugeint * 2)) * sign(n))::decimal(38, 0)
            * 0.000000000001
        )::decimal(38, 12)
    end;

-- a / b as a percentage (DOUBLE; percentages are not money). NULL when b is 0 or NULL.
create or replace temp macro pct_of(a, b) as
    case when b is null or b = 0 or a is null then null else a::double / b::double * 100 end;

-- '1,234' for a non-negative integral amount, exact at any size.
create or replace temp macro _thousands(n) as format('{:,}', n::hugeint);

-- A money amount rounded to 2 places, with thousands separators: '1,234.56'.
create or replace temp macro _cents_text(x) as
    _thousands(floor(round(abs(x), 2))) || '.' || split_part(round(abs(x), 2)::decimal(38, 2)::varchar, '.', 2);

-- A money amount rounded to 6 places: '0.012345'.
create or replace temp macro _micros_text(x) as
    _thousands(floor(round(abs(x), 6))) || '.' || split_part(round(abs(x), 6)::decimal(38, 6)::varchar, '.', 2);

-- Totals: '$1,234.56', '$0.00', '<$0.01', '-$3.20', '—' for NULL.
create or replace temp macro usd(x) as
    case
        when x is null then '—'
        when x = 0 then '$0.00'
        when abs(x) < 0.01 then (case when x < 0 then '-' else '' end) || '<$0.01'
        else (case when x < 0 then '-' else '' end) || '$' || _cents_text(x)
    end;

-- Per-request amounts: '$0.004200', '<$0.000001', '—' for NULL.
create or replace temp macro usd6(x) as
    case
        when x is null then '—'
        when x = 0 then '$0.000000'
        when abs(x) < 0.000001 then (case when x < 0 then '-' else '' end) || '<$0.000001'
        else (case when x < 0 then '-' else '' end) || '$' || _micros_text(x)
    end;

-- Counts and token totals: '1,234,567', '—' for NULL.
create or replace temp macro num(n) as
    case when n is null then '—' when n < 0 then '-' || _thousands(abs(n)) else _thousands(n) end;

-- Counts in a table of mostly zeros: '1,234', '—' for 0 or NULL.
create or replace temp macro count_or_dash(n) as case when coalesce(n, 0) = 0 then '—' else num(n) end;

-- Percentages to one decimal: '65.3%', '0.0%' (never '-0.0%'), '—' for NULL.
create or replace temp macro pct(p) as
    case when p is null then '—' else format('{:.1f}', round(p::double, 1) + 0.0) || '%' end;

-- A signed percentage change: '+12.5%', '-3.0%', '—' for NULL.
create or replace temp macro pct_change(p) as
    case
        when p is null then '—'
        when round(p::double, 1) > 0 then '+' || format('{:.1f}', round(p::double, 1)) || '%'
        else format('{:.1f}', round(p::double, 1)) || '%'
    end;

-- A signed money change: '+$1.20', '-$0.35', '<$0.01' either way, '$0.00'.
create or replace temp macro usd_change(x) as
    case when x is not null and x > 0 then '+' || usd(x) else usd(x) end;

-- Billable requests of a row: 1 per billable request row (0 for a sub-inference row: request_count 0), request_count
-- per bucket row.
create or replace temp macro billable_requests(grain, billable, request_count) as
    case
        when grain = 'bucket' then coalesce(request_count, 0)
        when billable then coalesce(request_count, 1)
        else 0
    end;

-- All input tokens of a row: uncached + cache writes + cache reads.
create or replace temp macro input_tokens_all(uncached, write_5m, write_1h, cache_read) as
    coalesce(uncached, 0) + coalesce(write_5m, 0) + coalesce(write_1h, 0) + coalesce(cache_read, 0);

-- The spend rows of the local days since to until (both inclusive; NULL leaves that end open), each with the
-- measures that spend tables sum: requests (billable_requests), all_input_tokens (input_tokens_all) and model_label
-- (the catalogue's name, else the logged one). The summary, by_app_model and daily sections and `spendlog summary`
-- (sql/summary/summary.sql) read spend through it, so their money figures agree. Rows with nothing to sum — no
-- billable request, no token and a cost of exactly 0: errors, 429s, failed batch items — are left out, so no
-- table shows a "0 requests, $0.00" line; the errors section (sql/reports/errors.sql) lists them.
create or replace temp macro spend_rows(since, until) as table
with measured as (
    select
        *,
        billable_requests(grain, billable, request_count) as requests,
        input_tokens_all(input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens)
            as all_input_tokens,
        coalesce(canonical_model, model, '(no model)') as model_label
    from spend
    where (since is null or day >= since) and (until is null or day <= until)
)
select *
from measured
where not (requests = 0 and all_input_tokens = 0 and coalesce(output_tokens, 0) = 0 and cost_usd = 0);

-- The value of a row for a --by breakdown (reports and `spendlog summary`): by_dimension is app, model, api_key,
-- workspace, project, user or tag (tag_name: the tag); a row without that value is '(none)'.
create or replace temp macro breakdown_value(by_dimension, tag_name, app, model_label, api_key, workspace, project,
                                             user_id, tags) as
    coalesce(
        case by_dimension
            when 'app' then app
            when 'model' then model_label
            when 'api_key' then api_key
            when 'workspace' then workspace
            when 'project' then project
            when 'user' then user_id
            when 'tag' then tags[tag_name]
        end,
        '(none)');

-- Which local days of since to until (both inclusive) have data: one row per day, has_data when the day lies
-- within the first and last day of spend of at least one source (source_name: the [[sources]] entry, else the
-- file's format, so a home without [[sources]] has one source per format). Days before every source's first day
-- or after every source's last are "no data", not $0 days: reports leave them out of the daily average and the
-- cheapest day. A day inside a source's range without spend is a real $0 day. With several sources, one source's
-- range is enough (a source that starts or stops later is an app that started or stopped; its range is stated in
-- the data-quality section), so a day is "no data" only when no source had begun or every source had ended.
-- sources_with_data counts the sources whose range holds the day.
create or replace temp macro covered_days(since, until) as table
with ranges as (
    select source_name, min(day) as first_day, max(day) as last_day
    from spend
    group by source_name
),

calendar as (
    select d::date as day from generate_series(since::date, until::date, interval 1 day) as t (d)
)

select
    calendar.day,
    count(ranges.source_name) > 0 as has_data,
    count(ranges.source_name) as sources_with_data
from calendar
left join ranges on calendar.day between ranges.first_day and ranges.last_day
group by calendar.day;

-- A provider's or biller's display name: 'Anthropic', 'OpenAI', …; other names as they are.
create or replace temp macro provider_name(provider) as
    case provider
        when 'anthropic' then 'Anthropic'
        when 'openai' then 'OpenAI'
        when 'google' then 'Google'
        when 'openrouter' then 'OpenRouter'
        when 'mistral' then 'Mistral'
        else provider
    end;

-- A timestamp in the report's timezone, to the minute.
create or replace temp macro local_minute(ts, tz) as
    case when ts is null then '—' else strftime(timezone(tz, ts), '%Y-%m-%d %H:%M') end;

-- A count and its noun: '1 request', '1,234 requests'.
create or replace temp macro count_of(n, noun) as num(n) || ' ' || noun || case when n = 1 then '' else 's' end;

-- Each local day of since to until (both inclusive) against its trailing average, for the whole home (scope
-- 'total') and each app with spend in the day's window (scope 'app <name>', app its name): the day's spend, the
-- spend of the trailing_days days before it and how many of them have data (a day with no data at all is not a $0
-- day), their average and spike: the day's spend is at least spike_floor_usd and more than spike_ratio times that
-- average (compared without dividing money: cost × days > ratio × trailing sum); a scope with no spend before has no
-- baseline and never spikes. sql/reports/trailing.sql (the daily report, the nightly alerts) reads one day of it,
-- the findings' spikes (sql/reports/_findings.sql) every day of a period.
create or replace temp macro trailing_spend(since, until, trailing_days, spike_ratio, spike_floor_usd) as table
with calendar as (
    select d::date as day from generate_series(since::date, until::date, interval 1 day) as t (d)
),

data_days as (
    select distinct day
    from priced_usage
    where day between since::date - trailing_days::integer and until::date
),

window_days as (
    select calendar.day, count(data_days.day)::integer as n
    from calendar
    left join data_days on data_days.day between calendar.day - trailing_days::integer and calendar.day - 1
    group by calendar.day
),

scoped_spend as (
    select day, 'total' as scope, null::varchar as app, cost_usd
    from spend where day between since::date - trailing_days::integer and until::date
    union all
    select day, 'app ' || coalesce(app, 'unattributed'), app, cost_usd
    from spend where day between since::date - trailing_days::integer and until::date
),

scope_days as (
    select day, scope, min(app) as app, sum(cost_usd) as cost_usd
    from scoped_spend
    group by day, scope
),

scoped as (
    select
        calendar.day,
        scope_days.scope,
        min(scope_days.app) as app,
        coalesce(sum(scope_days.cost_usd) filter (where scope_days.day = calendar.day), 0)::decimal(38, 12)
            as day_cost_usd,
        coalesce(sum(scope_days.cost_usd) filter (where scope_days.day < calendar.day), 0)::decimal(38, 12)
            as trailing_cost_usd,
        window_days.n as trailing_days_with_data
    from calendar
    join window_days on window_days.day = calendar.day
    join scope_days on scope_days.day between calendar.day - trailing_days::integer and calendar.day
    group by calendar.day, scope_days.scope, window_days.n
)

select
    *,
    money_div(trailing_cost_usd, trailing_days_with_data) as average_usd,
    trailing_days_with_data > 0
        and trailing_cost_usd > 0
        and day_cost_usd >= spike_floor_usd::decimal(18, 6)
        and day_cost_usd * trailing_days_with_data > spike_ratio::decimal(18, 6) * trailing_cost_usd as spike
from scoped;

-- A forecast for a month's end, the budgets' method: month to date + the trailing spend ÷ its days with data × the
-- days ahead (through money_div; no days with data adds nothing).
create or replace temp macro forecast_ahead(mtd_usd, trailing_usd, days_with_data, days_ahead) as
    (mtd_usd + coalesce(money_div((trailing_usd * days_ahead)::decimal(38, 12), days_with_data), 0))::decimal(38, 12);

-- Each budget (names[i], amounts[i] USD per month: 'total', or an app) on the local day as_of: its month's bounds,
-- month to date, the spend of the trailing_days days up to as_of and how many of those days have data in any scope
-- (a day with no data at all is not a $0 day), the days left in the month and the forecast for its end
-- (forecast_ahead), its state and display name. sql/reports/budgets.sql and budget_burndown.sql read it, so their
-- figures agree.
create or replace temp macro budget_forecasts(as_of, names, amounts, trailing_days) as table
with budgets as (
    select unnest(names::varchar[]) as name, unnest(amounts::decimal(18, 2)[]) as budget_usd
),

bounds as (
    select
        date_trunc('month', as_of::date)::date as month_start,
        (date_trunc('month', as_of::date) + interval 1 month - interval 1 day)::date as month_end,
        (as_of::date - (trailing_days::integer - 1))::date as trailing_start
),

days_with_data as (
    select count(distinct day)::integer as n
    from priced_usage, bounds
    where day between bounds.trailing_start and as_of::date
),

scoped as (
    select
        budgets.name,
        budgets.budget_usd,
        coalesce(sum(spend.cost_usd) filter (where spend.day >= bounds.month_start), 0)::decimal(38, 12) as mtd_usd,
        coalesce(sum(spend.cost_usd) filter (where spend.day >= bounds.trailing_start), 0)::decimal(38, 12)
            as trailing_usd
    from budgets
    cross join bounds
    left join spend
      on (budgets.name = 'total' or spend.app = budgets.name)
     and spend.day between least(bounds.month_start, bounds.trailing_start) and as_of::date
    group by budgets.name, budgets.budget_usd
),

forecast as (
    select
        scoped.*,
        bounds.month_start,
        bounds.month_end,
        days_with_data.n as trailing_days_with_data,
        date_diff('day', as_of::date, bounds.month_end)::integer as days_left,
        forecast_ahead(scoped.mtd_usd, scoped.trailing_usd, days_with_data.n,
                       date_diff('day', as_of::date, bounds.month_end)) as forecast_usd
    from scoped, bounds, days_with_data
)

select
    *,
    case when mtd_usd > budget_usd then 'over budget'
         when forecast_usd > budget_usd then 'forecast over'
         else 'on track' end as state,
    case when name = 'total' then 'Total' else name end as name_label
from forecast;
