-- Errors by app and local day, a total per app and overall: requests that failed and were not billed (rows of spend
-- with no billable request, the rows that spend_rows leaves out of the spend tables). The totals carry the days with
-- errors, the worst day and the share of the app's request rows that failed; the pages show the totals, the CSV every
-- day too. Kinds: rate_limited (HTTP
-- 429), overloaded (HTTP 529), batch_failed (a Batch API item that errored, expired or was canceled, by its error
-- type) and other (any other HTTP error by status, else by error type).
-- Retried: an error (not a batch item) followed by the next request of the same app, model and API key within
-- 60 seconds of the error's end (ts + latency). Logs hold no request bodies, so "near-identical" can only mean
-- the same app, model and key: a likely retry, not a proven one.
-- Params: $start, $end (inclusive local days).
with requests as (
    select
        app,
        day,
        ts,
        coalesce(canonical_model, model) as model_key,
        api_key,
        billable,
        batch,
        http_status,
        error_type,
        source_file,
        source_line,
        ts + to_milliseconds(coalesce(latency_ms, 0)) as ended_at
    from spend
    where grain = 'request' and day between $start::date - 1 and $end::date + 1  -- a retry may cross midnight
),

followed as (
    select
        *,
        lead(ts) over (partition by app, model_key, api_key order by ts, source_file, source_line) as next_ts
    from requests
),

errors as (
    select
        app,
        day,
        case
            when batch then 'batch_failed'
            when http_status = 429 then 'rate_limited'
            when http_status = 529 then 'overloaded'
            else 'other'
        end as error_kind,
        case
            when batch then coalesce(error_type, 'failed')
            when http_status is not null then 'HTTP ' || http_status
            else error_type
        end as error_label,
        not batch and next_ts is not null and next_ts <= ended_at + interval 60 second as retried
    from followed
    where not billable
      and (http_status >= 400 or error_type is not null or batch)
      and day between $start and $end
),

by_label as (
    select
        grouping(app, day) as level,
        app,
        day,
        error_kind,
        error_label,
        count(*) as n,
        count(*) filter (where retried) as retried
    from errors
    group by grouping sets ((app, day, error_kind, error_label), (app, error_kind, error_label),
                            (error_kind, error_label))
),

grouped as (
    select
        level,
        app,
        day,
        sum(n)::bigint as errors,
        coalesce(sum(n) filter (where error_kind = 'rate_limited'), 0)::bigint as rate_limited,
        coalesce(sum(n) filter (where error_kind = 'overloaded'), 0)::bigint as overloaded,
        coalesce(sum(n) filter (where error_kind = 'other'), 0)::bigint as other_errors,
        coalesce(sum(n) filter (where error_kind = 'batch_failed'), 0)::bigint as batch_failed,
        sum(retried)::bigint as retried,
        string_agg(error_label || ' ×' || n, ', ' order by n desc, error_label)
            filter (where error_kind = 'other') as other_errors_detail,
        string_agg(error_label || ' ×' || n, ', ' order by n desc, error_label)
            filter (where error_kind = 'batch_failed') as batch_failed_detail
    from by_label
    group by level, app, day
),

attempts as (
    select app, count(*) as request_rows
    from requests
    where day between $start and $end
    group by rollup (app)
),

days as (
    select
        app,
        count(distinct day) as days_with_errors,
        arg_max(day, (errors, -epoch(day))) as worst_day,
        max(errors) as worst_day_errors
    from grouped
    where level = 0
    group by grouping sets ((app), ())
),

final as (
    select
        case level when 0 then 'day' when 1 then 'app_total' else 'total' end as row_kind,
        grouped.*,
        case when level > 0 then days.days_with_errors end as days_with_errors,
        case when level = 1 then days.worst_day end as worst_day,
        case when level = 1 then days.worst_day_errors end as worst_day_errors,
        pct_of(errors, attempts.request_rows) as error_pct,
        max(case when level = 1 then errors end) over (partition by grouped.app) as app_errors
    from grouped
    left join days on days.app is not distinct from grouped.app and level > 0
    left join attempts on attempts.app is not distinct from grouped.app and level > 0
)

select
    row_kind,
    app,
    day,
    errors,
    rate_limited,
    overloaded,
    other_errors,
    batch_failed,
    retried,
    other_errors_detail,
    batch_failed_detail,
    days_with_errors,
    worst_day,
    worst_day_errors,
    error_pct,
    case row_kind when 'total' then 'Total' else app end as app_label,
    case row_kind when 'day' then strftime(day, '%a %d %b') when 'app_total' then 'all days' else 'all apps' end
        as day_label,
    num(errors) as errors_fmt,
    count_or_dash(rate_limited) as rate_limited_fmt,
    count_or_dash(overloaded) as overloaded_fmt,
    count_or_dash(other_errors) as other_errors_fmt,
    count_or_dash(batch_failed) as batch_failed_fmt,
    count_or_dash(retried) as retried_fmt,
    coalesce(other_errors_detail, '') as other_errors_detail_fmt,
    coalesce(batch_failed_detail, '') as batch_failed_detail_fmt,
    coalesce(num(days_with_errors), '') as days_with_errors_fmt,
    case when worst_day is not null then strftime(worst_day, '%a %d %b') || ' (' || num(worst_day_errors) || ')'
         else '' end as worst_day_fmt,
    coalesce(pct(error_pct), '') as error_pct_fmt
from final
order by level = 3, app_errors desc, app, level, day
