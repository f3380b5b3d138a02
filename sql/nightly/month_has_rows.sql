-- Whether a local month ($month, its first day) has any priced row: a month with none is not mailed as a $0 month.
select count(*) > 0 as has_rows from priced_usage where month = $month::date
