-- The local days from $start to $end that have data (covered_days, sql/reports/_macros.sql). A report's fingerprint
-- holds which of its days have data, so it is rendered again when data after its end (or before its start) turns
-- its "no data" days into $0 days.
select day from covered_days($start, $end) where has_data order by day
