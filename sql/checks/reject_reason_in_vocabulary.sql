-- Every reject's reason is one of DESIGN.md §4's fixed vocabulary.
-- Reads: rejects. One row per reject with another reason (or none): where it is and the reason it has.
select source_file, source_line, source_format, reason
from rejects
where reason is null or reason not in (
    'invalid_utf8', 'invalid_json', 'line_too_long', 'too_deep', 'not_an_object', 'missing_timestamp',
    'timestamp_no_zone', 'timestamp_out_of_range', 'missing_usage', 'bad_token_count', 'negative_uncached_input',
    'missing_model', 'duplicate_conflict', 'unknown_record_shape'
)
order by all
