-- `spendlog export focus`: one local month of spend as a FinOps FOCUS 1.2 cost and usage dataset (the columns of
-- the FOCUS specification 1.2, as the FOCUS validator's 1.2 model checks them, then x_ columns of spendlog's own).
-- Named statements, run in order: input (the month's rows, $month), rows (the table focus_rows, $tz), which
-- pipeline/focus.py writes with COPY, and totals (its row count and sum of BilledCost, and the unpriced rows left out).
--
-- One row per local day × billing account × sub-account × app × model × charge × SKU price: a charge is input,
-- 5-minute cache write, 1-hour cache write, cache read or output tokens, or web search requests; the SKU price is
-- the catalogue row and the variant that set the unit price (tier, priority rates, batch, US-only inference, flex),
-- so that ListCost = ListUnitPrice × PricingQuantity and ContractedCost = ContractedUnitPrice × PricingQuantity hold
-- on every row, as FOCUS requires.
-- * The rows are those of `spend` (what the totals count) for the month, priced again by sql/model/pricing.sql
--   with its working columns: `_l_*` (every multiplier but the contract's) is ListCost, `_c_*` (the contract
--   multiplier too, as cost_usd) is ContractedCost = EffectiveCost = BilledCost, marked x_CostSource =
--   'spendlog estimate' (spendlog's price, not the provider's invoice).
-- * A row whose cost the source states (cost_basis 'stated': a cost export's money-only bucket, a gateway's charge)
--   is billed at that cost, not priced again: one charge per day × account × sub-account × app × model, SkuMeter
--   'Stated Cost', ChargeDescription '<model> charges as <biller> states them (not a catalogue price)', x_CostSource
--   'stated by the source'. spendlog knows its dollars, not a unit price, so its PricingQuantity is those dollars
--   (PricingUnit 'USD', unit prices 1, ConsumedQuantity the rows stated, in 'Charges') and every cost is the stated
--   cost. So sum(BilledCost) = sum(cost_usd), stated rows included.
-- * Unpriced rows (cost_usd NULL) are left out (FOCUS costs cannot be NULL): sum(cost_usd) leaves them out too.
--   Rows that cost nothing by design (errors, rate limits) and charges of zero quantity are no charge and no row.
-- * BillingAccountId is who bills (billed_by, else provider): spendlog does not know the organisation's id.
--   SubAccountId is the workspace, else the API key (SubAccountType says which), NULL when the source has neither.
-- * ProviderName and InvoiceIssuerName are who bills, PublisherName whose model ran (OpenRouter provides and
--   invoices Anthropic's models). ServiceName is '<biller> API', ServiceCategory 'AI and Machine Learning',
--   ServiceSubcategory 'Generative AI'.
-- * ChargePeriodStart/End are the local day's bounds, BillingPeriodStart/End the local month's, in UTC.
-- * ConsumedQuantity is tokens (web search: requests); PricingQuantity is in millions of tokens, PricingUnit
--   '1000000 Tokens' (web search: thousands of requests, '1000 Requests'), the unit the catalogue's rates use.
-- * SkuId is provider/model/charge (the same SKU whatever its price); SkuPriceId is the catalogue row's price_id,
--   the charge and the variant (a stated charge: the SKU and its biller); SkuPriceDetails spells the variant out
--   as x_ properties.
-- * ConsumedQuantity is DECIMAL(38, 1), so that a CSV reader sees a decimal (FOCUS types it Decimal), not an
--   integer. InvoiceId is NULL (no invoice: an estimate) and CommitmentDiscountStatus NULL (no commitments; the
--   validator's ConsumedQuantity rules read it). PricingCurrency is 'USD' and the PricingCurrency* columns repeat
--   the unit prices and EffectiveCost (FOCUS allows them when pricing and billing currency agree; the validator
--   asks for them once a public price list is declared).

-- name: input
create or replace temp table focus_input as
select * exclude (canonical_model, price_id, price_tier, price_flags, input_cost_usd, cache_write_cost_usd,
                  cache_read_cost_usd, output_cost_usd, tool_cost_usd, cost_usd, cost_without_cache_usd,
                  cost_without_batch_usd),
       cost_usd is null as unpriced,
       case when cost_basis = 'stated' then cost_usd end as stated_cost_usd,
       case when cost_basis = 'stated' then canonical_model end as stated_model
from spend
where month = $month;

-- name: rows
create or replace temp table focus_rows as
with priced as (
    select * from pricing_steps('focus_input', 'price_catalog')
    where _status = 'priced' and cost_basis is distinct from 'stated'
),

-- the unit price multipliers of each row: what every token charge gets besides its rate, the contract's apart
multipliers as (
    select *,
           case when _fast_lc then 'fast_long_context' else _tier end as _tier_name,
           _m_geo <> 1 as _geo_priced,
           _m_flex <> 1 as _flex_priced,
           cast(cast(_m_batch * _m_geo as decimal(38, 12)) * _m_flex as decimal(38, 12)) as _m_list,
           cast(cast(_m_batch_cache_read * _m_geo as decimal(38, 12)) * _m_flex_cache_read as decimal(38, 12)) as _m_list_cr
    from priced
),

charges as (
    select
        day,
        month,
        coalesce(billed_by, provider) as biller,
        provider,
        coalesce(workspace, api_key) as sub_account,
        case when workspace is not null then 'Workspace' when api_key is not null then 'API Key' end
            as sub_account_type,
        app,
        model,
        canonical_model,
        price_id,
        concat_ws('+', _tier_name, case when _priority_rates then 'priority' end, case when _batch then 'batch' end,
                  case when _geo_priced then 'us' end, case when _flex_priced then 'flex' end) as token_variant,
        json_object('x_PriceTier', _tier_name, 'x_PriorityRates', _priority_rates, 'x_Batch', _batch,
                    'x_UsOnlyInference', _geo_priced, 'x_FlexTier', _flex_priced)::varchar as token_details,
        _m_contract,
        unnest([
            {charge: 'input', meter: 'Input Tokens', quantity: _in, rate: _r_in, m: _m_list,
             list_cost: _l_in, cost: _c_in},
            {charge: 'cache_write_5m', meter: 'Cache Write 5m Tokens', quantity: _cw5m, rate: _r_cw5m, m: _m_list,
             list_cost: _l_cw5m, cost: _c_cw5m},
            {charge: 'cache_write_1h', meter: 'Cache Write 1h Tokens', quantity: _cw1h, rate: _r_cw1h, m: _m_list,
             list_cost: _l_cw1h, cost: _c_cw1h},
            {charge: 'cache_read', meter: 'Cache Read Tokens', quantity: _cr, rate: _r_cr, m: _m_list_cr,
             list_cost: _l_cr, cost: _c_cr},
            {charge: 'output', meter: 'Output Tokens', quantity: _out, rate: _r_out, m: _m_list,
             list_cost: _l_out, cost: _c_out},
            {charge: 'web_search', meter: 'Web Search Requests', quantity: _ws, rate: _price.web_search_per_1k,
             m: 1::decimal(38, 12), list_cost: _l_tool, cost: _c_tool}
        ]) as c
    from multipliers
),

priced_charges as (
    select
        * exclude (c, token_variant, token_details, _m_contract),
        c.charge,
        c.meter,
        c.quantity,
        c.list_cost,
        c.cost,
        c.charge = 'web_search' as per_request,
        price_id || ':' || c.charge || case when c.charge = 'web_search' then '' else ':' || token_variant end
            as sku_price_id,
        case when c.charge <> 'web_search' then token_details end as sku_price_details,
        case when c.charge <> 'web_search' then ' (' || replace(token_variant, '+', ', ') || ')' else '' end
            as variant_text,
        cast(c.rate * c.m as decimal(38, 12)) as list_unit_price,
        cast(cast(c.rate * c.m as decimal(38, 12)) * _m_contract as decimal(38, 12)) as contracted_unit_price
    from charges
    where c.quantity > 0
),

grouped as (
    select
        day, month, biller, provider, sub_account, sub_account_type, app, model, canonical_model, charge, meter,
        per_request, sku_price_id, sku_price_details, variant_text, list_unit_price, contracted_unit_price,
        sum(quantity) as quantity,
        sum(list_cost) as list_cost,
        sum(cost) as cost
    from priced_charges
    group by all
),

-- a row whose cost the source states (cost_basis 'stated'): one charge at that cost, in dollars (unit price 1)
stated as (
    select
        day, month, coalesce(billed_by, provider) as biller, provider, coalesce(workspace, api_key) as sub_account,
        case when workspace is not null then 'Workspace' when api_key is not null then 'API Key' end
            as sub_account_type,
        app, model, coalesce(stated_model, model, 'other') as canonical_model, 'stated' as charge,
        'Stated Cost' as meter, false as per_request,
        -- one price per SKU and biller (the validator's SkuPriceId-C-008-M: a SkuPriceId has one SkuId)
        lower(provider) || '/' || canonical_model || '/stated@' || lower(coalesce(billed_by, provider))
            as sku_price_id,
        '{"x_CostBasis":"stated"}' as sku_price_details, '' as variant_text, 1::decimal(38, 12) as list_unit_price,
        1::decimal(38, 12) as contracted_unit_price, count(*) as quantity, sum(stated_cost_usd) as list_cost,
        sum(stated_cost_usd) as cost
    from focus_input
    where cost_basis = 'stated' and stated_cost_usd > 0
    group by all
),

charged as (
    select *, false as is_stated from grouped
    union all by name
    select *, true as is_stated from stated
)

select
    biller as BillingAccountId,
    provider_name(biller) as BillingAccountName,
    'USD' as BillingCurrency,
    timezone($tz, month::timestamp) as BillingPeriodStart,
    timezone($tz, (month + interval 1 month)::timestamp) as BillingPeriodEnd,
    timezone($tz, day::timestamp) as ChargePeriodStart,
    timezone($tz, (day + interval 1 day)::timestamp) as ChargePeriodEnd,
    'Usage' as ChargeCategory,
    null::varchar as ChargeClass,
    null::varchar as CommitmentDiscountStatus,
    case when is_stated then canonical_model || ' charges as ' || provider_name(biller) || ' states them (not a catalogue price)'
         else canonical_model || ' ' || lower(meter) || variant_text end as ChargeDescription,
    'Usage-Based' as ChargeFrequency,
    provider_name(biller) as ProviderName,
    provider_name(provider) as PublisherName,
    provider_name(biller) as InvoiceIssuerName,
    null::varchar as InvoiceId,
    'AI and Machine Learning' as ServiceCategory,
    'Generative AI' as ServiceSubcategory,
    provider_name(biller) || ' API' as ServiceName,
    sub_account as SubAccountId,
    sub_account as SubAccountName,
    sub_account_type as SubAccountType,
    lower(provider) || '/' || canonical_model || '/' || charge as SkuId,
    meter as SkuMeter,
    sku_price_id as SkuPriceId,
    sku_price_details as SkuPriceDetails,
    'Standard' as PricingCategory,
    quantity::decimal(38, 1) as ConsumedQuantity,
    case when is_stated then 'Charges' when per_request then 'Requests' else 'Tokens' end as ConsumedUnit,
    case when is_stated then cost::decimal(38, 12)
         else cast(quantity::decimal(38, 0) * case when per_request then 0.001 else 0.000001 end as decimal(38, 12))
    end as PricingQuantity,
    case when is_stated then 'USD' when per_request then '1000 Requests' else '1000000 Tokens' end as PricingUnit,
    list_unit_price as ListUnitPrice,
    contracted_unit_price as ContractedUnitPrice,
    list_cost::decimal(38, 12) as ListCost,
    cost::decimal(38, 12) as ContractedCost,
    cost::decimal(38, 12) as EffectiveCost,
    cost::decimal(38, 12) as BilledCost,
    'USD' as PricingCurrency,
    list_unit_price as PricingCurrencyListUnitPrice,
    contracted_unit_price as PricingCurrencyContractedUnitPrice,
    cost::decimal(38, 12) as PricingCurrencyEffectiveCost,
    app as x_App,
    model as x_Model,
    case when is_stated then 'stated by the source' else 'spendlog estimate' end as x_CostSource
from charged
order by ChargePeriodStart, BillingAccountId, SubAccountId nulls first, x_App, x_Model, SkuId, SkuPriceId;

-- name: totals
with billed as (
    select count(*) as rows, coalesce(sum(BilledCost), 0)::decimal(38, 12) as billed_usd from focus_rows
)
select rows, billed_usd, usd(billed_usd) as billed_fmt, (select count(*) from focus_input where unpriced) as unpriced_rows
from billed
