"""Field-level accuracy of card reading, per split, language and field, and the time per photo.

    python bench/cards.py                          # every split, photos and typed text
    python bench/cards.py --split heldout          # the figure that counts: cards never tuned on
    python bench/cards.py --split tune --kind text # typed text only (no OCR needed)
    python bench/cards.py --folder /tmp/probe -v    # a probe corpus (scripts/card_corpus.py --probe)

Splits:
- `corpus`: tests/data/cards/ (the first generator; the rules were written against it),
- `tune`: tests/data/cards2/tune/ (second generator, its tuning layout families),
- `heldout`: tests/data/cards2/heldout/ (second generator, other layout families, people and seed;
  never tuned on).

A field counts as right when it equals the label exactly (lists compared as sets; a field the label
leaves empty must stay empty, so an invented field counts as wrong, and is also counted). Photos
are read one after another in one process (`--workers 2` reads them through the bot's pool).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.domain.cards import FIELDS, LANGUAGE_REGION, Card, parse_card  # noqa: E402

SPLITS = {
    "corpus": ROOT / "tests" / "data" / "cards",
    "tune": ROOT / "tests" / "data" / "cards2" / "tune",
    "heldout": ROOT / "tests" / "data" / "cards2" / "heldout",
}
LANGS = ("en", "hr", "cs", "pl", "mk", "fa")
GROUPS = {
    "name": ("first_name", "last_name"),
    "title": ("job_title",),
    "company": ("company",),
    "e-mail": ("emails",),
    "phones": ("phones",),
    "website": ("website",),
    "address": ("address",),
}


def compare(card: Card, label: dict[str, Any]) -> dict[str, bool]:
    out = {}
    for f in FIELDS:
        got, want = getattr(card, f), label.get(f)
        if isinstance(want, list) or isinstance(got, list):
            out[f] = set(got or []) == set(want or [])
        else:
            out[f] = (got or None) == (want or None)
    return out


def invented(card: Card, label: dict[str, Any]) -> int:
    return sum(1 for f in FIELDS if getattr(card, f) and not label.get(f))


def _pct(hits: list[bool]) -> str:
    return f"{100 * sum(hits) / len(hits):7.1f}" if hits else f"{'-':>7}"


def table(per_lang: dict[str, list[dict[str, bool]]]) -> tuple[str, float]:
    """Rows per language, columns per field; the last row and column are the totals."""
    lines = [f"{'':5}" + "".join(f"{g:>9}" for g in GROUPS) + f"{'all':>9}"]
    totals: dict[str, list[bool]] = {g: [] for g in GROUPS}
    everything: list[bool] = []
    for lang in LANGS:
        rows = per_lang.get(lang, [])
        if not rows:
            continue
        cells = []
        for group, fields in GROUPS.items():
            hits = [r[f] for r in rows for f in fields]
            totals[group] += hits
            cells.append(f"{_pct(hits):>9}")
        all_hits = [v for r in rows for v in r.values()]
        everything += all_hits
        lines.append(f"{lang:5}" + "".join(cells) + f"{_pct(all_hits):>9}")
    lines.append(f"{'all':5}" + "".join(f"{_pct(v):>9}" for v in totals.values()) + f"{_pct(everything):>9}")
    return "\n".join(lines), 100 * sum(everything) / max(1, len(everything))


def run(split: str, kind: str, verbose: bool, rep_language: str, workers: int) -> None:
    folder = SPLITS[split]
    names = json.loads((folder / "index.json").read_text())
    per_lang: dict[str, list[dict[str, bool]]] = {}
    latencies: list[float] = []
    inventions = 0
    reader: Any = None
    if kind == "photo":
        from bot.domain.ocr import CardReader

        reader = CardReader(workers=workers)
        reader.warm_up()
    for name in names:
        label = json.loads((folder / f"{name}.json").read_text())
        lang = label["language"]
        region = LANGUAGE_REGION[lang]  # the team's region is the rep's country (here: the card's)
        if kind == "text":
            card = parse_card((folder / f"{name}.txt").read_text(), default_region=region)
        else:
            data = (folder / f"{name}.jpg").read_bytes()
            rep = lang if rep_language == "card" else rep_language
            t0 = time.perf_counter()
            card = reader.read(data, rep_language=rep, default_region=region).card
            latencies.append(time.perf_counter() - t0)
            if label.get("qr"):
                label = {**label, "website": label["qr_website"]}
        result = compare(card, label)
        inventions += invented(card, label)
        per_lang.setdefault(lang, []).append(result)
        if verbose and not all(result.values()):
            wrong = {f: (getattr(card, f), label.get(f)) for f, ok in result.items() if not ok}
            print(f"  {name}: {wrong}")
            if card.guesses:
                print(f"      guesses: {card.guesses}")
    text, overall = table(per_lang)
    print(f"\n{split} / {kind}: {len(names)} cards, exact fields {overall:.1f}%, invented fields: {inventions}")
    print(text)
    if latencies:
        ordered = sorted(latencies)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(
            f"time per photo: median {statistics.median(ordered):.2f} s, p95 {p95:.2f} s, max {ordered[-1]:.2f} s"
            f" ({workers} worker{'s' if workers > 1 else ''}, engines loaded before)"
        )
    if reader is not None:
        reader.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    parser.add_argument("--folder", type=Path, help="a labelled folder instead of the splits (a probe corpus)")
    parser.add_argument("--kind", choices=["text", "photo", "both"], default="both")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--workers", type=int, default=0, help="0: read in this process; n: the bot's pool of n")
    parser.add_argument(
        "--rep-language",
        default="card",
        help="the rep's language for photos: 'card' (a rep from the card's country) or a code",
    )
    args = parser.parse_args()
    if args.folder:
        SPLITS["folder"] = args.folder
        args.split = "folder"
    splits = list(SPLITS) if args.split == "all" else [args.split]
    kinds = ("text", "photo") if args.kind == "both" else (args.kind,)
    for split in splits:
        for kind in kinds:
            run(split, kind, args.verbose, args.rep_language, args.workers)


if __name__ == "__main__":
    main()
