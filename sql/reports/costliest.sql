-- The five costliest requests of the period, each with a one-line reason: its price tier and flags and what its
-- components cost (the full story: spendlog prices explain REQUEST_ID). Params: $start, $end.
with ranked as (
    select *
    from spend_rows($start, $end)
    where grain = 'request' and cost_usd is not null and cost_usd > 0
    order by cost_usd desc, ts, request_id
    limit 5
)

select
    request_id,
    app,
    model_label as model,
    ts,
    input_tokens,
    cache_write_5m_tokens + cache_write_1h_tokens as cache_write_tokens,
    cache_read_tokens,
    output_tokens,
    cost_usd,
    coalesce(request_id, '(no id)') as request_label,
    coalesce(app, 'unattributed') as app_label,
    strftime(timezone($tz, ts), '%H:%M') as local_time_fmt,
    usd6(cost_usd) as cost_fmt,
    concat_ws(' · ',
        replace(price_tier, '_', '-') || ' tier' || case when batch then ', batch' else '' end,
        'input ' || num(input_tokens) || ' tokens ' || usd6(input_cost_usd),
        case when coalesce(cache_write_cost_usd, 0) + coalesce(cache_read_cost_usd, 0) > 0
             then 'cache ' || usd6(coalesce(cache_write_cost_usd, 0) + coalesce(cache_read_cost_usd, 0)) end,
        'output ' || num(output_tokens) || ' tokens ' || usd6(output_cost_usd),
        case when coalesce(tool_cost_usd, 0) > 0 then 'tools ' || usd6(tool_cost_usd) end
    ) as reason
from ranked
order by cost_usd desc, ts, request_id
