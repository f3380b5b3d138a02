-- A file read again states its rejects again: the lake keeps one of each (lake_rejects: the lake's rejects).
delete from new_rejects
where (source_file, source_line, reason) in (
    select source_file, source_line, reason
    from lake_rejects
    where source_file in (select source_file from new_rejects)
)
