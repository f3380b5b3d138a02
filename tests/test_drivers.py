"""Why spend changed: the drivers of sql/reports/drivers.sql add up to the change and each means what it says."""
import datetime as dt
import itertools
import shutil
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import app_record, write_jsonl
from pipeline.config import load_settings
from pipeline.ingest import ingest
from pipeline.reports import load_macros, run_section
from pipeline.views import open_views

MARCH_AGAINST_FEBRUARY = {"start": dt.date(2026, 3, 1), "end": dt.date(2026, 3, 31),
            "prev_start": dt.date(2026, 2, 1), "prev_end": dt.date(2026, 2, 28), "tz": "UTC"}
FEBRUARY_AGAINST_JANUARY = {"start": dt.date(2026, 2, 1), "end": dt.date(2026, 2, 28),
                            "prev_start": dt.date(2026, 1, 1), "prev_end": dt.date(2026, 1, 31), "tz": "UTC"}
HAIKU, SONNET, SONNET_46 = "claude-haiku-4-5-20251001", "claude-sonnet-4-5-20250929", "claude-sonnet-4-6"
# Sonnet 4.6's requests carry 300k input tokens: over its 200k long-context threshold, whose tier ended on 13 March.
INPUT_TOKENS = {HAIKU: 100_000, SONNET: 100_000, SONNET_46: 300_000}


def rates(model, month):
    """$ per 1M input and output tokens on the 20th of the month (reference/pricing.md, prices.csv)."""
    if model == SONNET_46:
        return (6, Fraction(45, 2)) if month == 2 else (3, 15)
    return {HAIKU: (1, 5), SONNET: (3, 15)}[model]


def request_cost(model, month, output_20k):
    """A request of INPUT_TOKENS[model] input and output_20k × 20k output tokens on the 20th of month."""
    input_rate, output_rate = rates(model, month)
    return Fraction(INPUT_TOKENS[model] * input_rate + output_20k * 20_000 * output_rate, 10**6)


def build(tmp_path, cells, usage=None, periods=MARCH_AGAINST_FEBRUARY):
    """cells: {(app, model, month 2|3): (requests, output_20k)}, each request on the 20th with INPUT_TOKENS[model]
    input tokens, or the token counts usage[model]; the drivers rows as {driver: effect_usd}."""
    records = []
    for (app, model, month), (n, output_20k) in cells.items():
        for i in range(n):
            records.append(app_record(f"{app}-{model}-{month}-{i}", ts=f"2026-{month:02d}-20T10:{i:02d}:00Z",
                                      app=app, model=model, output_tokens=output_20k * 20_000,
                                      **(usage or {}).get(model, {"input_tokens": INPUT_TOKENS[model]})))
    work = tmp_path / "work"  # hypothesis runs many examples in one tmp_path
    shutil.rmtree(work, ignore_errors=True)
    write_jsonl(work / "logs.jsonl", records)
    settings_ = load_settings(None, str(work / "home"))
    ingest(settings_, [str(work / "logs.jsonl")])
    con = open_views(settings_)
    load_macros(con)
    rows = run_section(con, "drivers", periods).to_pylist()
    con.close()
    return {r["driver"]: r["effect_usd"] for r in rows}, rows


def test_drivers_worked_by_hand(tmp_path):
    # A request is 100k input and 20k (or 40k) output tokens: haiku $0.20 (or $0.30), sonnet $0.60.
    # February: haiku 2 × $0.20, sonnet 2 × $0.60 (P = $1.60, 4 requests, $0.40 a request on average).
    # March: haiku 2 × $0.30 (more output), sonnet 4 × $0.60, a new app's haiku 1 × $0.20 (C = $3.20, 7 requests).
    # volume = 7 × $0.40 − $1.60 = $1.20; S = 2 × $0.20 + 4 × $0.60 + $0.20 = $3.00, mix = $3.00 − $2.80 = $0.20;
    # cache $0; prices $0 (neither model's price changed); per request = $1.60 − $1.20 − $0.20 = $0.20 (haiku's two
    # requests cost $0.10 more each).
    effects, rows = build(tmp_path, {
        ("a", HAIKU, 2): (2, 1), ("a", SONNET, 2): (2, 1),
        ("a", HAIKU, 3): (2, 2), ("a", SONNET, 3): (4, 1), ("b", HAIKU, 3): (1, 1),
    })
    assert effects == {"volume": Decimal("1.2"), "mix": Decimal("0.2"), "cache": 0, "prices": 0,
                       "per request": Decimal("0.2"), "total": Decimal("1.6")}
    assert [(r["driver"], r["effect_fmt"], r["share_of_change_fmt"]) for r in rows] == [
        ("volume", "+$1.20", "75.0%"), ("mix", "+$0.20", "12.5%"), ("cache", "$0.00", "0.0%"),
        ("prices", "$0.00", "0.0%"), ("per request", "+$0.20", "12.5%"), ("total", "+$1.60", "100.0%")]


def test_a_price_cut_with_the_same_usage_is_all_prices(tmp_path):
    # Sonnet 4.6 with 100k uncached input, 200k cache reads (300k in all: over the 200k long-context threshold) and
    # 20k output tokens, two requests on 20 February and two on 20 March. The long-context tier ended on 13 March.
    # February (long context: $6 input, $0.60 cache read, $22.50 output per 1M): 0.60 + 0.12 + 0.45 = $1.17 a
    # request, $2.34 in all; without caching 1.80 + 0.45 = $2.25, saving $1.08 a request.
    # March (standard: $3, $0.30, $15): 0.30 + 0.06 + 0.30 = $0.66, $1.32 in all; without caching $1.20.
    # The change, −$1.02, is all prices; at February's prices March's caching saves what February's did: cache $0.
    effects, rows = build(tmp_path, {("a", SONNET_46, 2): (2, 1), ("a", SONNET_46, 3): (2, 1)},
                          usage={SONNET_46: {"input_tokens": 100_000, "cache_read_input_tokens": 200_000}})
    assert effects == {"volume": 0, "mix": 0, "cache": 0, "prices": Decimal("-1.02"), "per request": 0,
                       "total": Decimal("-1.02")}
    assert [(r["driver"], r["effect_fmt"], r["share_of_change_fmt"]) for r in rows][3:] == [
        ("prices", "-$1.02", "100.0%"), ("per request", "$0.00", "0.0%"), ("total", "-$1.02", "100.0%")]


def test_a_model_new_this_period_has_no_price_change(tmp_path):
    # Sonnet 4.6 came out on 17 February: priced as of 31 January, it has no price, so its cost counts as it is
    # (mix), not as a price change. January: one haiku request, $0.20; February: one Sonnet 4.6 request of 300k
    # input and 20k output on the 20th, $1.80 + $0.45 = $2.25. volume 0, mix $2.05, prices 0.
    effects, _ = build(tmp_path, {("a", HAIKU, 1): (1, 1), ("a", SONNET_46, 2): (1, 1)},
                       periods=FEBRUARY_AGAINST_JANUARY)
    assert effects == {"volume": 0, "mix": Decimal("2.05"), "cache": 0, "prices": 0, "per request": 0,
                       "total": Decimal("2.05")}


def test_no_drivers_without_a_previous_period(tmp_path):
    effects, _ = build(tmp_path, {("a", HAIKU, 3): (2, 2)})
    assert effects == {}


KEYS = list(itertools.product(["a", "b"], [HAIKU, SONNET, SONNET_46]))
STEADY_KEYS = [key for key in KEYS if key[1] != SONNET_46]  # models whose prices stay the same
cell_sizes = st.fixed_dictionaries({key: st.tuples(st.integers(0, 3), st.integers(1, 3)) for key in KEYS})


def expected(cells):
    """The drivers of sql/reports/drivers.sql in exact fractions, computed independently of the SQL; this period's
    requests at the previous period's prices are its requests at February's rates."""
    prev = {k: cells[(*k, 2)] for k in KEYS if (*k, 2) in cells and cells[(*k, 2)][0]}
    cur = {k: cells[(*k, 3)] for k in KEYS if (*k, 3) in cells and cells[(*k, 3)][0]}
    P = sum(n * request_cost(k[1], 2, o) for k, (n, o) in prev.items())
    R_P = sum(n for n, _ in prev.values())
    C = sum(n * request_cost(k[1], 3, o) for k, (n, o) in cur.items())
    C_at_previous_prices = sum(n * request_cost(k[1], 2, o) for k, (n, o) in cur.items())
    R_C = sum(n for n, _ in cur.values())
    S = sum(n * request_cost(k[1], 2, prev[k][1]) if k in prev else n * request_cost(k[1], 2, o)
            for k, (n, o) in cur.items())
    volume = R_C * P / R_P - P
    return {"volume": volume, "mix": S - R_C * P / R_P, "cache": 0, "prices": C - C_at_previous_prices,
            "per request": C_at_previous_prices - S, "total": C - P}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(previous=cell_sizes, current=cell_sizes)
def test_drivers_add_up_and_match_their_definitions(tmp_path, previous, current):
    cells = {(*k, 2): v for k, v in previous.items()} | {(*k, 3): v for k, v in current.items()}
    if not any(n for n, _ in previous.values()):
        previous[KEYS[0]] = (1, 1)
        cells[(*KEYS[0], 2)] = (1, 1)
    effects, _ = build(tmp_path, cells)
    assert sum(effects[d] for d in ("volume", "mix", "cache", "prices", "per request")) == effects["total"]
    for driver, value in expected(cells).items():
        assert abs(Fraction(effects[driver]) - value) < Fraction(1, 10**9), driver


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(previous=st.fixed_dictionaries({key: st.tuples(st.integers(0, 3), st.integers(1, 3)) for key in STEADY_KEYS}),
       k=st.integers(1, 3))
def test_the_same_requests_k_times_over_are_pure_volume(tmp_path, previous, k):
    if not any(n for n, _ in previous.values()):
        previous[STEADY_KEYS[0]] = (1, 1)
    cells = {(*key, 2): v for key, v in previous.items()} | {(*key, 3): (n * k, o) for key, (n, o) in previous.items()}
    effects, _ = build(tmp_path, cells)
    assert (effects["mix"], effects["cache"], effects["prices"], effects["per request"]) == (0, 0, 0, 0)
    previous_cost = sum(n * request_cost(key[1], 2, o) for key, (n, o) in previous.items())
    assert Fraction(effects["volume"]) == Fraction(effects["total"]) == (k - 1) * previous_cost
