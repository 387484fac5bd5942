"""The funnel picture: one bar per stage, centred, widest at the top, with its count and the
conversion to the next stage. matplotlib with the Agg backend (no screen), called in a worker
thread. matplotlib's text layout shapes Persian and orders it right to left by itself."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass

_LOCK = threading.Lock()  # pyplot keeps global state: one figure at a time


@dataclass(frozen=True)
class FunnelChart:
    title: str
    labels: list[str]  # one per stage, top to bottom
    counts: list[int]
    notes: list[str]  # under each bar (e.g. "→ 42%"); "" for none


def render_png(chart: FunnelChart) -> bytes:
    """PNG bytes of the funnel (about 60 KB, 1000 x 700 pixels)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    colours = ["#c7d2fe", "#a5b4fc", "#818cf8", "#6366f1", "#16a34a"]
    biggest = max(chart.counts or [0]) or 1
    with _LOCK:
        fig, ax = plt.subplots(figsize=(10, 7), dpi=100)
        try:
            n = len(chart.counts)
            for i, (label, count) in enumerate(zip(chart.labels, chart.counts, strict=True)):
                y = n - 1 - i
                width = max(0.04, count / biggest)
                ax.barh(y, width, left=-width / 2, height=0.72, color=colours[i % len(colours)])
                ax.text(0, y + 0.08, label, ha="center", va="center", fontsize=15, weight="bold")
                ax.text(0, y - 0.2, f"{count:,}", ha="center", va="center", fontsize=13)
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
