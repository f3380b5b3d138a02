-- The UTC days whose priced rows this run may change (pipeline/priced.py reprice): those of its rows (candidates,
-- loaded or not) and of the lake rows that share their keys (lake_rows: the rows that may lose to them).
select distinct ts::date as day from candidates where ts is not null
union
select distinct ts::date from lake_rows where ts is not null
