-- Every usage row has a ts, a grain of 'request' or 'bucket', a bucket_end after ts when it is a bucket, and its source file and line.
-- Reads: usage. One row per row that lacks one: where it is, and its ts, grain and bucket_end.
select source_file, source_line, ts, grain, bucket_end
from usage
where ts is null or source_file is null or source_line is null
   or grain is null or grain not in ('request', 'bucket')
   or (grain = 'bucket' and not (bucket_end > ts))
order by all
