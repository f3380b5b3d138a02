-- What-if pricing: the table macros price_as_targets(names), price_as_target(target_model),
-- price_as_each(relation), price_as(target_model [, relation]) and price_at(price_day [, relation]) (at the end).
-- `select * from price_as('claude-opus-4-6')` is every row of priced_usage (or of the table or view named by
-- relation := '…') priced as if it had run on the target, by sql/model/pricing.sql itself (its macro pricing_steps
-- over the CTEs price_as_input and price_as_catalog), plus
-- price_as_model, price_as_price_id, price_as_tier, cost_as_usd and price_as_flags.
-- Rules for the target: its price row at the request's UTC date; before its first row its earliest row (flag
-- price_as_earliest), after its last row (or in a gap) the latest row before (flag price_as_latest); cache writes
-- at its write rates, or its input rate where it has none (OpenAI, Gemini), cache reads likewise; its own
-- long-context threshold decides the tier; the request keeps its batch, speed, service tier and inference_geo,
-- and US-only inference on a target without a US multiplier is priced at x1 (flag price_as_no_geo). The target's
-- contract multipliers apply. Needs the catalogue tables and the pricing macros (sql/model/).

-- price_as_targets(names): each distinct target name of the relation named by names (its column price_as_target)
-- with the catalogue provider and model it prices as: the catalogue name itself, else an alias; an unknown or
-- ambiguous name is an error. price_as_target(target_model) is one name's.
create or replace macro price_as_targets(names) as table
with wanted as (
    select distinct price_as_target, lower(trim(price_as_target)) as name
    from query_table(names)
),

candidates as (
    select w.price_as_target, c.provider, c.model, case when c.layer = 'imported' then 2 else 1 end as match_rank,
           0 as alias_line
    from (select distinct provider, model, layer from price_catalog) c
    join wanted w on c.model = w.name
    union all
    select w.price_as_target, a.provider, a.model, case when a.layer = 'imported' then 4 else 3 end as match_rank,
           case when a.layer = 'imported' then a.source_line else 0 end as alias_line
    from model_aliases a
    join wanted w on regexp_full_match(w.name, a.pattern)
    -- a catalogue name outranks every alias: match aliases (a regular expression each) only for the other names
    where not exists (select 1 from price_catalog c where c.model = w.name)
),

-- a curated (or user) name beats an imported one, a curated alias an imported one; of a provider's imported
-- aliases the first in the file wins (genai-prices' order), as in sql/model/pricing.sql
first_imported as (
    select * from candidates
    qualify match_rank < 4
         or row_number() over (partition by price_as_target, provider, match_rank order by alias_line) = 1
),

best as (
    select distinct price_as_target, provider, model
    from first_imported
    qualify rank() over (partition by price_as_target order by match_rank) = 1
)

select
    w.price_as_target,
    case count(b.provider)
        when 1 then min(b.provider)
        when 0 then error('price_as: ''' || w.price_as_target || ''' is no catalogue model or alias')
        else error('price_as: ''' || w.price_as_target || ''' names '
                   || string_agg(b.provider || '/' || b.model, ' and ' order by b.provider, b.model)
                   || ': name one')
    end as provider,
    min(b.model) as model
from wanted w
left join best b on b.price_as_target is not distinct from w.price_as_target
group by w.price_as_target;

create or replace macro price_as_target(target_model) as table
with price_as_wanted as (
    select target_model as price_as_target
)
select provider, model from price_as_targets('price_as_wanted');

-- pricing_groups(relation): the rows of the relation summed into groups that price alike, so that a what-if prices
-- a few hundred groups, not every request. A group is a UTC day (ts becomes its midnight) and the value of every
-- other column, and sums the token counts, web search calls, requests, request_count and money (the columns ending
-- in _usd: a key column must not end so). Each is a bucket (grain 'bucket'): a request row's context_window becomes
-- the range of prompt sizes, between two of the catalogue's long-context thresholds, that its prompt lies in
-- (window_bounds, sql/model/pricing.sql), so a group is on the tier each of its rows is on, whatever the
-- threshold; a bucket row keeps its own. Rows with nothing to count stay apart from the others (count_free):
-- pricing gives them 0 or leaves them unpriced, whatever the group's sums. Pricing is linear in the counts, so a
-- group costs what its rows cost, to the 12th decimal place (a multiplier other than 1 rounds each product there:
-- per row, or per group).
create or replace macro pricing_groups(relation) as table
with thresholds as (
    select coalesce(list(distinct lc_threshold order by lc_threshold) filter (where lc_threshold is not null),
                    []) as t
    from price_catalog
),

keyed as (
    select r.* exclude (_prompt) replace (
               timezone('UTC', cast(cast(timezone('UTC', r.ts) as date) as timestamp)) as ts,
               'bucket' as grain,
               case when r.grain = 'bucket' then r.context_window
                    else coalesce(thresholds.t[len(list_filter(thresholds.t, lambda x: x < r._prompt))], 0)::varchar
                         || '-'
                         || coalesce(thresholds.t[len(list_filter(thresholds.t, lambda x: x < r._prompt)) + 1]::varchar, '')
               end as context_window
           ),
           billed_count(r) = 0 as count_free
    from (select *, coalesce(input_tokens, 0) + coalesce(cache_write_5m_tokens, 0) + coalesce(cache_write_1h_tokens, 0)
                    + coalesce(cache_read_tokens, 0) as _prompt
          from query_table(relation)) r, thresholds
)

select columns(lambda c: c not in ['input_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens',
                                    'cache_read_tokens', 'output_tokens', 'reasoning_tokens', 'web_search_requests',
                                    'requests', 'request_count'] and not suffix(c, '_usd')),
       sum(columns(lambda c: c in ['input_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens',
                                   'cache_read_tokens', 'output_tokens', 'reasoning_tokens', 'web_search_requests',
                                   'requests', 'request_count'] or suffix(c, '_usd')))
from keyed
group by all;

-- `select * from price_as_each('my_rows')`: every row of the relation priced as price_as prices it, each on the
-- target its column price_as_target names (a catalogue name or alias), so that one statement prices rows on many
-- targets (the what-if section: sql/reports/whatif_prepare.sql). The relation's columns, then the five of price_as,
-- in no particular order (price_as keeps the relation's).
create or replace macro price_as_each(relation) as table
with price_as_rows as materialized (
    select row_number() over () as price_as_row, *
    from query_table(relation)
),

price_as_target_models as (
    select * from price_as_targets('price_as_rows')
),

price_as_catalog as (
    select p.* replace (
               coalesce(p.cache_write_5m, p.input) as cache_write_5m,
               coalesce(p.cache_write_1h, p.input) as cache_write_1h,
               coalesce(p.cache_read, p.input) as cache_read,
               coalesce(p.lc_cache_write_5m, p.lc_input) as lc_cache_write_5m,
               coalesce(p.lc_cache_write_1h, p.lc_input) as lc_cache_write_1h,
               coalesce(p.lc_cache_read, p.lc_input) as lc_cache_read,
               cast(coalesce(p.us_geo_multiplier, 1) as decimal(18, 6)) as us_geo_multiplier
           ),
           p.us_geo_multiplier is null as no_geo
    from price_catalog p
    join (select distinct provider, model from price_as_target_models) t
      on p.provider = t.provider and p.model = t.model
),

asked_days as (
    select distinct price_as_target, cast(timezone('UTC', ts) as date) as asked
    from price_as_rows
    where ts is not null
),

day_rules as (
    select d.price_as_target,
           d.asked,
           case
               when bool_or(p.effective_from <= d.asked and (p.effective_to is null or d.asked < p.effective_to))
                   then d.asked
               when d.asked < min(p.effective_from) then min(p.effective_from)
               else max(p.effective_from) filter (where p.effective_from <= d.asked)
           end as priced_on
    from asked_days d
    join price_as_target_models t on t.price_as_target is not distinct from d.price_as_target
    join price_as_catalog p on p.provider = t.provider and p.model = t.model
    group by d.price_as_target, d.asked
),

price_as_input as (
    select r.price_as_row,
           t.provider,
           t.provider as billed_by,
           t.model,
           case when dr.priced_on = dr.asked then r.ts else cast(dr.priced_on as timestamptz) end as ts,
           dr.asked,
           dr.priced_on,
           r.billable, r.usage_missing, r.grain, r.context_window,
           r.input_tokens, r.cache_write_5m_tokens, r.cache_write_1h_tokens, r.cache_read_tokens, r.output_tokens,
           r.web_search_requests, r.batch, r.service_tier, r.speed, r.inference_geo
    from price_as_rows r
    join price_as_target_models t on t.price_as_target is not distinct from r.price_as_target
    left join day_rules dr
      on dr.price_as_target is not distinct from r.price_as_target and dr.asked = cast(timezone('UTC', r.ts) as date)
),

price_as_priced as (
    select * from pricing_steps('price_as_input', 'price_as_catalog')
)

select r.* exclude (price_as_row),
       p.canonical_model as price_as_model,
       p.price_id as price_as_price_id,
       p.price_tier as price_as_tier,
       p.cost_usd as cost_as_usd,
       list_filter([
           case when p._billable and p.priced_on > p.asked then 'price_as_earliest' end,
           case when p._billable and p.priced_on < p.asked then 'price_as_latest' end,
           case when p._billable and p._us and p._price.no_geo then 'price_as_no_geo' end
       ], lambda flag: flag is not null) || p.price_flags as price_as_flags
from price_as_rows r
join price_as_priced p using (price_as_row);

create or replace macro price_as(target_model, relation := 'priced_usage') as table
with price_as_targeted as (
    select row_number() over () as price_as_order, *, target_model as price_as_target
    from query_table(relation)
)
select * exclude (price_as_order, price_as_target)
from price_as_each('price_as_targeted')
order by price_as_order;

-- `select * from price_at(date '2026-02-28', relation := 'my_rows')`: every row of the relation (default
-- priced_usage) priced by sql/model/pricing.sql as if it had run on that UTC day: same model, same usage, the price
-- row (and contract multiplier) in force that day. Adds price_at_price_id, cost_at_usd and cost_without_cache_at_usd,
-- NULL where the model had no price that day. The drivers section (sql/reports/drivers.sql) prices this period's
-- requests at the previous period's prices with it.
create or replace macro price_at(price_day, relation := 'priced_usage') as table
with price_at_rows as materialized (
    select row_number() over () as price_at_row, *
    from query_table(relation)
),

price_at_input as (
    select price_at_row, provider, billed_by, model, timezone('UTC', price_day::timestamp) as ts,
           billable, usage_missing, grain, context_window,
           input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, output_tokens,
           web_search_requests, batch, service_tier, speed, inference_geo
    from price_at_rows
),

price_at_priced as (
    select * from pricing_steps('price_at_input', 'price_catalog')
)

select r.* exclude (price_at_row),
       p.price_id as price_at_price_id,
       p.cost_usd as cost_at_usd,
       p.cost_without_cache_usd as cost_without_cache_at_usd
from price_at_rows r
join price_at_priced p using (price_at_row)
order by r.price_at_row
