"""The funnel picture: one bar per stage, centred, widest at the top, with its count and the
conversion to the next stage; beside it, when the period has new records, a panel of bars per
source (the period's new records, with a note such as the share won). matplotlib with the Agg
backend (no screen), called in a worker thread. matplotlib's text layout shapes Persian and
orders it right to left by itself."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_LOCK = threading.Lock()  # pyplot keeps global state: one figure at a time


@dataclass(frozen=True)
class FunnelChart:
    title: str
    labels: list[str]  # one per stage, top to bottom
    counts: list[int]
    notes: list[str]  # under each bar (e.g. "→ 42%"); "" for none
    sources_title: str = ""
    sources: list[tuple[str, int, str]] = field(default_factory=list)  # (label, new records, note)
    number: Callable[[int], str] = "{:,}".format  # a count as the reader writes it ("1.250", "۱٬۲۵۰")


def render_png(chart: FunnelChart) -> bytes:
    """PNG bytes of the funnel (about 60 KB, 1000 x 700 pixels)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    colours = ["#c7d2fe", "#a5b4fc", "#818cf8", "#6366f1", "#16a34a"]
    biggest = max(chart.counts or [0]) or 1
    with _LOCK:
        if chart.sources:
            fig, (ax, side) = plt.subplots(1, 2, figsize=(16, 7), dpi=100, gridspec_kw={"width_ratios": [10, 6]})
        else:
            fig, ax = plt.subplots(figsize=(10, 7), dpi=100)
        try:
            if chart.sources:
                _sources_panel(side, chart)
            n = len(chart.counts)
            for i, (label, count) in enumerate(zip(chart.labels, chart.counts, strict=True)):
                y = n - 1 - i
                width = max(0.04, count / biggest)
                ax.barh(y, width, left=-width / 2, height=0.72, color=colours[i % len(colours)])
                ax.text(0, y + 0.08, label, ha="center", va="center", fontsize=15, weight="bold")
                ax.text(0, y - 0.2, chart.number(count), ha="center", va="center", fontsize=13)
                note = chart.notes[i] if i < len(chart.notes) else ""
                if note:
                    ax.text(0.52, y - 0.5, note, ha="left", va="center", fontsize=11, color="#374151")
            ax.set_xlim(-0.55, 0.75)
            ax.set_ylim(-0.7, n - 0.3)
            ax.axis("off")
            ax.set_title(chart.title, fontsize=16)
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", bbox_inches="tight")
        finally:
            plt.close(fig)
    return buffer.getvalue()


def _sources_panel(ax: Any, chart: FunnelChart) -> None:
    """New records per source, the biggest on top, each with its note."""
    rows = chart.sources
    biggest = max(n for _, n, _ in rows) or 1
    for i, (label, count, note) in enumerate(rows):
        y = len(rows) - 1 - i
        ax.barh(y, count / biggest, height=0.6, color="#a5b4fc")
        ax.text(0.01, y + 0.05, f"{label}: {chart.number(count)}", ha="left", va="center", fontsize=12, weight="bold")
        if note:
            ax.text(0.01, y - 0.38, note, ha="left", va="center", fontsize=10, color="#374151")
    ax.set_xlim(0, 1.05)
    ax.set_ylim(-0.8, len(rows) - 0.4)
    ax.axis("off")
    ax.set_title(chart.sources_title, fontsize=14)
