-- A clean CSV file (pipeline/lines.py clean_csv) read by DuckDB's CSV reader: each data row, in file order, as the
-- bytes of the JSON object csv_rows_line_exact makes of it ($keys: each header name JSON-quoted, then ': '), a
-- blank row (every field what Python calls whitespace, $space) as no bytes; misfit when the row has more fields
-- than the header or fewer. The reader takes one column more than the header has ($columns: c0…, then extra) and
-- pads a short row with NULL (an empty field is '', not NULL), so neither goes unseen. Parameters: path,
-- compression, keys, space, columns.
select case when regexp_full_match(array_to_string(fields, ''), $space) then ''::blob
            else encode('{' || array_to_string(list_transform(list_zip($keys, fields),
                                                              lambda pair: pair[1] || to_json(pair[2])), ', ') || '}')
       end as bytes,
       extra is not null or fields[-1] is null as misfit
from (
    select list_value(*columns('^c[0-9]+$')) as fields, extra
    from read_csv($path, header = false, skip = 1, columns = $columns, delim = ',', quote = '"', escape = '"',
                  nullstr = chr(1), null_padding = true, auto_detect = false, strict_mode = true,
                  compression = $compression)
)
