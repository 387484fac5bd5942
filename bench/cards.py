"""Field-level accuracy of card reading on the labelled corpus in tests/data/cards/, per language
and per input kind (typed text, photo), and the per-photo latency.

    python bench/cards.py               # text and photos
    python bench/cards.py --kind text   # text only (no OCR needed)

A field counts as right when it equals the label exactly (lists compared as sets; a field the
label leaves empty must stay empty, so an invented field counts as wrong, and is also counted).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.domain.cards import FIELDS, LANGUAGE_REGION, Card, parse_card  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "cards"
LANGS = ("en", "hr", "cs", "pl", "mk", "fa")
GROUPS = {
    "emails+phones": ("emails", "phones"),
    "name": ("first_name", "last_name"),
    "company": ("company",),
    "title": ("job_title",),
    "website": ("website",),
    "address": ("address",),
}


def compare(card: Card, label: dict) -> dict[str, bool]:
    out = {}
    for f in FIELDS:
        got, want = getattr(card, f), label.get(f)
        if isinstance(want, list) or isinstance(got, list):
            out[f] = set(got or []) == set(want or [])
        else:
            out[f] = (got or None) == (want or None)
    return out


def invented(card: Card, label: dict) -> int:
    return sum(1 for f in FIELDS if getattr(card, f) and not label.get(f))


def run(kind: str, verbose: bool, rep_language: str) -> None:
    names = json.loads((CORPUS / "index.json").read_text())
    from_qr = False
    per_lang: dict[str, list[dict[str, bool]]] = {lang: [] for lang in LANGS}
    latencies: list[float] = []
    inventions = 0
    qr_rows: list[dict[str, bool]] = []
    qr_decoded = 0
    reader = None
    if kind == "photo":
        from bot.domain.ocr import CardReader

        reader = CardReader()
    for name in names:
        label = json.loads((CORPUS / f"{name}.json").read_text())
        if kind == "text":
            # The team's default phone region is that of the rep's country (here: the card's).
            region = LANGUAGE_REGION[label["language"]]
            card = parse_card((CORPUS / f"{name}.txt").read_text(), default_region=region)
        else:
            data = (CORPUS / f"{name}.jpg").read_bytes()
            t0 = time.perf_counter()
            rep = label["language"] if rep_language == "card" else rep_language
            read = reader.read(data, rep_language=rep, default_region=LANGUAGE_REGION[label["language"]])
            latencies.append(time.perf_counter() - t0)
            card, from_qr = read.card, read.from_qr
        if kind == "photo" and label.get("qr"):
            label = {**label, "website": label["qr_website"]}
        result = compare(card, label)
        inventions += invented(card, label)
        if kind == "photo" and label.get("qr"):
            qr_rows.append(result)
            qr_decoded += from_qr
        per_lang[label["language"]].append(result)
        if verbose and not all(result.values()):
            wrong = {f: (getattr(card, f), label.get(f)) for f, ok in result.items() if not ok}
            print(f"  {name}: {wrong}")
    print(
        f"\n{kind}: {len(names)} cards; invented fields: {inventions}"
        + (f"; rep's language: {rep_language}" if kind == "photo" else "")
    )
    header = f"{'':8}" + "".join(f"{g:>15}" for g in GROUPS) + f"{'all fields':>12}"
    print(header)
    totals: dict[str, list[bool]] = {g: [] for g in GROUPS}
    everything: list[bool] = []
    for lang, rows in per_lang.items():
        cells = []
        for group, fields in GROUPS.items():
            hits = [r[f] for r in rows for f in fields]
            totals[group] += hits
            cells.append(f"{100 * sum(hits) / len(hits):14.0f}%")
        all_hits = [v for r in rows for v in r.values()]
        everything += all_hits
        print(f"{lang:8}" + "".join(cells) + f"{100 * sum(all_hits) / len(all_hits):11.0f}%")
    print(
        f"{'all':8}"
        + "".join(f"{100 * sum(v) / len(v):14.0f}%" for v in totals.values())
        + f"{100 * sum(everything) / len(everything):11.0f}%"
    )
    if qr_rows:
        hits = [v for r in qr_rows for v in r.values()]
        print(
            f"cards with a QR code: {qr_decoded} of {len(qr_rows)} decoded; "
            f"their fields right: {100 * sum(hits) / len(hits):.0f}%"
        )
    if latencies:
        print(f"first photo, engines loading: {latencies[0] * 1000:.0f} ms")
        latencies.sort()
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        print(
            f"photo latency: median {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
            f"max {latencies[-1] * 1000:.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=["text", "photo", "both"], default="both")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument(
        "--rep-language",
        default="card",
        help="the rep's language for photos: 'card' (a rep from the card's country) or a code",
    )
    args = parser.parse_args()
    for kind in ("text", "photo") if args.kind == "both" else (args.kind,):
        run(kind, args.verbose, args.rep_language)


if __name__ == "__main__":
    main()
