"""Findings: each of the article's tips is shown when the data supports it and not otherwise (worked by hand)."""
import datetime as dt
from decimal import Decimal

from conftest import app_record, write_jsonl
from pipeline.config import Findings, load_settings
from pipeline.ingest import ingest
from pipeline.reports import checked_period, load_macros, run_section, section_params, template_environment
from pipeline.views import open_views

# February, every day with data (a tiny request on the 1st and the 28th: a saving per 30 days is the period's × 30 /
# 28); min_sample 50, min saving $1.00 per 30 days
FEBRUARY = checked_period("monthly", dt.date(2026, 2, 1), dt.date(2026, 2, 28))
HAIKU = "claude-haiku-4-5-20251001"  # $1 input, $1.25 5-minute cache write, $0.10 cache read, $5 output per 1M
SONNET = "claude-sonnet-4-5-20250929"  # $3 / $3.75 / $0.30 / $15; over 200K input (1M beta): $6 input, $22.50 output
OPUS = "claude-opus-4-6"  # $5 / $6.25 / $0.50 / $25; caches prompts from 4,096 tokens


BOOKENDS = [app_record(f"bookend{day}", ts=f"2026-02-{day:02d}T12:00:00Z", app="bookend", model=OPUS,
                       input_tokens=10, output_tokens=10) for day in (1, 28)]  # dearest: never a routing target


def findings(tmp_path, records, bookends=True, **config):
    """The findings rows of February over records (and the bookends, so every day of it has data), with [findings]
    config (defaults otherwise)."""
    write_jsonl(tmp_path / "logs.jsonl", records + (BOOKENDS if bookends else []))
    settings = load_settings(None, str(tmp_path / "home"))
    ingest(settings, [str(tmp_path / "logs.jsonl")])
    con = open_views(settings)
    load_macros(con)
    try:
        params = section_params(FEBRUARY, {"timezone": "UTC", "findings": Findings(**config)})
        return run_section(con, "findings", params).to_pylist()
    finally:
        con.close()


def at(day: int, minute: float) -> str:
    """A February timestamp: the day, then minutes (and seconds) after midnight UTC."""
    return (dt.datetime(2026, 2, day, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=minute)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def cache_requests(writes: int, reads: int):
    return ([app_record(f"w{i}", ts=f"2026-02-10T10:{i:02d}:00Z", app="cacher", model=HAIKU, input_tokens=10,
                        output_tokens=10, cache_creation_input_tokens=100_000) for i in range(writes)]
            + [app_record(f"r{i}", ts=f"2026-02-11T10:{i:02d}:00Z", app="cacher", model=HAIKU, input_tokens=10,
                          output_tokens=10, cache_read_input_tokens=100_000) for i in range(reads)])


def test_a_cache_written_and_never_read_loses_money(tmp_path):
    # 40 writes of 100k tokens at $1.25 instead of $1.00 per 1M: 40 × -$0.025 = -$1.00 over February's 28 days,
    # $1.00 × 30 / 28 = $1.07 per 30 days.
    [row] = findings(tmp_path, cache_requests(40, 0))
    assert (row["finding"], row["app_label"], row["model_label"], row["monthly_saving_fmt"]) == (
        "caching loses money", "cacher", "all models", "$1.07")
    assert row["evidence"] == "4,000,000 cache tokens written, 0 read: cache return -$1.00 over the period"
    assert row["saving_usd"] == 1


def test_a_cache_that_is_read_pays_for_itself(tmp_path):
    # the same writes (-$1.00) and 20 reads of 100k tokens saving $0.09 each (+$1.80): return +$0.80, no finding
    assert findings(tmp_path / "a", cache_requests(40, 20)) == []


def output_requests(n: int):
    """n - 2 answers of 200 output tokens and 2 of 100,000."""
    return [app_record(f"o{i}", ts=f"2026-02-12T{i // 60:02d}:{i % 60:02d}:00Z", app="writer", model=HAIKU,
                       input_tokens=100, output_tokens=100_000 if i < 2 else 200) for i in range(n)]


def test_a_few_runaway_outputs_suggest_a_max_tokens(tmp_path):
    # 60 requests: p50 = p95 = 200 tokens, max 100,000 > 2 × p95; max_tokens 256 (200 rounded up to 256s) would cut
    # the 2 long ones: 2 × (100,000 − 256) × $5 / 1M = $0.99744 over the period, × 30 / 28 = $1.07 per 30 days.
    [row] = findings(tmp_path, output_requests(60))
    assert (row["finding"], row["app_label"], row["model_label"], row["monthly_saving_fmt"]) == (
        "output length", "writer", "claude-haiku-4-5", "$1.07")
    assert row["evidence"] == ("60 requests: output p50 200, p95 200, max 100,000 tokens; a max_tokens of 256 would "
                               "cut 2 of them short")
    assert row["saving_usd"] == Decimal("0.99744")


def test_too_few_requests_for_an_output_finding(tmp_path):
    assert findings(tmp_path, output_requests(49)) == []


def test_a_saving_under_the_threshold_is_not_shown(tmp_path):
    assert findings(tmp_path, cache_requests(30, 0)) == []  # -$0.75, $0.80 per 30 days < $1.00


def short_answers(output_tokens: int, with_haiku: bool = True):
    """60 Sonnet 4.5 requests of 10,000 input tokens and output_tokens each, 10 minutes apart (too far for a 5-minute
    cache), and one Haiku 4.5 request of another app (a cheaper model of the provider in use)."""
    return ([app_record(f"s{i}", ts=at(10, 10 * i), app="sorter", model=SONNET, input_tokens=10_000,
                        output_tokens=output_tokens) for i in range(60)]
            + ([app_record("h", ts=at(10, 1), app="other", model=HAIKU)] if with_haiku else []))


def test_short_answers_on_a_dear_model_suggest_routing(tmp_path):
    # each request: 10,000 × $3 + 64 × $15 per 1M = $0.03096 on Sonnet 4.5, 10,000 × $1 + 64 × $5 = $0.01032 on
    # Haiku 4.5; 60 of them: $1.8576 against $0.6192, a saving of $1.2384, × 30 / 28 = $1.33 per 30 days
    [row] = findings(tmp_path, short_answers(64))
    assert (row["finding"], row["app_label"], row["model_label"], row["monthly_saving_fmt"]) == (
        "routing", "sorter", "claude-sonnet-4-5", "$1.33")
    assert row["evidence"] == ("60 requests, output p95 64 tokens (at most 64: classification-like); on "
                               "claude-haiku-4-5, the cheapest Anthropic model in use in the period, they would "
                               "cost $0.62 instead of $1.86 (check its answers first)")
    assert row["saving_usd"] == Decimal("1.2384")


def test_answers_a_token_too_long_or_no_cheaper_model_suggest_no_routing(tmp_path):
    assert findings(tmp_path / "long", short_answers(65)) == []  # p95 65 > 64
    assert findings(tmp_path / "alone", short_answers(64, with_haiku=False)) == []  # no cheaper model in use
    assert findings(tmp_path / "loose", short_answers(65), routing_max_output_tokens=65)[0]["finding"] == "routing"


def uncached_prompts(input_tokens: int, minutes_apart: float):
    """101 Opus 4.6 requests of input_tokens uncached input and 100 output tokens, minutes_apart each."""
    return [app_record(f"p{i}", ts=at(12, i * minutes_apart), app="drafter", model=OPUS, input_tokens=input_tokens,
                       output_tokens=100) for i in range(101)]


def test_large_uncached_prompts_in_quick_succession_suggest_caching(tmp_path):
    # p05 input 4,096 = Opus 4.6's minimum cacheable prompt; a minute apart, the first request writes the 5-minute
    # cache and the other 100 read it. Each read: 4,096 × ($5 − $0.50) per 1M = $0.018432 saved, × 100 = $1.8432;
    # the write: 4,096 × ($6.25 − $5) = $0.00512 more; saving $1.83808, × 30 / 28 = $1.97 per 30 days.
    # Cost as logged: 101 × (4,096 × $5 + 100 × $25) per 1M = 101 × $0.02298 = $2.32098; cached $0.4829.
    [row] = findings(tmp_path, uncached_prompts(4_096, 1))
    assert (row["finding"], row["app_label"], row["model_label"], row["monthly_saving_fmt"]) == (
        "caching not used", "drafter", "claude-opus-4-6", "$1.97")
    assert row["evidence"] == (
        "101 requests, no cache reads or writes; 95% of inputs are at least 4,096 tokens (the model caches from "
        "4,096). If their first 4,096 tokens are one shared prompt, a 5-minute cache would be read by 100 requests "
        "(within 5 minutes of the one before) and written by 1: $0.48 instead of $2.32 (an estimate: the logs hold "
        "no prompt text)")
    assert row["saving_usd"] == Decimal("1.83808")


def test_prompts_under_the_minimum_or_further_apart_than_the_cache_lives_suggest_no_caching(tmp_path):
    assert findings(tmp_path / "short", uncached_prompts(4_095, 1)) == []  # under Opus 4.6's 4,096
    # 5 minutes 1 second apart: every request would write the cache again, which costs more than plain input
    assert findings(tmp_path / "sparse", uncached_prompts(4_096, 5 + 1 / 60)) == []
    assert findings(tmp_path / "five", uncached_prompts(4_096, 5))[0]["finding"] == "caching not used"


def live_requests(app: str):
    """200 Haiku 4.5 requests of 1,000 input and 2,000 output tokens (under Haiku's 4,096-token cache minimum):
    200 × (1,000 × $1 + 2,000 × $5) per 1M = $2.20."""
    return [app_record(f"{app}{i}", ts=at(14, 5 * i), app=app, input_tokens=1_000, output_tokens=2_000)
            for i in range(200)]


BATCH_EVIDENCE = ("200 requests not by the Batch API, from an app {}; by batch (if its answers can wait: results "
                  "come within 24 hours) their token charges would halve: $1.10 instead of $2.20")


def test_an_app_listed_as_a_batch_candidate_could_halve_its_token_charges(tmp_path):
    # by batch: $2.20 × 0.5 = $1.10, a saving of $1.10, × 30 / 28 = $1.18 per 30 days
    [row] = findings(tmp_path, live_requests("digest"), batch_candidates=("digest",))
    assert (row["finding"], row["app_label"], row["model_label"], row["monthly_saving_fmt"]) == (
        "batch", "digest", "all models", "$1.18")
    assert row["evidence"] == BATCH_EVIDENCE.format("listed in [findings] batch_candidates")
    assert row["saving_usd"] == Decimal("1.1")


def test_an_app_that_used_the_batch_api_before_could_send_the_rest_by_batch(tmp_path):
    # one batch request in January marks the app as able to wait; February's live requests save as above
    earlier = {**app_record("jan", ts="2026-01-20T10:00:00Z", app="backfill"), "batch": True}
    [row] = findings(tmp_path, [earlier, *live_requests("backfill")])
    assert (row["finding"], row["monthly_saving_fmt"]) == ("batch", "$1.18")
    assert row["evidence"] == BATCH_EVIDENCE.format("already using it (batch requests so far: 1)")


def test_an_app_neither_listed_nor_using_batch_gets_no_batch_finding(tmp_path):
    assert findings(tmp_path / "plain", live_requests("chat")) == []
    assert findings(tmp_path / "other", live_requests("chat"), batch_candidates=("digest",)) == []


def long_prompts(input_tokens: int):
    return [app_record(f"l{i}", ts=at(16, i), app="reader", model=SONNET, input_tokens=input_tokens,
                       output_tokens=1_000) for i in range(2)]


def test_requests_over_the_long_context_threshold_pay_a_premium(tmp_path):
    # 250,000 > 200,000: 250,000 × $6 + 1,000 × $22.50 per 1M = $1.5225 each, $3.045 for 2; at the standard
    # rates 250,000 × $3 + 1,000 × $15 = $0.765 each, $1.53; premium $1.515, × 30 / 28 = $1.62 per 30 days
    [row] = findings(tmp_path, long_prompts(250_000))
    assert (row["finding"], row["app_label"], row["model_label"], row["monthly_saving_fmt"]) == (
        "long context", "reader", "claude-sonnet-4-5", "$1.62")
    assert row["evidence"] == ("2 requests over the 200,000-token long-context threshold (largest input 250,000) "
                               "paid long-context rates on all their tokens: $3.05 instead of $1.53 at the standard "
                               "rates; the catalogue drops the tier from 2026-04-30")
    assert row["saving_usd"] == Decimal("1.515")


def test_requests_just_under_the_threshold_are_a_warning_without_saving(tmp_path):
    # 200,000 is not over 200,000 (standard tier) but within 10% below it: shown although it saves nothing
    [row] = findings(tmp_path / "at", long_prompts(200_000))
    assert (row["finding"], row["app_label"], row["model_label"], row["monthly_saving_fmt"]) == (
        "near long context", "reader", "claude-sonnet-4-5", "—")
    assert row["evidence"] == ("2 requests within 10.0% below the 200,000-token long-context threshold (largest "
                               "input 200,000): a request over it pays long-context rates on all its tokens")
    assert row["saving_usd"] is None
    assert findings(tmp_path / "below", long_prompts(180_000)) == []  # exactly 10% below: not near


def daily_spend(last_day_requests: int, tokens: int, earlier_tokens: int = 100_000, app: str = "spiky"):
    """One Haiku 4.5 request of earlier_tokens input a day, February 10 to 16, then last_day_requests of tokens
    on the 17th ($1 per 1M input tokens)."""
    return ([app_record(f"d{day}", ts=at(day, 600), app=app, input_tokens=earlier_tokens, output_tokens=0)
             for day in range(10, 17)]
            + [app_record(f"x{i}", ts=at(17, 600 + i), app=app, input_tokens=tokens, output_tokens=0)
               for i in range(last_day_requests)])


def test_a_day_over_three_times_the_trailing_average_is_a_spike(tmp_path):
    # 7 days of $0.10 (average $0.10), then 10 × $0.10 = $1.00 ≥ the $1 floor and × 7 = $7.00 > 3 × $0.70
    [row] = findings(tmp_path, daily_spend(10, 100_000))
    assert (row["finding"], row["app_label"], row["model_label"], row["monthly_saving_fmt"]) == (
        "spend spike", "spiky", "all models", "—")
    assert row["evidence"] == "2026-02-17: $1.00 spent, 10.0× its average of $0.10 over the 7 days before it with data"
    assert row["saving_usd"] is None


def test_a_day_under_the_floor_or_at_three_times_the_average_is_no_spike(tmp_path):
    assert findings(tmp_path / "floor", daily_spend(9, 110_000)) == []  # $0.99 < $1 floor
    # 7 days of $0.50 ($3.50), then $1.50: 1.50 × 7 = 10.50, not over 3 × 3.50
    assert findings(tmp_path / "ratio", daily_spend(3, 500_000, earlier_tokens=500_000)) == []


def test_a_hostile_app_name_stays_escaped_in_the_findings(tmp_path):
    hostile = '<script>alert("x")</script> | *evil_app*'
    rows = findings(tmp_path, daily_spend(10, 100_000, app=hostile))
    assert rows[0]["app_label"] == hostile
    env = template_environment()
    html = env.get_template("sections/findings.html").render(rows=rows)
    md = env.get_template("sections/findings.md").render(rows=rows)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; | *evil_app*" in html and "<script" not in html
    assert r'| \<script\>alert("x")\</script\> \| \*evil\_app\* |' in md


def test_savings_are_scaled_by_the_days_with_data(tmp_path):
    # the cache loss of test_a_cache_written_and_never_read_loses_money (-$1.00) with data on the 10th only: $1.00
    # × 30 / 1 = $30.00 per 30 days (not × 30 / 28: the days before and after the source's data are no days)
    [row] = findings(tmp_path, cache_requests(40, 0), bookends=False)
    assert (row["finding"], row["saving_usd"], row["monthly_saving_fmt"]) == (
        "caching loses money", Decimal("1.000000000000"), "$30.00")


def test_a_what_if_on_stated_rows_starts_from_the_catalogues_price(tmp_path):
    # 200 OpenRouter generations of Sonnet 4.5 on February 10th, each charged total_cost $0.02 (cost_basis stated);
    # the catalogue prices each 2,197 uncached × $3 + 8,192 cache reads × $0.30 + 137 output × $15 per 1M =
    # $0.0111036, by batch half that, $0.0055518. The saving is 200 × $0.0055518 = $1.11036, the catalogue's
    # $2.22072 against its batch price $1.11036 — not the $4.00 charged against a catalogue batch price.
    import json
    from conftest import FIXTURES
    generation = json.loads((FIXTURES / "openrouter_generation.json").read_text())["data"]
    generations = [{**generation, "id": f"gen-{i}", "created_at": at(10, i), "total_cost": 0.02} for i in range(200)]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "generations.json").write_text(json.dumps({"data": generations}))
    ingest(load_settings(None, str(tmp_path / "home")), [str(tmp_path / "in" / "generations.json")])
    rows = findings(tmp_path, [], batch_candidates=("unattributed",))
    [row] = [r for r in rows if r["finding"] == "batch"]
    assert row["saving_usd"] == Decimal("1.11036")
    assert row["evidence"] == ("200 requests not by the Batch API, from an app listed in [findings] batch_candidates; "
                               "by batch (if its answers can wait: results come within 24 hours) their token charges "
                               "would halve: $1.11 instead of $2.22")
