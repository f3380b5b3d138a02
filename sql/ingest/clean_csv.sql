-- A clean CSV file (pipeline/lines.py clean_csv) read by DuckDB's CSV reader, for raw_lines: each data row, in file
-- order (rowid 0 is line 2), as the bytes of the JSON object iter_csv_rows makes of it, a blank row as no bytes;
-- misfit when the row has more fields than the header or fewer. The reader takes one column more than the header
-- has and pads a short row with NULL (an empty field is '', not NULL), so neither goes unseen. insert_clean_csv
-- fills in the row's JSON (record), the test that every field is whitespace (blank), the misfit test, the
-- columns (c0…, all VARCHAR) and the compression; parameter: path.
create or replace temp table clean_csv as
select case when {blank} then ''::blob else encode({record}) end as bytes,
       {misfit} as misfit
from read_csv($path, header = false, skip = 1, columns = {columns}, delim = ',', quote = '"', escape = '"',
              nullstr = chr(1), null_padding = true, auto_detect = false, strict_mode = true,
              compression = '{compression}')
