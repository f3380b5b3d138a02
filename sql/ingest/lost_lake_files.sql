-- The lake usage files that hold a row that lost (lost_lake_rows), each to be rewritten without it.
select distinct lake_file from lost_lake_rows order by lake_file
