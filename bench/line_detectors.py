"""Text-line detectors compared on the card photos: OpenCV morphology (what the bot uses) against
the PP-OCRv6 small text detector that the `rapidocr` wheel ships, run with `onnxruntime` on the CPU.
Everything else (straightening, Tesseract per line, the field rules) is the bot's.

    pip install onnxruntime                        # not a dependency of the bot
    pip download --no-deps rapidocr==3.10.0        # the wheel carries the model; unzip it
    python bench/line_detectors.py --model rapidocr/models/PP-OCRv6_det_small.onnx --split tune

Prints exact fields per split and the time per photo for each detector, and the detector's own
time per photo.
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

from bench.cards import SPLITS, compare  # noqa: E402
from bot.domain import ocr  # noqa: E402
from bot.domain.cards import LANGUAGE_REGION  # noqa: E402


class PPOCRDetector:
    """DB text detection: a probability map per pixel, thresholded, each blob grown back to its line."""

    def __init__(self, model: str, long_side: int) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 2
        self.session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0].name
        self.long_side = long_side
        self.seconds: list[float] = []

    def __call__(self, gray: Any) -> list[ocr.Box]:
        import cv2
        import numpy as np

        t0 = time.perf_counter()
        height, width = gray.shape[:2]
        scale = self.long_side / max(height, width)
        h32, w32 = max(32, round(height * scale / 32) * 32), max(32, round(width * scale / 32) * 32)
        image = cv2.resize(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), (w32, h32)).astype("float32")
        image = (image / 255.0 - 0.5) / 0.5
        probability = self.session.run(None, {self.input: image.transpose(2, 0, 1)[None]})[0][0, 0]
        mask = cv2.dilate((probability > 0.3).astype("uint8"), np.ones((2, 2), np.uint8))
        contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        fx, fy = width / w32, height / h32
        boxes = []
        for contour in contours:
            if cv2.contourArea(contour) < 6:
                continue
            x, y, w, h = cv2.boundingRect(contour)
            if float(probability[y : y + h, x : x + w].mean()) < 0.5 * 0.6:
                continue
            rect = cv2.minAreaRect(contour)
            (cx, cy), (rw, rh) = rect[0], (max(rect[1]), min(rect[1]))
            grow = cv2.contourArea(contour) * 1.6 / max(1.0, cv2.arcLength(contour, True))  # unclip
            corners = cv2.boxPoints(rect)
            edges = [corners[(i + 1) % 4] - corners[i] for i in range(2)]
            dx, dy = max(edges, key=lambda e: float(np.hypot(*e)))
            if dx < 0:
                dx, dy = -dx, -dy
            angle = float(np.degrees(np.arctan2(dy, dx)))
            angle = angle if 0.7 <= abs(angle) <= 15 else 0.0
            rw, rh = (rw + 2 * grow) * fx, (rh + 2 * grow) * fy
            cx, cy = cx * fx, cy * fy
            if rh < 8 or rw < 10:
                continue
            boxes.append(ocr.Box(int(cx - rw / 2), int(cy - rh / 2), int(rw), int(rh), angle))
        self.seconds.append(time.perf_counter() - t0)
        return ocr._reading_order(ocr._join_words(boxes))


def run(split: str, name: str) -> None:
    folder = SPLITS[split]
    names = json.loads((folder / "index.json").read_text())
    reader = ocr.CardReader()
    reader.warm_up()
    hits: list[bool] = []
    latencies: list[float] = []
    for key in names:
        label = json.loads((folder / f"{key}.json").read_text())
        lang = label["language"]
        t0 = time.perf_counter()
        card = reader.read(
            (folder / f"{key}.jpg").read_bytes(), rep_language=lang, default_region=LANGUAGE_REGION[lang]
        ).card
        latencies.append(time.perf_counter() - t0)
        if label.get("qr"):
            label = {**label, "website": label["qr_website"]}
        hits += compare(card, label).values()
    latencies.sort()
    p95 = latencies[round(0.95 * (len(latencies) - 1))]
    print(
        f"{split:8} {name:28} exact fields {100 * sum(hits) / len(hits):5.1f}%  "
        f"per photo median {statistics.median(latencies):.2f} s, p95 {p95:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True, help="PP-OCRv6_det_small.onnx from the rapidocr wheel")
    parser.add_argument("--split", choices=list(SPLITS), default="tune")
    parser.add_argument("--long-side", type=int, default=1280, help="the detector's input size")
    args = parser.parse_args()
    morphology = ocr.find_lines
    run(args.split, "OpenCV morphology")
    detector = PPOCRDetector(args.model, args.long_side)
    ocr.find_lines = detector  # type: ignore[assignment]
    try:
        run(args.split, f"PP-OCRv6 det ({args.long_side} px)")
    finally:
        ocr.find_lines = morphology
    seconds = sorted(detector.seconds)
    print(f"  the detector alone: median {statistics.median(seconds):.2f} s, max {seconds[-1]:.2f} s per photo")
    t0 = time.perf_counter()
    lines = [morphology(_sample_gray()) for _ in range(5)]
    print(f"  morphology alone: {(time.perf_counter() - t0) / 5:.3f} s per photo ({len(lines[0])} lines)")


def _sample_gray() -> Any:
    folder = SPLITS["tune"]
    data = (folder / "en-00.jpg").read_bytes()
    return ocr._gray(ocr.rectify(ocr._to_bgr(ocr.load_image(data))))


if __name__ == "__main__":
    main()
