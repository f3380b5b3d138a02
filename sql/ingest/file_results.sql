-- What the run reports for each file of the batch: its counts (file_counts) and, when it is refused whole, its
-- error (file_errors). Output: file_id, records_read, rejected, ignored (list of {reason, records}), error, detail.
select c.file_id, c.records_read, c.rejected, c.ignored, e.reason as error, e.detail
from file_counts c
left join file_errors e using (file_id)
order by c.file_id
