-- Prices every usage row (DESIGN.md §2 "Money", §3 "Pricing"; reference/pricing.md §b), as two table macros:
--   pricing(input)                  the rows of the relation named by input (canonical usage columns), then
--                                   canonical_model, price_id, price_tier, price_flags and the costs, DECIMAL(38,12):
--                                   NULL in every cost column when a billable row cannot be priced, 0 when it is
--                                   not billable;
--   pricing_steps(input, catalog)   the same with the working columns kept (they start with `_`: `_price`, rates
--                                   `_r_*`, multipliers `_m_*`, components `_b_*` before and `_c_*` after the
--                                   multipliers …) and the price rows read from the relation named by catalog:
--                                   for `prices explain`, `prices list` and price_as (sql/prices/).
-- Also reads price_multipliers and model_aliases (sql/model/catalog.sql).
-- Where the rules are silent: speed = 'fast' on a row without fast rates bills at standard speed (fast mode was
-- withdrawn: such requests ran at standard speed), flagged fast_at_standard; a usage_missing row (billed, usage unknown) is unpriced with
-- flag usage_missing; a billable row whose every count is 0 (money-only exports) costs 0; priority rates
-- apply to the standard tier only (a long-context priority request is the long-context list price, flagged);
-- a bucket's tier is unknown only when its context_window cannot decide it for the row's threshold; a price row's
-- contract_multiplier (user rows) applies to every charge, web search included, times the contract multiplier row
-- (price_multipliers) in force for the model, else for its provider's `*`.
-- What a row bills by count (tokens and fee-bearing calls), for a row r of the canonical columns; money_only: a
-- billed row with no count but a stated cost (a cost export's bucket: sql/model/attribution.sql).
create or replace macro billed_count(r) as
    coalesce(r.input_tokens, 0) + coalesce(r.cache_write_5m_tokens, 0) + coalesce(r.cache_write_1h_tokens, 0)
    + coalesce(r.cache_read_tokens, 0) + coalesce(r.output_tokens, 0) + coalesce(r.web_search_requests, 0);
create or replace macro money_only(r) as
    coalesce(r.billable, true) and not coalesce(r.usage_missing, false) and r.reported_cost_usd is not null
    and billed_count(r) = 0;

-- A bucket's context_window as the range of its requests' prompt sizes, {low, high}: a prompt over low and at most
-- high tokens. Anthropic's labels '0-200k' and '200k-1M', or 'low-high' in tokens, high empty for no bound (the
-- groups of pricing_groups, sql/prices/price_as.sql); NULL bounds for any other text.
create or replace macro window_tokens(w, digits, unit) as
    nullif(regexp_extract(w, '^([0-9]+)([kM]?)-([0-9]*)([kM]?)$', digits), '')::bigint
    * case regexp_extract(w, '^([0-9]+)([kM]?)-([0-9]*)([kM]?)$', unit) when 'k' then 1000 when 'M' then 1000000 else 1 end;
create or replace macro window_bounds(w) as {'low': window_tokens(w, 1, 2), 'high': window_tokens(w, 3, 4)};

-- x (DECIMAL(38, 12)) times a multiplier m, rounded to 12 places; x itself where m is 1 (most rows: the multiply
-- is skipped, the value the same).
create or replace macro scaled(x, m) as case when m = 1 then x else cast(x * m as decimal(38, 12)) end;

create or replace macro pricing_steps(input, catalog) as table
-- Claude on Bedrock or Vertex AI is billed by AWS or Google at their own rates (audit §2.4; reference/pricing.md: not
-- the first-party catalogue): such a row is priced under its biller's provider id, 'aws' or 'google' (the ids the
-- formats give billed_by and genai-prices gives these providers), and so is a Claude model id only those clouds
-- use, whoever the log says billed it: `[geo.]anthropic.claude-…` (Bedrock), `claude-…@YYYYMMDD` or
-- `publishers/anthropic/models/…` (Vertex).
-- (Wide CTEs are read twice without being materialized: everything per row is computed once, in facts; the
-- per-model work is done once per distinct model string.)
with logged as (
    select distinct provider, billed_by, model from query_table(input)
),

price_providers as (
    select *,
           case
               when lower(billed_by) in ('aws', 'bedrock') then 'aws'
               when lower(billed_by) in ('google', 'vertex', 'vertex_ai') then 'google'
               when lower(provider) = 'anthropic'
                    and regexp_matches(lower(trim(model)), '^([a-z-]+\.)?anthropic\.claude') then 'aws'
               when lower(provider) = 'anthropic'
                    and regexp_matches(lower(trim(model)), '^(publishers/anthropic/models/)?claude[^@]*@\d{8}$|^publishers/anthropic/')
                    then 'google'
               else provider
           end as _price_provider
    from logged
),

logged_models as (
    select distinct _price_provider as provider, model from price_providers
),

canonical_names as (
    select distinct provider, model from query_table(catalog)
),

-- the catalogue name itself, else a curated alias, else the first imported alias in its file (genai-prices' own
-- order: its first matching model wins)
model_matches as (
    select m.provider, m.model, c.model as canonical_model, 1 as match_rank, 0 as alias_line
    from logged_models m
    join canonical_names c on c.provider = lower(m.provider) and c.model = lower(trim(m.model))
    union all
    select m.provider, m.model, a.model as canonical_model,
           case when a.layer = 'imported' then 3 else 2 end as match_rank,
           case when a.layer = 'imported' then a.source_line else 0 end as alias_line
    from logged_models m
    join model_aliases a
      on a.provider = lower(m.provider) and regexp_full_match(lower(trim(m.model)), a.pattern)
),

resolved_models as (
    select provider, model, first(canonical_model order by match_rank, alias_line, canonical_model) as canonical_model
    from model_matches
    group by provider, model
),

-- each distinct logged (provider, billed_by, model): the provider it is priced under and its catalogue model
model_keys as (
    select p.provider, p.billed_by, p.model, p._price_provider, r.canonical_model as _canonical_model
    from price_providers p
    left join resolved_models r on r.provider = p._price_provider and r.model = p.model
),

keyed as not materialized (
    select s.*,
           k._price_provider,
           k._canonical_model,
           cast(timezone('UTC', s.ts) as date) as _price_date
    from query_table(input) s
    left join model_keys k
      on k.provider is not distinct from s.provider and k.billed_by is not distinct from s.billed_by
     and k.model is not distinct from s.model
),

price_keys as (
    select distinct _price_provider as provider, _canonical_model, _price_date
    from keyed
    where _canonical_model is not null and _price_date is not null
),

dated_prices as (
    select k.provider, k._canonical_model, k._price_date, p as _price
    from price_keys k
    join query_table(catalog) p
      on p.provider = lower(k.provider)
     and p.model = k._canonical_model
     and p.effective_from <= k._price_date
     and (p.effective_to is null or k._price_date < p.effective_to)
    qualify row_number() over (
        partition by k.provider, k._canonical_model, k._price_date
        order by p.layer = 'user' desc, p.effective_from desc, p.price_id
    ) = 1
),

contract_terms as (
    select k.provider, k._canonical_model, k._price_date, m as _contract
    from price_keys k
    join price_multipliers m
      on m.provider = lower(k.provider)
     and m.model in (k._canonical_model, '*')
     and m.effective_from <= k._price_date
     and (m.effective_to is null or k._price_date < m.effective_to)
    qualify row_number() over (
        partition by k.provider, k._canonical_model, k._price_date
        order by m.model = '*', m.layer = 'user' desc, m.effective_from desc, m.price_id
    ) = 1
),

facts as (
    select k.*,
           d._price,
           c._contract,
           -- a billable row with nothing to price (a money-only export row) costs 0 like a non-billable one
           coalesce(k.billable, true) and (coalesce(k.usage_missing, false) or billed_count(k) > 0) as _billable,
           coalesce(k.input_tokens, 0) as _in,
           coalesce(k.cache_write_5m_tokens, 0) as _cw5m,
           coalesce(k.cache_write_1h_tokens, 0) as _cw1h,
           coalesce(k.cache_read_tokens, 0) as _cr,
           coalesce(k.output_tokens, 0) as _out,
           coalesce(k.web_search_requests, 0) as _ws,
           coalesce(k.batch, false) as _batch,
           coalesce(lower(k.speed) = 'fast', false) as _fast_requested,
           -- US-only inference (Anthropic inference_geo 'us') bills at us_geo_multiplier; so does every OpenAI
           -- data-residency region (us, eu, …), and an OpenAI model without the multiplier (released before
           -- 2026-03-05) bills there at list price (pricing.md a2)
           coalesce(case when lower(k.provider) = 'openai' then lower(k.inference_geo) <> 'global'
                         else lower(k.inference_geo) = 'us' end, false) as _us,
           coalesce(lower(k.service_tier), '') as _service_tier,
           case when k.grain = 'bucket' then window_bounds(k.context_window) end as _window
    from keyed k
    left join dated_prices d
      on d.provider = k._price_provider and d._canonical_model = k._canonical_model and d._price_date = k._price_date
    left join contract_terms c
      on c.provider = k._price_provider and c._canonical_model = k._canonical_model and c._price_date = k._price_date
),

tiers as (
    select *,
           -- fast rates only where the row has them; elsewhere fast requests bill at standard speed
           _fast_requested and _price.fast_input is not null and _price.fast_output is not null as _fast,
           case
               when _price.lc_threshold is null then false
               when grain = 'bucket' then coalesce(_window.low >= _price.lc_threshold, false)
               else _in + _cw5m + _cw1h + _cr > _price.lc_threshold
           end as _above,
           grain = 'bucket' and _price.lc_threshold is not null
               and not coalesce(_window.low >= _price.lc_threshold, false)
               and not coalesce(_window.high <= _price.lc_threshold, false) as _bucket_tier_unknown
    from facts
),

tier_choice as (
    select *,
           _fast and _above and _price.fast_lc_input is not null as _fast_lc,
           _service_tier = 'priority' and not _fast and not _above and _price.priority_input is not null as _priority_rates,
           _bucket_tier_unknown and (not _fast or _price.fast_lc_input is not null) as _tier_unknown,
           case when _fast then 'fast' when _above then 'long_context' else 'standard' end as _tier
    from tiers
),

rates as (
    select *,
           case
               when _fast_lc then _price.fast_lc_input
               when _fast then _price.fast_input
               when _above then _price.lc_input
               when _priority_rates then _price.priority_input
               else _price.input
           end as _r_in,
           case
               when _fast_lc then _price.fast_lc_output
               when _fast then _price.fast_output
               when _above then _price.lc_output
               when _priority_rates then _price.priority_output
               else _price.output
           end as _r_out,
           case
               when _fast_lc then cast(_price.fast_lc_input * 1.25 as decimal(18, 6))
               when _fast then cast(_price.fast_input * 1.25 as decimal(18, 6))
               when _above then _price.lc_cache_write_5m
               else _price.cache_write_5m
           end as _r_cw5m,
           case
               when _fast_lc then cast(_price.fast_lc_input * 2 as decimal(18, 6))
               when _fast then cast(_price.fast_input * 2 as decimal(18, 6))
               when _above then _price.lc_cache_write_1h
               else _price.cache_write_1h
           end as _r_cw1h,
           case
               -- the model's own cache-hit multiplier on the fast rate (audit D5: Opus 5.5 0.05x, Fable 5.2 0.025x)
               when _fast_lc then cast(_price.fast_lc_input * _price.cache_read / _price.input as decimal(18, 6))
               when _fast then cast(_price.fast_input * _price.cache_read / _price.input as decimal(18, 6))
               when _above then _price.lc_cache_read
               when _priority_rates then _price.priority_cache_read
               else _price.cache_read
           end as _r_cr,
           cast(case when _batch then coalesce(_price.batch_multiplier, 1) else 1 end as decimal(18, 6)) as _m_batch,
           cast(case when _batch then coalesce(_price.batch_cache_read_multiplier, _price.batch_multiplier, 1) else 1 end
                as decimal(18, 6)) as _m_batch_cache_read,
           cast(case when _us then coalesce(_price.us_geo_multiplier, 1) else 1 end as decimal(18, 6)) as _m_geo,
           cast(case when _service_tier = 'flex' then coalesce(_price.flex_multiplier, 1) else 1 end
                as decimal(18, 6)) as _m_flex,
           -- flex bills cached input as batch does (OpenAI: Flex at Batch rates, gpt-5.4's $0.13, audit D7; Gemini:
           -- cached input at the standard rate)
           cast(case when _service_tier = 'flex' and _price.flex_multiplier is not null
                     then coalesce(_price.batch_cache_read_multiplier, _price.flex_multiplier) else 1 end
                as decimal(18, 6)) as _m_flex_cache_read,
           cast(coalesce(_price.contract_multiplier, 1) * coalesce(_contract.contract_multiplier, 1)
                as decimal(18, 6)) as _m_contract
    from tier_choice
),

-- tokens x rate per component; `_c_` as billed, `_b_` before any multiplier, `_nb_` without the batch multiplier,
-- `_nc_` with every cached token billed as plain input at the tier's input rate, `_l_` at list price (every
-- multiplier but the contract's: for the FOCUS export's ListCost, sql/export/focus.sql). A NULL rate stays NULL only where
-- tokens are nonzero.
components as (
    select *,
           case when _in = 0 then 0 else cast(cast(_in as decimal(38, 0)) * _r_in * 0.000001 as decimal(38, 12)) end as _c_in,
           case when _cw5m = 0 then 0 else cast(cast(_cw5m as decimal(38, 0)) * _r_cw5m * 0.000001 as decimal(38, 12)) end as _c_cw5m,
           case when _cw1h = 0 then 0 else cast(cast(_cw1h as decimal(38, 0)) * _r_cw1h * 0.000001 as decimal(38, 12)) end as _c_cw1h,
           case when _cr = 0 then 0 else cast(cast(_cr as decimal(38, 0)) * _r_cr * 0.000001 as decimal(38, 12)) end as _c_cr,
           case when _out = 0 then 0 else cast(cast(_out as decimal(38, 0)) * _r_out * 0.000001 as decimal(38, 12)) end as _c_out,
           case when _in + _cw5m + _cw1h + _cr = 0 then 0
                else cast(cast(_in + _cw5m + _cw1h + _cr as decimal(38, 0)) * _r_in * 0.000001 as decimal(38, 12))
           end as _nc_in,
           case when _ws = 0 then 0
                else cast(cast(_ws as decimal(38, 0)) * _price.web_search_per_1k * 0.001 as decimal(38, 12))
           end as _c_tool
    from rates
),

unbatched as (
    select *,
           _c_in as _b_in, _c_cw5m as _b_cw5m, _c_cw1h as _b_cw1h, _c_cr as _b_cr, _c_out as _b_out, _c_tool as _b_tool,
           _c_in as _nb_in, _c_cw5m as _nb_cw5m, _c_cw1h as _nb_cw1h, _c_cr as _nb_cr, _c_out as _nb_out,
           _c_out as _nc_out
    from components
),

batched as (
    select * replace (
        scaled(_c_in, _m_batch) as _c_in,
        scaled(_c_cw5m, _m_batch) as _c_cw5m,
        scaled(_c_cw1h, _m_batch) as _c_cw1h,
        scaled(_c_cr, _m_batch_cache_read) as _c_cr,
        scaled(_c_out, _m_batch) as _c_out,
        scaled(_nc_in, _m_batch) as _nc_in,
        scaled(_nc_out, _m_batch) as _nc_out
    )
    from unbatched
),

geo as (
    select * replace (
        scaled(_c_in, _m_geo) as _c_in,
        scaled(_c_cw5m, _m_geo) as _c_cw5m,
        scaled(_c_cw1h, _m_geo) as _c_cw1h,
        scaled(_c_cr, _m_geo) as _c_cr,
        scaled(_c_out, _m_geo) as _c_out,
        scaled(_nb_in, _m_geo) as _nb_in,
        scaled(_nb_cw5m, _m_geo) as _nb_cw5m,
        scaled(_nb_cw1h, _m_geo) as _nb_cw1h,
        scaled(_nb_cr, _m_geo) as _nb_cr,
        scaled(_nb_out, _m_geo) as _nb_out,
        scaled(_nc_in, _m_geo) as _nc_in,
        scaled(_nc_out, _m_geo) as _nc_out
    )
    from batched
),

flex as (
    select * replace (
        scaled(_c_in, _m_flex) as _c_in,
        scaled(_c_cw5m, _m_flex) as _c_cw5m,
        scaled(_c_cw1h, _m_flex) as _c_cw1h,
        scaled(_c_cr, _m_flex_cache_read) as _c_cr,
        scaled(_c_out, _m_flex) as _c_out,
        scaled(_nb_in, _m_flex) as _nb_in,
        scaled(_nb_cw5m, _m_flex) as _nb_cw5m,
        scaled(_nb_cw1h, _m_flex) as _nb_cw1h,
        scaled(_nb_cr, _m_flex_cache_read) as _nb_cr,
        scaled(_nb_out, _m_flex) as _nb_out,
        scaled(_nc_in, _m_flex) as _nc_in,
        scaled(_nc_out, _m_flex) as _nc_out
    )
    from geo
),

contracted as (
    select * replace (
        scaled(_c_in, _m_contract) as _c_in,
        scaled(_c_cw5m, _m_contract) as _c_cw5m,
        scaled(_c_cw1h, _m_contract) as _c_cw1h,
        scaled(_c_cr, _m_contract) as _c_cr,
        scaled(_c_out, _m_contract) as _c_out,
        scaled(_nb_in, _m_contract) as _nb_in,
        scaled(_nb_cw5m, _m_contract) as _nb_cw5m,
        scaled(_nb_cw1h, _m_contract) as _nb_cw1h,
        scaled(_nb_cr, _m_contract) as _nb_cr,
        scaled(_nb_out, _m_contract) as _nb_out,
        scaled(_nc_in, _m_contract) as _nc_in,
        scaled(_nc_out, _m_contract) as _nc_out,
        scaled(_c_tool, _m_contract) as _c_tool
    ),
    _c_in as _l_in, _c_cw5m as _l_cw5m, _c_cw1h as _l_cw1h, _c_cr as _l_cr, _c_out as _l_out, _c_tool as _l_tool
    from flex
),

-- each flag a boolean (`_f_`), then the list of those set: built only for the rows that have one (most have none)
flag_tests as (
    select *,
           _billable and _price is null as _f_no_price,
           _billable and coalesce(usage_missing, false) as _f_usage_missing,
           _billable and _batch and _fast_requested as _f_batch_and_fast,
           _billable and _price is not null and _us and _price.us_geo_multiplier is null
               and lower(provider) <> 'openai' as _f_geo_not_supported,
           _billable and _price is not null and (
               (_in > 0 and _r_in is null) or (_cw5m > 0 and _r_cw5m is null) or (_cw1h > 0 and _r_cw1h is null)
               or (_cr > 0 and _r_cr is null) or (_out > 0 and _r_out is null)
               or (_ws > 0 and _price.web_search_per_1k is null) or (_batch and _price.batch_multiplier is null)
           ) as _f_no_rate,
           _billable and _price is not null and _tier_unknown as _f_tier_unknown,
           _billable and _price is not null and _service_tier = 'priority' and not _priority_rates
               as _f_priority_list_price,
           _billable and _price is not null and _fast_requested and not _batch and not _fast as _f_fast_at_standard
    from contracted
),

flagged as (
    select *,
           case when _f_no_price or _f_usage_missing or _f_batch_and_fast or _f_geo_not_supported or _f_no_rate
                     or _f_tier_unknown or _f_priority_list_price or _f_fast_at_standard
           then list_filter([
               case when _f_no_price then 'no_price' end,
               case when _f_usage_missing then 'usage_missing' end,
               case when _f_batch_and_fast then 'batch_and_fast' end,
               case when _f_geo_not_supported then 'geo_not_supported' end,
               case when _f_no_rate and _in > 0 and _r_in is null then 'no_rate:input' end,
               case when _f_no_rate and _cw5m > 0 and _r_cw5m is null then 'no_rate:cache_write_5m' end,
               case when _f_no_rate and _cw1h > 0 and _r_cw1h is null then 'no_rate:cache_write_1h' end,
               case when _f_no_rate and _cr > 0 and _r_cr is null then 'no_rate:cache_read' end,
               case when _f_no_rate and _out > 0 and _r_out is null then 'no_rate:output' end,
               case when _f_no_rate and _ws > 0 and _price.web_search_per_1k is null then 'no_rate:web_search' end,
               case when _f_no_rate and _batch and _price.batch_multiplier is null then 'no_rate:batch' end,
               case when _f_tier_unknown then 'tier_unknown' end,
               case when _f_priority_list_price then 'priority_list_price' end,
               case when _f_fast_at_standard then 'fast_at_standard' end
           ], lambda flag: flag is not null)
           else []::varchar[] end as _flags
    from flag_tests
),

settled as (
    select *,
           case
               when not _billable then 'free'
               when _f_no_price or _f_usage_missing or _f_batch_and_fast or _f_geo_not_supported or _f_no_rate
                   then 'unpriced'
               else 'priced'
           end as _status
    from flagged
)

select
    *,
    _canonical_model as canonical_model,
    _price.price_id as price_id,
    case when _price is not null then _tier end as price_tier,
    _flags as price_flags,
    case _status when 'free' then 0 when 'priced' then _c_in end::decimal(38, 12) as input_cost_usd,
    case _status when 'free' then 0 when 'priced' then _c_cw5m + _c_cw1h end::decimal(38, 12) as cache_write_cost_usd,
    case _status when 'free' then 0 when 'priced' then _c_cr end::decimal(38, 12) as cache_read_cost_usd,
    case _status when 'free' then 0 when 'priced' then _c_out end::decimal(38, 12) as output_cost_usd,
    case _status when 'free' then 0 when 'priced' then _c_tool end::decimal(38, 12) as tool_cost_usd,
    case _status when 'free' then 0 when 'priced' then _c_in + _c_cw5m + _c_cw1h + _c_cr + _c_out + _c_tool
    end::decimal(38, 12) as cost_usd,
    case _status when 'free' then 0 when 'priced' then _nc_in + _nc_out + _c_tool
    end::decimal(38, 12) as cost_without_cache_usd,
    case _status when 'free' then 0 when 'priced' then _nb_in + _nb_cw5m + _nb_cw1h + _nb_cr + _nb_out + _c_tool
    end::decimal(38, 12) as cost_without_batch_usd
from settled;

create or replace macro pricing(input) as table
select columns(lambda c: not starts_with(c, '_')) from pricing_steps(input, 'price_catalog');
