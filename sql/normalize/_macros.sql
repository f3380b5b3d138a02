-- Shared by every normalizer: JSON scalar readers and the physical-line checks; and secret redaction, which
-- sql/ingest/conform.sql applies (normalizers emit values as logged).

-- A header's value goes whatever quotes its name and value have: none, "…", JSON-escaped \"…\" (a tool call's
-- arguments) or \x22…\x22 (a line's bytes shown as text); a key shape goes when no letter precedes it (msg_sk-…,
-- \x22sk-… and =sk-… are keys; task-… is not).
create or replace macro redact(s) as case
    when not regexp_matches(s, '(?i)sk-|aiza|bearer|api-key|authorization') then s
    else regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(s,
        '(?i)((?:^|[^A-Za-z_-])(?:x-api-key|x-goog-api-key|api-key|authorization)(?:\\?"|\\x22)?\s*[:=]\s*(?:\\?"|\\x22)?)[^",}\s\\]+(?:\s[^",}\s\\]+)?',
        '\1[REDACTED]', 'g'),
        '(?i)bearer\s+[A-Za-z0-9._~+/=\-]+', 'Bearer [REDACTED]', 'g'),
        '(^|[^A-Za-z])sk-ant-[A-Za-z0-9_\-]+', '\1sk-ant-[REDACTED]', 'g'),
        '(^|[^A-Za-z])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{16,}', '\1sk-[REDACTED]', 'g'),
        '(^|[^A-Za-z])AIza[0-9A-Za-z_\-]{20,}', '\1AIza[REDACTED]', 'g')
end;

-- A token count: a JSON integer from 0 to 2^53 - 1 (the integers a JSON number holds exactly; a row's counts then add
-- up without overflowing BIGINT), else NULL. tok_bad is true when a value is present but not such an integer.
create or replace macro tok(v) as case
    when regexp_full_match(v, '[0-9]{1,16}') and v::bigint <= 9007199254740991 then v::bigint
end;
create or replace macro tok_bad(v) as v is not null and tok(v) is null;

-- A JSON string (or any scalar) as text, NULL for JSON null.
create or replace macro str(v) as nullif(json_extract_string(v, '$'), '');

-- An ISO-8601 timestamp that states its zone; NULL otherwise (see ts_problem for why).
create or replace macro has_zone(s) as regexp_matches(s, '(?i)(z|[+-][0-9]{2}(:?[0-9]{2})?)$');
create or replace macro ts_parse(v) as case
    when v is null then null
    when left(v, 1) = '"' and has_zone(str(v)) then try_cast(str(v) as timestamptz)
    when regexp_full_match(v, '[0-9]{9,10}(\.[0-9]+)?') then to_timestamp(v::double)
end;
create or replace macro ts_problem(v, parsed, mtime) as case
    when v is null then 'missing_timestamp'
    when left(v, 1) = '"' and not has_zone(str(v)) and try_cast(str(v) as timestamp) is not null then 'timestamp_no_zone'
    when parsed is null then 'missing_timestamp'
    when parsed < timestamptz '2020-01-01 00:00:00+00' or parsed > mtime + interval 1 day then 'timestamp_out_of_range'
end;

-- Maximum nesting depth of a JSON text: strings removed, brackets kept, a running sum's maximum.
create or replace macro json_depth(s) as list_reduce(
    list_transform(
        string_split(regexp_replace(regexp_replace(s, '"(\\.|[^"\\])*"', '', 'g'), '[^\[\]{}]', '', 'g'), ''),
        lambda c: case when c in ('[', '{') then 1 else -1 end),
    lambda acc, x: {'d': acc.d + x, 'm': greatest(acc.m, acc.d + x)},
    {'d': 0, 'm': 0}).m;

-- Nested deeper than 64 (counting brackets first: json_depth is slow, and few lines have 64 of them).
create or replace macro too_deep(s) as
    strlen(s) - strlen(replace(replace(s, '[', ''), '{', '')) > 64 and json_depth(s) > 64;

-- The physical lines of this batch of files (table raw_lines(file_id, line, bytes), each file's source_file and
-- file_mtime in run_files) with the checks that come before parsing.
create or replace macro checked_lines(max_bytes) as table
    with decoded as (
        select file_id, source_file, file_mtime, line, bytes, octet_length(bytes) as n_bytes,
               case when octet_length(bytes) <= max_bytes then regexp_replace(try(decode(bytes)), '\r$', '') end as text
        from raw_lines
        join run_files using (file_id)
    )
    select file_id, source_file, file_mtime, line, bytes, text,
           case
               when n_bytes > max_bytes then 'line_too_long'
               when text is null then 'invalid_utf8'
               when starts_with(text, '{') then case  -- most lines: no copies of them trimmed
                   when starts_with(text, '{"__csv_fields__"') then 'unknown_record_shape'
                   when too_deep(text) then 'too_deep' end
               when trim(text) = '' then 'ignored:blank_line'
               when left(ltrim(text), 1) <> '{' then case when json_valid(text) then 'not_an_object' else 'invalid_json' end
               when too_deep(text) then 'too_deep'
           end as status
    from decoded;

-- The provider a model name implies, for sources that do not say: anthropic, openai, google, else NULL.
create or replace macro provider_of_model(model) as case
    when model ilike '%claude%' then 'anthropic'
    when regexp_matches(lower(model), '(^|/)(gpt-|o[1-9]|chatgpt|text-embedding|dall-e|whisper|tts-)') then 'openai'
    when model ilike '%gemini%' or model ilike '%gemma%' then 'google'
end;

-- The results of an OpenAI organization API document (a page {"data": [bucket…]} or a JSON array of pages,
-- each bucket {"start_time", "end_time", "results": [result…]}), one row each, numbered 1.. per file as
-- `line`, with its bucket's start and end as JSON (openai_usage_api.sql, openai_costs_api.sql).
create or replace macro openai_page_results(max_bytes) as table
    with document as (
        select file_id, source_file, file_mtime, text, try(json(text)) as doc
        from checked_lines(max_bytes)
        where line = 1
    ),

    pages as (
        select file_id, source_file, file_mtime, unnest(list_transform(
                   case when json_type(doc) = 'ARRAY' then json_extract(doc, '$[*]') else [doc] end,
                   lambda page, i: {'page': page, 'i': i})) as p
        from document
        where doc is not null
    ),

    buckets as (
        select file_id, source_file, file_mtime, p.i as page_no, unnest(list_transform(
                   coalesce(try(from_json(p.page, '{"data": [{"start_time": "JSON", "end_time": "JSON", "results": ["JSON"]}]}')).data, []),
                   lambda bucket, i: {'bucket': bucket, 'i': i})) as b
        from pages
    ),

    results as (
        select file_id, source_file, file_mtime, page_no, b.i as bucket_no, b.bucket.start_time as j_start,
               b.bucket.end_time as j_end,
               unnest(list_transform(coalesce(b.bucket.results, []), lambda result, i: {'result': result, 'i': i})) as x
        from buckets
    )

    select file_id, source_file, file_mtime,
           row_number() over (partition by file_id order by page_no, bucket_no, x.i) as line,
           j_start, j_end, x.result as result
    from results;

-- A Console cost export's cell: trimmed, NULL when empty or `--` (the export's placeholder for what a row does not
-- have: a web-search cost's model, token type, context window, geo and speed).
create or replace macro console_cell(v) as nullif(nullif(trim(str(v)), ''), '--');

-- A Console export bucket's id from its dimensions (JSON text) and its occurrence among the rows of its file alike
-- in every dimension: those are different buckets (an export without api_key_id gives two keys of one name so),
-- and the second and later take their place into their identity, so a re-export replaces each in turn.
create or replace macro console_bucket_id(dimensions, occurrence) as
    left(sha256(case when occurrence = 1 then dimensions else dimensions || '#' || occurrence end), 32);

-- A Console export's usage_date_utc: 'day' (2026-03-12) or 'clock' (2026-03-12 14:00, hourly or by the minute), and
-- its UTC start (console_usage_csv.sql, console_cost_csv.sql).
create or replace macro console_date_shape(date_text) as case
    when regexp_full_match(date_text, '\d{4}-\d{2}-\d{2}') then 'day'
    when regexp_full_match(date_text, '\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:00)?Z?') then 'clock'
end;
create or replace macro console_ts(date_text) as try_cast(
    case when length(date_text) = 10 then date_text || ' 00:00' else replace(rtrim(date_text, 'Z'), 'T', ' ') end
    || '+00' as timestamptz);

-- A reject's detail: the normalizer's own sentence, else one per reason of the vocabulary (DESIGN.md §4), so no
-- reject reaches the user without one (sql/ingest/conform.sql applies it).
create or replace macro reject_detail(status, detail) as case
    when status is null or starts_with(status, 'ignored:') then detail
    else coalesce(nullif(trim(detail), ''), case status
        when 'invalid_utf8' then 'the line is not valid UTF-8'
        when 'invalid_json' then 'the record is not valid JSON'
        when 'line_too_long' then 'the line is longer than [ingest] max_line_bytes'
        when 'too_deep' then 'the JSON nests more than 64 levels'
        when 'not_an_object' then 'the record is JSON but not an object'
        when 'missing_timestamp' then 'the record has no timestamp this format reads'
        when 'timestamp_no_zone' then 'the timestamp has no time zone'
        when 'timestamp_out_of_range' then 'the timestamp is before 2020 or after the file''s date'
        when 'missing_usage' then 'the record has no token usage'
        when 'bad_token_count' then 'a token count is not a non-negative integer'
        when 'negative_uncached_input' then 'cached tokens exceed the input tokens'
        when 'missing_model' then 'the record names no model'
        when 'duplicate_conflict' then 'another record with the same id bills differently'
        when 'unknown_record_shape' then 'the record is not one this format knows'
        else 'rejected: ' || status
    end)
end;

-- Anthropic sampling iterations (usage.iterations, JSON), each billed: the executor's `message` iterations on the
-- response's model (the top-level usage holds their output but only the first one's input, so the record's tokens
-- are their sums: iteration_sum), every other one (advisor_message, compaction, fallback_message) at its own
-- model's rates, as a row of its own (with_sub_inferences). NULL when usage has no iterations array.
create or replace macro anthropic_iterations(j) as case when json_type(j) = 'ARRAY' then
    list_transform(coalesce(try(from_json(j, '[{"type": "JSON", "model": "JSON",
        "input_tokens": "JSON", "output_tokens": "JSON", "cache_creation_input_tokens": "JSON",
        "cache_read_input_tokens": "JSON",
        "cache_creation": {"ephemeral_5m_input_tokens": "JSON", "ephemeral_1h_input_tokens": "JSON"}}]')), []),
        lambda it, i: {'i': i, 'it': it, 'executor': coalesce(str(it.type), 'message') = 'message',
                       'input': coalesce(tok(it.input_tokens), 0),
                       'cw5m': coalesce(tok(it.cache_creation.ephemeral_5m_input_tokens),
                                        case when it.cache_creation.ephemeral_1h_input_tokens is null
                                             then tok(it.cache_creation_input_tokens) end, 0),
                       'cw1h': coalesce(tok(it.cache_creation.ephemeral_1h_input_tokens), 0),
                       'cr': coalesce(tok(it.cache_read_input_tokens), 0),
                       'output': coalesce(tok(it.output_tokens), 0)})
end;
-- True when an iteration's count is present but not a token count (the record is then bad_token_count).
create or replace macro iterations_bad(its) as coalesce(list_bool_or(list_transform(its, lambda x:
    tok_bad(x.it.input_tokens) or tok_bad(x.it.output_tokens)
    or tok_bad(x.it.cache_creation_input_tokens) or tok_bad(x.it.cache_read_input_tokens)
    or tok_bad(x.it.cache_creation.ephemeral_5m_input_tokens)
    or tok_bad(x.it.cache_creation.ephemeral_1h_input_tokens))), false);
-- A record's count (field 'input', 'cw5m', 'cw1h', 'cr' or 'output'): the sum over its executor iterations, else
-- the top-level usage's (fallback).
create or replace macro iteration_sum(its, field, fallback) as
    case when coalesce(len(list_filter(its, lambda x: x.executor)), 0) = 0 then fallback
         else list_sum(list_transform(list_filter(its, lambda x: x.executor), lambda x: struct_extract(x, field))) end;

-- A normalizer's output rows (a CTE with a j_iterations column, NULL for a record without iterations or not
-- loaded): each record with its executor iterations' sums, and one row per sub-inference (a non-`message`
-- iteration) on its own model (the response's when the iteration names none), with the record's time, app, tiers
-- and provenance; its key is the record's with '#iteration:<n>' (n = its place in usage.iterations, from 1), and
-- request_count 0: it is part of the record's request, not a request, and not a record of its own in the line
-- accounting (sql/ingest/file_counts.sql, new_row_counts.sql).
create or replace macro with_sub_inferences(records) as table
    select * exclude (x, j_iterations) replace (
               case when x is null then model else coalesce(str(x.it.model), model) end as model,
               case when x is null then iteration_sum(j_iterations, 'input', input_tokens) else x.input end
                   as input_tokens,
               case when x is null then iteration_sum(j_iterations, 'cw5m', cache_write_5m_tokens) else x.cw5m end
                   as cache_write_5m_tokens,
               case when x is null then iteration_sum(j_iterations, 'cw1h', cache_write_1h_tokens) else x.cw1h end
                   as cache_write_1h_tokens,
               case when x is null then iteration_sum(j_iterations, 'cr', cache_read_tokens) else x.cr end
                   as cache_read_tokens,
               case when x is null then iteration_sum(j_iterations, 'output', output_tokens) else x.output end
                   as output_tokens,
               case when x is null then reasoning_tokens end as reasoning_tokens,
               case when x is null then web_search_requests else 0 end as web_search_requests,
               case when x is null then dedupe_key else dedupe_key || '#iteration:' || x.i end as dedupe_key
           ),
           case when x is not null then 0 end as request_count
    -- one pass over the records (a second would parse every line again): each record, x NULL, then its
    -- sub-inferences
    from (select *, unnest(list_prepend(null, coalesce(list_filter(j_iterations, lambda x: not x.executor), [])))
                        as x
          from query_table(records));

-- Web search fees as billed (reference/price-audit-2026-12.md D11, D12). OpenAI: a Responses object (`responses`
-- true) has one call per web_search_call item of `output`; a Chat Completions response carries no count, but its
-- search models (gpt-4o-search-preview, gpt-4o-mini-search-preview, gpt-5-search-api, dated or behind a gateway
-- prefix) search before every answer (OpenAI's web-search guide), so a response of one counts one call. The fee's
-- rate is the model's web_search_per_1k: where the catalogue has none the row is unpriced (no_rate:web_search),
-- never billed without its fee. Gemini grounding with Google Search (`candidates`, JSON): per grounded prompt on
-- Gemini 2.x and earlier, per search query (groundingMetadata.webSearchQueries) on Gemini 3 and later.
create or replace macro openai_web_search_calls(responses, model, output) as case
    when responses then len(list_filter(json_extract_string(output, '$[*].type'), lambda t: t = 'web_search_call'))
    when regexp_matches(lower(model), '(^|/)gpt-[a-z0-9.-]*-search-(preview|api)') then 1
    else 0
end;
create or replace macro gemini_grounding_units(model, candidates) as case
    when regexp_matches(lower(model), '(^|/)gemini-(1|2)[.-]')
        then least(coalesce(json_array_length(json_extract(candidates, '$[0].groundingMetadata.webSearchQueries')), 0), 1)
    else json_array_length(json_extract(candidates, '$[0].groundingMetadata.webSearchQueries'))
end;
