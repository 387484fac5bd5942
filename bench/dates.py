"""The date reader on the phrase tables (tests/data/dates): right / asked back / refused / wrong
per language and split, and the time per phrase (warm), p50 and p99.

    PYTHONPATH=. .venv/bin/python bench/dates.py [--show]

`--show` lists every phrase that is not right, with what came out.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain import dates

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "dates"
ZONE = "Europe/Zagreb"
NOW = datetime(2025, 1, 15, 9, 0, tzinfo=ZoneInfo(ZONE))
SPLITS = ("tuning", "heldout", "heldout2")


def load(split: str) -> list[tuple[str, str, str]]:
    rows = []
    for line in (DATA / f"{split}.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            language, phrase, expected = line.split("\t")
            rows.append((language, phrase, expected))
    return rows


def shown(reading: dates.Reading | None) -> str:
    if reading is None:
        return "refuse"
    if isinstance(reading, dates.OutOfBounds):
        return "refuse (out of bounds)"
    if isinstance(reading, dates.Ambiguous):
        return "ask:" + "|".join(w.at.strftime("%Y-%m-%d %H:%M") for w in reading.options)
    return reading.at.strftime("%Y-%m-%d %H:%M")


def verdict(expected: str, reading: dates.Reading | None) -> str:
    """right, asked (asked back, the meant moment among the options), refused, or wrong."""
    got = shown(reading)
    if expected == "refuse":
        return "right" if reading is None or isinstance(reading, dates.OutOfBounds) else "wrong"
    if expected.startswith("ask:"):
        if isinstance(reading, dates.Ambiguous):
            return "right" if set(got[4:].split("|")) == set(expected[4:].split("|")) else "wrong"
        return "refused" if reading is None or isinstance(reading, dates.OutOfBounds) else "wrong"
    if got == expected:
        return "right"
    if isinstance(reading, dates.Ambiguous):
        return "asked" if expected in got[4:].split("|") else "wrong"
    return "refused" if reading is None or isinstance(reading, dates.OutOfBounds) else "wrong"


def read(language: str, phrase: str) -> dates.Reading | None:
    return dates.read_when(phrase, language=language, zone=ZONE, now=NOW)


def main() -> None:
    show = "--show" in sys.argv
    dates.warm_up()
    timings: list[float] = []
    print(f"{'split':8} {'lang':4} {'rows':>5} {'right':>6} {'asked':>6} {'refused':>8} {'wrong':>6}")
    for split in SPLITS:
        rows = load(split)
        per: dict[str, Counter[str]] = {}
        for language, phrase, expected in rows:
            reading = read(language, phrase)
            outcome = verdict(expected, reading)
            per.setdefault(language, Counter())[outcome] += 1
            if show and outcome != "right":
                print(f"  {outcome:8} {split} {language} {phrase!r}: expected {expected}, got {shown(reading)}")
            for _ in range(20):
                start = time.perf_counter()
                read(language, phrase)
                timings.append((time.perf_counter() - start) * 1000)
        for language in dates.LANGUAGES:
            c = per.get(language, Counter())
            total = sum(c.values())
            print(
                f"{split:8} {language:4} {total:5} {c['right']:6} {c['asked']:6} {c['refused']:8} {c['wrong']:6}"
                f"   {100 * c['right'] / max(total, 1):5.1f}% right"
            )
    timings.sort()
    p99 = timings[int(len(timings) * 0.99)]
    print(f"time per phrase, warm ({len(timings)} reads): p50 {statistics.median(timings):.3f} ms, p99 {p99:.3f} ms")
    worst = dates.read_when  # the longest input the reader takes, full of date words
    long_text = ("sutra u 10 " * 40)[: dates.MAX_LENGTH]
    start = time.perf_counter()
    for _ in range(100):
        worst(long_text, language="hr", zone=ZONE, now=NOW)
    print(f"longest input read ({len(long_text)} characters): {(time.perf_counter() - start) * 10:.3f} ms")


if __name__ == "__main__":
    main()
