-- This run's rows that go to the lake: candidates whose dedupe outcome (outcomes) is load or replace.
select c.* exclude (raw_text, usage_fingerprint)
from candidates c
join outcomes o using (source_file, source_line, dedupe_key)
where o.origin = 'new' and o.outcome in ('load', 'replace')
