-- The temp table period_rows: the report period's spend rows (spend_rows), which the drivers and what-if sections
-- price again (price_at, price_as) rather than the whole lake. Made by pipeline/reports.py before those sections.
-- Params: $start, $end (inclusive local days).
create or replace temp table period_rows as
select * from spend_rows($start, $end)
