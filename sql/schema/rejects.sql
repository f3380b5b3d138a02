-- One row per record that could not become a usage row (DESIGN.md §4).
create table if not exists rejects_schema (
    source_file    varchar,
    source_line    bigint,
    source_format  varchar,
    reason         varchar,
    detail         varchar,
    raw            varchar,
    raw_sha256     varchar,
    raw_bytes      bigint,
    ingested_at    timestamptz
);
