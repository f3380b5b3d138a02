-- Decide, for every key of this run, which row stays (DESIGN.md §4): the lowest dedupe_rank (a format's own
-- preference: Claude Code's main thread before sidechains, a bucket's newest file), then the most total
-- tokens, then (source_file, source_line), then a lake row; among rows identical to the winner, or billing what it
-- bills at its rank, an existing lake row stays, so a re-read or a copy never rewrites the lake. A loser that bills what the winner bills (usage_fingerprint: a
-- resumed Claude Code session's copy under a new sessionId, a request an app logged twice) is a duplicate; one the
-- format ranks below the winner (a sidechain replay, an earlier bucket revision) is superseded, counted as a
-- duplicate too, and so is a new row losing to its own line's lake row; any other loser — the same key billing
-- something else — is a conflict (a reject). A lake row of a file read again in this run is judged by that read,
-- so it is superseded, never displaced; a lake row that bills what the winner bills is superseded too.
-- Inputs: candidates (this run's rows), lake_rows (lake rows, same keys). A key only one row has (most of them: no
-- lake row shares it, since lake_rows holds only the lake rows of this run's keys) loads; the windows rank the rest.
with contenders as (
    select dedupe_key, coalesce(dedupe_rank, 0) as dedupe_rank, row_fingerprint, usage_fingerprint, total_tokens,
           source_file, source_line, 'new' as origin, null as lake_file
    from candidates
    union all
    select dedupe_key, coalesce(dedupe_rank, 0), row_fingerprint, usage_fingerprint, total_tokens, source_file,
           source_line, 'lake' as origin, lake_file
    from lake_rows
),

shared_keys as (
    select dedupe_key from contenders where dedupe_key is not null group by dedupe_key having count(*) > 1
),


winners as (
    select *,
           first_value(row_fingerprint) over best as winning_fingerprint,
           first_value(usage_fingerprint) over best as winning_usage,
           first_value(dedupe_rank) over best as winning_rank,
           first_value((origin, source_file, source_line)) over best as winner,
           origin = 'lake' and source_file in (select source_file from candidates) as reread,
           bool_or(origin = 'lake') over (partition by dedupe_key) as key_in_lake
    from contenders
    where dedupe_key is null or dedupe_key in (select dedupe_key from shared_keys)
    window best as (partition by dedupe_key
                    order by dedupe_rank, total_tokens desc, source_file, source_line, origin = 'lake' desc)
),

ranked as (
    select *,
           row_number() over (
               partition by dedupe_key
               order by (row_fingerprint = winning_fingerprint
                         or (usage_fingerprint = winning_usage and dedupe_rank = winning_rank)) desc,
                        origin = 'lake' desc, source_file, source_line
           ) = 1 as is_representative
    from winners
),

kept as (
    select dedupe_key, source_file as kept_file, source_line as kept_line from ranked where is_representative
)

select
    ranked.dedupe_key, origin, source_file, source_line, lake_file, kept_file, kept_line,
    case
        when is_representative and origin = 'lake' then 'keep'
        when is_representative and key_in_lake then 'replace'
        when is_representative then 'load'
        when origin = 'lake' and (dedupe_rank > winning_rank or reread or usage_fingerprint = winning_usage)
            then 'superseded_in_lake'
        when origin = 'lake' then 'displaced'
        when usage_fingerprint = winning_usage then 'duplicate'
        when dedupe_rank > winning_rank or winner = ('lake', source_file, source_line) then 'superseded'
        else 'conflict'
    end as outcome
from ranked
join kept using (dedupe_key)
union all
select dedupe_key, origin, source_file, source_line, lake_file, source_file, source_line, 'load'
from contenders
where dedupe_key is not null and dedupe_key not in (select dedupe_key from shared_keys)
