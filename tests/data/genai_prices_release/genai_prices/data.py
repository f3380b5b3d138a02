"""A hand-written stand-in for a genai-prices release's data module (tests/test_imported_prices.py)."""

import datetime
from decimal import Decimal

from .types import *

__all__ = ('providers',)

providers: list[Provider] = [
    Provider(
        id='acme',
        name='Acme',
        api_pattern='https://api\\.acme\\.example',
        model_match=ClauseContains(contains='acme'),
        models=[
            ModelInfo(
                id='Acme-Large',
                match=ClauseOr(
                    or_=[
                        ClauseEquals(equals='acme-large'),
                        ClauseStartsWith(starts_with='acme-large-2026'),
                        ClauseRegex(regex='^acme/large$'),
                        ClauseAnd(and_=[ClauseContains(contains='acme'), ClauseEndsWith(ends_with='-l')]),
                    ]
                ),
                prices=[
                    ConditionalPrice(
                        prices=ModelPrice(
                            input_mtok=TieredPrices(base=Decimal('2'), tiers=[Tier(start=200000, price=Decimal('4'))]),
                            cache_read_mtok=Decimal('0.2'),
                            output_mtok=TieredPrices(base=Decimal('8'), tiers=[Tier(start=200000, price=Decimal('12'))]),
                            input_audio_mtok=Decimal('20'),
                        )
                    ),
                    ConditionalPrice(
                        constraint=StartDateConstraint(start_date=datetime.date(2026, 3, 1)),
                        prices=ModelPrice(input_mtok=Decimal('1'), output_mtok=Decimal('5'), web_searches_kcount=Decimal('10')),
                    ),
                ],
                price_variants=[
                    PriceVariant(when={'service_tier': 'default'}, prices=ModelPrice(), constraint=None),
                    PriceVariant(
                        when={'processing': 'batch'},
                        prices=ModelPrice(input_mtok=Decimal('0.5'), output_mtok=Decimal('2.5')),
                        constraint=StartDateConstraint(start_date=datetime.date(2026, 6, 1)),
                    ),
                    PriceVariant(
                        when={'service_tier': 'fast'},
                        prices=ModelPrice(input_mtok=Decimal('2'), output_mtok=Decimal('10')),
                        constraint=StartDateConstraint(start_date=datetime.date(2026, 6, 1)),
                    ),
                    PriceVariant(
                        when={'service_tier': 'flex'},
                        prices=ModelPrice(input_mtok=Decimal('0.5'), output_mtok=Decimal('2.5')),
                        constraint=None,
                    ),
                ],
            ),
            ModelInfo(
                id='acme-voice',
                match=ClauseEquals(equals='acme-voice'),
                prices=ModelPrice(input_audio_mtok=Decimal('40'), output_audio_mtok=Decimal('80')),
            ),
            ModelInfo(
                id='acme-fast',
                match=ClauseEquals(equals='acme-fast'),
                prices=ModelPrice(input_mtok=Decimal('5'), output_mtok=Decimal('25'), cache_read_mtok=Decimal('0.5')),
                price_variants=[
                    PriceVariant(
                        when={'speed': 'fast'},
                        prices=ModelPrice(input_mtok=Decimal('30'), output_mtok=Decimal('150'), cache_read_mtok=Decimal('1.5')),
                    )
                ],
            ),
        ],
    ),
    Provider(
        id='anthropic',
        name='Anthropic',
        api_pattern='https://api\\.anthropic\\.com',
        models=[
            ModelInfo(
                id='claude-3-opus-latest',
                match=ClauseStartsWith(starts_with='claude-3-opus'),
                prices=ModelPrice(input_mtok=Decimal('15'), output_mtok=Decimal('75')),
            ),
            ModelInfo(
                id='claude-free',
                match=ClauseEquals(equals='claude-free'),
                prices=ModelPrice(input_mtok=Decimal('0'), output_mtok=Decimal('0')),
                price_variants=[
                    PriceVariant(
                        when={'speed': 'fast'},
                        prices=ModelPrice(input_mtok=Decimal('1'), output_mtok=Decimal('5'), cache_read_mtok=Decimal('0.1'),
                                          cache_write_mtok=Decimal('1.25')),
                        constraint=TimeOfDateConstraint(start_time=datetime.time(16, 30), end_time=datetime.time(0, 30)),
                    )
                ],
            ),
        ],
    ),
]
