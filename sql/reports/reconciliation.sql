-- Reconciliation: the cost spendlog computes from the catalogue against the cost a provider or gateway states
-- (reported_cost_usd), one line per UTC day × provider × statement source × model.
--
-- Which rows are compared with which:
-- * A cost export (anthropic_cost_report, console_cost_csv, openai_costs_api, openai_dashboard_cost_csv, the
--   OpenRouter daily activity CSV: bucket rows carrying reported_cost_usd) states what its provider charged for a
--   day. Each export is compared with everything the totals count of that UTC day, provider and model (the `spend`
--   rows: request rows, else the usage buckets of a day without request logs), priced from the catalogue; money-only
--   rows (no tokens) are never on the computed side. Every model of the computed side is a line even when the
--   export does not name it (stated $0), and every model the export names is a line even when nothing was
--   computed for it (computed $0). An export's line without a model (Anthropic's "Web Search") is compared with the
--   day's tool charges (tool_cost_usd, web search); that export's model lines then leave the tool charges out.
-- * A request row that states its own cost (OpenRouter, LiteLLM, Helicone, Langfuse logs) is compared with the
--   catalogue price of that same row: its source's line sums the stated and the computed cost of exactly the rows
--   that state one, whether or not the row counts in totals (a gateway marked role = "mirror" is compared too).
-- * Statements from a billing = "subscription" source are left out: a subscription is not charged per token.
--   Two exports of the same charges (the Admin API cost report and a Console CSV) are two statements: each has its
--   own lines, nothing is summed across them.
-- The computed side is always the catalogue's price (catalogue_cost_usd): a row whose cost_usd is the cost its
-- source states (cost_basis 'stated': OpenRouter's total_cost) is never compared with itself, and one the catalogue
-- cannot price is unpriced here.
-- The provider is who bills (billed_by, else provider), the model the canonical model (else the model as logged).
-- Days are UTC days, as the exports state them: each belongs to the report of the local day that holds its start
-- (with timezone UTC, the period's days).
--
-- The rule: a line is flagged when |computed − stated| > 1% of the stated cost (exactly: 100 × |difference| >
-- |stated|), so a stated $0 (or a model the export does not name) against any computed cost is flagged, and $0
-- against $0 is not; and when a computed row is unpriced (its cost is unknown, so the computed side is short).
-- difference_pct is the difference as a percentage of the stated cost (NULL when that is 0).
-- Params: start, end (inclusive local days), tz (the timezone of the day column).
with utc_days as (
    select d::date as utc_day
    from generate_series($start::date - 1, $end::date + 1, interval 1 day) as t (d)
    where timezone($tz, timezone('UTC', d::timestamp))::date between $start and $end
),

period as (
    select * replace (catalogue_cost_usd as cost_usd),
           ts::date as utc_day,
           coalesce(billed_by, provider) as biller,
           coalesce(canonical_model, model) as model_key,
           grain = 'bucket' and reported_cost_usd is not null
               and input_tokens_all(input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens)
                   + coalesce(output_tokens, 0) + coalesce(web_search_requests, 0) = 0 as money_only
    from priced_usage
    where ts::date in (select utc_day from utc_days)
),

export_rows as (
    select * from period
    where grain = 'bucket' and reported_cost_usd is not null and source_billing = 'api'
),

exports as (
    select utc_day, biller, source_name, bool_or(model_key is null) as states_tools_apart
    from export_rows
    group by all
),

export_stated as (
    select utc_day, biller, source_name, model_key, sum(reported_cost_usd) as stated_cost_usd
    from export_rows
    group by all
),

counted as (
    select e.source_name, e.states_tools_apart, p.utc_day, p.biller, p.model_key, p.cost_usd, p.tool_cost_usd
    from period p
    join exports e on e.utc_day = p.utc_day and e.biller is not distinct from p.biller
    where p.in_totals and not p.money_only
),

-- each counted row's cost on its model's line; the tool charges on the line without a model where the export has one
contributions as (
    select utc_day, biller, source_name, model_key,
           case when states_tools_apart then cost_usd - tool_cost_usd else cost_usd end as cost_usd
    from counted
    union all
    select utc_day, biller, source_name, null as model_key, tool_cost_usd as cost_usd
    from counted
    where states_tools_apart and model_key is not null and tool_cost_usd is distinct from 0
),

export_computed as (
    select utc_day, biller, source_name, model_key,
           sum(cost_usd) as computed_cost_usd,
           count(*) filter (where cost_usd is null) as unpriced_rows,
           count(*) as computed_rows
    from contributions
    group by all
),

export_lines as (
    select
        'export' as stated_in,
        coalesce(s.utc_day, c.utc_day) as utc_day,
        coalesce(s.biller, c.biller) as biller,
        coalesce(s.source_name, c.source_name) as source_name,
        coalesce(s.model_key, c.model_key) as model_key,
        coalesce(c.computed_cost_usd, 0)::decimal(38, 12) as computed_cost_usd,
        coalesce(s.stated_cost_usd, 0)::decimal(38, 12) as stated_cost_usd,
        coalesce(c.computed_rows, 0) as computed_rows,
        coalesce(c.unpriced_rows, 0) as unpriced_rows
    from export_stated s
    full join export_computed c
      on c.utc_day = s.utc_day
     and c.biller is not distinct from s.biller
     and c.source_name = s.source_name
     and c.model_key is not distinct from s.model_key
),

request_lines as (
    select
        'requests' as stated_in,
        utc_day,
        biller,
        source_name,
        model_key,
        coalesce(sum(cost_usd), 0)::decimal(38, 12) as computed_cost_usd,
        sum(reported_cost_usd)::decimal(38, 12) as stated_cost_usd,
        count(*) as computed_rows,
        count(*) filter (where cost_usd is null) as unpriced_rows
    from period
    where grain = 'request' and reported_cost_usd is not null and source_billing = 'api'
    group by all
),

lines as (
    select *,
           computed_cost_usd - stated_cost_usd as difference_usd,
           unpriced_rows > 0 or abs(computed_cost_usd - stated_cost_usd) * 100 > abs(stated_cost_usd) as flagged
    from (select * from export_lines union all select * from request_lines)
    where computed_cost_usd <> 0 or stated_cost_usd <> 0 or unpriced_rows > 0
)

select
    utc_day,
    biller as provider,
    model_key as model,
    source_name as stated_by,
    stated_in,
    computed_cost_usd,
    stated_cost_usd,
    difference_usd,
    pct_of(difference_usd, stated_cost_usd) as difference_pct,
    flagged,
    computed_rows,
    unpriced_rows,
    count(*) over () as lines,
    count(*) filter (where flagged) over () as flagged_lines,
    count(*) filter (where unpriced_rows > 0) over () as unpriced_lines,
    num(count(*) over ()) as lines_fmt,
    num(count(*) filter (where flagged) over ()) as flagged_lines_fmt,
    strftime(utc_day, '%Y-%m-%d') as day_fmt,
    coalesce(provider_name(biller), '(no provider)') as provider_fmt,
    coalesce(model_key, '(no model: tools)') as model_fmt,
    usd(computed_cost_usd) || case when unpriced_rows > 0 then chr(160) || '†' else '' end as computed_fmt,
    usd(stated_cost_usd) as stated_fmt,
    usd_change(difference_usd) as difference_fmt,
    pct_change(pct_of(difference_usd, stated_cost_usd)) as difference_pct_fmt,
    case when flagged then 'FLAGGED' else '' end as flag_fmt
from lines
order by utc_day, biller, source_name, model_key nulls last
