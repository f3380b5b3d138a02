-- The views users query (DESIGN.md §2), in the connection's current database: in memory for open_views, the
-- warehouse file for refresh_warehouse. usage_files, rejects_files, priced_files, price_catalog and
-- ingested_files_table are bound by pipeline/views.py (create_views) from the manifest.
create or replace view usage as select * exclude (dedupe_key, dedupe_rank, row_fingerprint) from usage_files;
create or replace view rejects as select * from rejects_files;
create or replace view priced_usage as select * from priced_files;
create or replace view spend as select * from priced_usage where in_totals;
create or replace view prices as select * from price_catalog;
create or replace view ingested_files as select * replace (ingested_at::timestamptz as ingested_at) from ingested_files_table;
create or replace view daily_spend as
select day, app, provider, model,
       sum(coalesce(request_count, 1)) filter (where billable) as requests,
       sum(input_tokens) as input_tokens,
       sum(cache_write_5m_tokens + cache_write_1h_tokens) as cache_write_tokens,
       sum(cache_read_tokens) as cache_read_tokens,
       sum(output_tokens) as output_tokens,
       sum(cost_usd) as cost_usd
from spend
group by all;
