"""What the sample generators share: checked arguments, exact apportioning, and a writer of one file per UTC day."""
from __future__ import annotations

import heapq
import math
import os
import random
from pathlib import Path

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


def check_scale_and_seed(scale, seed) -> None:
    """A ValueError unless scale is a positive integer and seed an integer (every sample kind checks this)."""
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, got {seed!r}")


def apportion(n: int, weights: list[float], rng: random.Random) -> list[int]:
    """Split n into integer counts proportional to weights (systematic sampling: exact total, unbiased)."""
    total = sum(weights)
    offset = rng.random()
    counts = []
    cumulative = 0.0
    previous = 0
    for i, weight in enumerate(weights):
        cumulative += weight * n / total
        upto = n if i == len(weights) - 1 else min(n, math.floor(cumulative + offset))
        counts.append(upto - previous)
        previous = upto
    return counts


class DayWriter:
    """Writes rows to one file per UTC day (day_strings[d] names day d), each moved into place when complete.
    Rows may be added up to delay_ms out of time order (the 429s of a retry chain come before their success):
    they wait in a heap until flush(t) says nothing earlier than t - delay_ms can still come."""

    def __init__(self, out_dir: Path, app_dir: Path, day_strings: list[str], delay_ms: int) -> None:
        self.out_dir = out_dir
        self.app_dir = app_dir
        self.day_strings = day_strings
        self.delay_ms = delay_ms
        self.pending: list[tuple[int, int, str]] = []
        self.added = 0
        self.day = -1
        self.handle = None
        self.written: list[Path] = []

    def add(self, t: int, row: str) -> None:
        self.added += 1
        heapq.heappush(self.pending, (t, self.added, row))

    def flush(self, now: int) -> None:
        while self.pending and self.pending[0][0] < now - self.delay_ms:
            t, _, row = heapq.heappop(self.pending)
            self._write(t, row)

    def _write(self, t: int, row: str) -> None:
        day = t // DAY_MS
        if day != self.day:
            self._finish()
            self.day = day
            self.handle = open(self._path(day).with_suffix(".jsonl.tmp"), "w", encoding="utf-8",
                               newline="\n", buffering=1 << 20)
        self.handle.write(row)

    def _path(self, day: int) -> Path:
        return self.app_dir / f"{self.day_strings[day]}.jsonl"

    def _finish(self) -> None:
        if self.handle is not None:
            self.handle.close()
            path = self._path(self.day)
            os.replace(path.with_suffix(".jsonl.tmp"), path)
            self.written.append(path)
            self.handle = None

    def close(self) -> list[str]:
        """Write what is pending, finish the last day, remove days of an earlier run; the files written."""
        while self.pending:
            t, _, row = heapq.heappop(self.pending)
            self._write(t, row)
        self._finish()
        keep = set(self.written)
        for stale in self.app_dir.glob("????-??-??.jsonl"):
            if stale not in keep:
                stale.unlink()  # a day that has no rows in this run
        return [p.relative_to(self.out_dir).as_posix() for p in self.written]
