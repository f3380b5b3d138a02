-- All spend in the home, to the cent's twelfth decimal: the nightly job's "cost added" is this after minus before.
select coalesce(sum(cost_usd), 0)::decimal(38, 12) as total_usd from spend
