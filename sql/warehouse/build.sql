-- The warehouse file (pipeline/warehouse.py): a new file attached in the storage format of DuckDB 1.2, so older
-- clients open it, made the current database while the schema tables (sql/schema/) and the views
-- (pipeline/views.py create_views) are created in it, then detached, which checkpoints it whole.
-- name: attach
attach $path as warehouse (storage_version 'v1.2.0');

-- name: use_warehouse
use warehouse;

-- name: use_memory
use memory;

-- name: detach_warehouse
detach warehouse;
