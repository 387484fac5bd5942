"""Reading a card photo offline: QR code first, then the card found and straightened, its text
lines found, and each line read on its own by Tesseract in the card's script.

1. `load_image`: the header is checked before anything is decoded (pixels, sides, format); a large
   JPEG is decoded at reduced size (`draft`), other large images are reduced after decoding.
2. `rectify`: the card's outline warped flat, 1800 px wide.
3. `find_lines`: text lines found by OpenCV morphology (the morphological gradient marks strokes of
   either polarity, a horizontal closing joins letters into lines), whatever the script.
4. Each line read alone (Tesseract, single-line mode, the card's language; Persian lines read as
   Persian and as English, the more confident kept), with its size and position kept.
5. `parse_lines` (bot/domain/cards.py): the fields from the lines, their sizes and what they say.

CPU-bound. `CardReader(workers=0)` reads in the calling thread, one photo at a time; with workers
it reads in that many separate processes, so a photo never holds the bot's interpreter, and a
photo that overruns its time budget is stopped.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import logging
import multiprocessing
import re
import threading
import time
import warnings
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.domain.cards import TLD_LANGUAGE, Card, TextLine, parse_lines, repair_ocr

log = logging.getLogger(__name__)

TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata", "/usr/share/tessdata")
TESS_LANG = {"en": "eng", "hr": "hrv", "cs": "ces", "pl": "pol", "mk": "mkd", "fa": "fas"}
MAX_PIXELS = 40_000_000  # beyond this a photo is refused before it is decoded
MAX_SIDE = 16_000
WORK_SIDE = 2000  # larger photos are decoded or reduced to about this long side
WORK_WIDTH = 1800
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO")
BUDGET_SECONDS = 10.0  # one photo's reading time; past it the photo is refused
PERSIAN_NUMBER_CHARACTERS = "۰۱۲۳۴۵۶۷۸۹+: " + "".join(sorted(set("تلفن همراه موبایل فکس")))
MIN_LINE_CONFIDENCE = 45  # a line Tesseract doubts this much, without digits or @, is a logo or noise


class UnreadableImage(Exception):
    """The bytes are not an image we can open."""


class ImageTooLarge(UnreadableImage):
    """An image whose header announces more pixels than we decode."""

    def __init__(self, megapixels: float) -> None:
        super().__init__(f"{megapixels:.0f} megapixels")
        self.megapixels = megapixels

    def __reduce__(self) -> tuple[Any, tuple[float]]:  # raised in a worker process, re-raised here
        return (ImageTooLarge, (self.megapixels,))


class OcrUnavailable(Exception):
    """Tesseract or its language data is not installed on this machine."""


class ReadTimeout(Exception):
    """The photo was not read within its time budget."""


@dataclass
class ReadResult:
    card: Card
    text: str
    from_qr: bool
    language: str | None
    seconds: float


def _tessdata() -> str:
    for folder in TESSDATA_DIRS:
        if (Path(folder) / "eng.traineddata").exists():
            return folder + "/"
    raise OcrUnavailable("Tesseract language data not found (install tesseract-ocr and its language packs)")


# -- the image -----------------------------------------------------------------------------------
def load_image(data: bytes) -> Any:
    """The photo as an RGB Pillow image, upright (EXIF), its long side at most about WORK_SIDE.

    Raises ImageTooLarge when the header announces more than MAX_PIXELS (or a side over MAX_SIDE),
    UnreadableImage for anything that does not decode. Nothing is decoded before the header check."""
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():  # the size is checked below, with a clear refusal
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data), formats=FORMATS)
        width, height = image.size
        if width <= 0 or height <= 0:
            raise UnreadableImage("empty image")
        if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
            raise ImageTooLarge(width * height / 1e6)
        long_side = max(width, height)
        if image.format in ("JPEG", "MPO") and long_side > WORK_SIDE:
            # Decode at 1/2, 1/4 or 1/8 scale: never the full bitmap.
            scale = WORK_SIDE / long_side
            image.draft("RGB", (max(1, int(width * scale)), max(1, int(height * scale))))
        image.load()
        if max(image.size) > 2 * WORK_SIDE:
            image = image.reduce(max(image.size) // WORK_SIDE)
        image = ImageOps.exif_transpose(image)
        return image.convert("RGB")
    except UnreadableImage:
        raise
    except (Image.DecompressionBombError, OSError, ValueError, SyntaxError, EOFError, MemoryError) as exc:
        raise UnreadableImage(type(exc).__name__) from exc
    except Exception as exc:  # a decoder's own error on crafted bytes: still "not an image"
        raise UnreadableImage(type(exc).__name__) from exc


def _to_bgr(image: Any) -> Any:
    import cv2
    import numpy as np

    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


def _gray(bgr: Any) -> Any:
    import cv2

    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    if gray.mean() < 110:  # light text on a dark card
        gray = 255 - gray
    return gray


def _order(points: Any) -> Any:
    import numpy as np

    pts = points.reshape(4, 2).astype("float32")
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], dtype="float32")


def rectify(bgr: Any) -> Any:
    """Find the card (the largest four-sided outline) and warp it flat; the photo as it is otherwise."""
    import cv2
    import numpy as np

    h, w = bgr.shape[:2]
    scale = 900 / max(h, w)
    small = cv2.resize(bgr, (max(1, int(w * scale)), max(1, int(h * scale))))
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    area = small.shape[0] * small.shape[1]
    # Each mask offers its largest outline. Of those that fill their four-sided outline well, the
    # largest wins (a coloured band is part of the card); else the one that fills it best (a desk's
    # grain can make one mask swallow part of the desk).
    candidates: list[tuple[Any, float, float]] = []
    for mask in _card_masks(blurred):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
            hull = cv2.convexHull(contour)
            hull_area = cv2.contourArea(hull)
            if not 0.2 * area < hull_area < 0.97 * area:
                continue
            approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
            if len(approx) == 4:
                quad = approx
            else:  # rounded corners or a shadow: the rotated bounding box is close enough
                quad = cv2.boxPoints(cv2.minAreaRect(hull)).astype("int32")
            quad_area = cv2.contourArea(quad.reshape(-1, 1, 2).astype("float32"))
            candidates.append((quad, cv2.contourArea(contour) / max(1.0, quad_area), quad_area))
            break
    if not candidates:
        return deskew(bgr)
    good = [c for c in candidates if c[1] >= 0.85]
    best = max(good, key=lambda c: c[2])[0] if good else max(candidates, key=lambda c: c[1])[0]
    quad = _order(best) / scale
    top = float(np.linalg.norm(quad[1] - quad[0]))
    side = float(np.linalg.norm(quad[3] - quad[0]))
    portrait = top < side
    width = WORK_WIDTH if not portrait else int(WORK_WIDTH * 0.75)
    height = int(width * side / max(top, 1))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype="float32")
    matrix = cv2.getPerspectiveTransform(quad.astype("float32"), target)
    return cv2.warpPerspective(bgr, matrix, (width, height), flags=cv2.INTER_CUBIC)


def deskew(bgr: Any) -> Any:
    """No card outline found: at least turn the text level (the angle of the text block)."""
    import cv2
    import numpy as np

    gray = _gray(bgr)
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 25)
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    lines = cv2.HoughLinesP(
        cv2.dilate(ink, np.ones((3, 15), np.uint8)), 1, np.pi / 360, 200, minLineLength=bgr.shape[1] // 6, maxLineGap=20
    )
    if lines is None:
        return bgr
    angles = [np.degrees(np.arctan2(y2 - y1, x2 - x1)) for x1, y1, x2, y2 in lines.reshape(-1, 4)]
    angles = [a for a in angles if abs(a) < 20]
    if not angles:
        return bgr
    angle = float(np.median(angles))
    if abs(angle) < 1:
        return bgr
    h, w = bgr.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(bgr, matrix, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def _card_masks(blurred: Any) -> Any:
    """Candidate card outlines: what differs from the desk, colour edges, the card as a bright or
    dark region."""
    import cv2
    import numpy as np

    # Whatever differs in colour from the desk (the photo's border): the card with its coloured
    # bands and margins, even where its edge has little contrast.
    frame = [blurred[:6], blurred[-6:], blurred[:, :6], blurred[:, -6:]]
    border = np.concatenate([side.reshape(-1, 3) for side in frame]).astype("float32")
    desk = np.median(border, axis=0)
    spread = float(np.median(np.linalg.norm(border - desk, axis=1)))
    distance = np.linalg.norm(blurred.astype("float32") - desk, axis=2)
    foreground = (distance > max(60.0, 4 * spread)).astype(np.uint8) * 255
    foreground = cv2.morphologyEx(foreground, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    yield cv2.morphologyEx(foreground, cv2.MORPH_CLOSE, np.ones((25, 25), np.uint8))
    edges = np.zeros(blurred.shape[:2], dtype=np.uint8)
    # Edges of each colour channel: a blue card on a brown desk has little grey contrast.
    for channel in cv2.split(blurred):
        edges |= cv2.Canny(channel, 30, 100)
    yield cv2.morphologyEx(
        cv2.dilate(edges, np.ones((3, 3), np.uint8), iterations=2), cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8)
    )
    gray = cv2.cvtColor(blurred, cv2.COLOR_BGR2GRAY)
    _, bright = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    kernel = np.ones((15, 15), np.uint8)
    yield cv2.morphologyEx(bright, cv2.MORPH_CLOSE, kernel)
    yield cv2.morphologyEx(255 - bright, cv2.MORPH_CLOSE, kernel)


# -- text lines ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Box:
    """A text line: its rectangle once turned level by `angle` degrees about its centre (a line
    of a card photographed at a slant, or straightened imperfectly, is read turned level)."""

    x: int
    y: int
    w: int
    h: int
    angle: float = 0.0


def find_lines(gray: Any) -> list[Box]:
    """The text lines of a straightened card, in reading order (blocks top to bottom, then left to
    right), found without reading them: strokes from the morphological gradient (dark on light and
    light on dark alike), letters joined into lines by a horizontal closing, tall blocks split at
    empty rows, and shapes that are not text (rules, logos, QR codes, the card's edge) dropped."""
    import cv2
    import numpy as np

    height, width = gray.shape[:2]
    blurred = cv2.GaussianBlur(gray, (3, 3), 0)
    gradient = cv2.morphologyEx(blurred, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    _, strokes = cv2.threshold(gradient, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    strokes = cv2.morphologyEx(strokes, cv2.MORPH_OPEN, np.ones((2, 1), np.uint8))
    # Rules, bands' and frames' edges: long straight runs are not text.
    rules = cv2.bitwise_or(
        cv2.morphologyEx(strokes, cv2.MORPH_OPEN, np.ones((1, max(40, width // 6)), np.uint8)),
        cv2.morphologyEx(strokes, cv2.MORPH_OPEN, np.ones((max(40, height // 5), 1), np.uint8)),
    )
    strokes = cv2.bitwise_and(strokes, cv2.bitwise_not(cv2.dilate(rules, np.ones((3, 3), np.uint8))))
    # Letters: connected pieces of a text-like size. Their median height sets the joining distance.
    count, _, stats, _ = cv2.connectedComponentsWithStats(strokes, connectivity=8)
    heights = [int(s[3]) for s in stats[1:count] if 8 <= s[3] <= height * 0.2 and s[2] <= width * 0.3]
    letter = float(np.median(heights)) if heights else 30.0
    joined = cv2.morphologyEx(strokes, cv2.MORPH_CLOSE, np.ones((1, max(9, int(letter * 1.1))), np.uint8))
    contours, _ = cv2.findContours(joined, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    boxes: list[Box] = []
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        area = max(1.0, cv2.contourArea(contour))
        if h < 10 or w < 12 or h > height * 0.35:
            continue
        if x <= 2 or y <= 2 or x + w >= width - 2 or y + h >= height - 2:
            if area / (w * h) < 0.1 or h < 14:  # the card's edge, a frame
                continue
        if w < h * 0.6 and w < letter * 1.5 and h > letter * 2:  # a bar or a stripe
            continue
        fill = area / float(w * h)
        if fill > 0.85 and h > letter * 2.5:  # a solid shape: logo, band
            continue
        if h > letter * 3 and w < h * 1.5:  # a large squarish shape: a logo, a QR code
            continue
        rect = cv2.minAreaRect(contour)
        (cx, cy), (rw, rh) = rect[0], (max(rect[1]), min(rect[1]))
        corners = cv2.boxPoints(rect)
        edges = [corners[(i + 1) % 4] - corners[i] for i in range(2)]
        dx, dy = max(edges, key=lambda e: float(np.hypot(*e)))
        if dx < 0:
            dx, dy = -dx, -dy
        angle = float(np.degrees(np.arctan2(dy, dx)))  # > 0: the line goes down to the right
        if abs(angle) >= 0.7 and abs(angle) <= 15 and rw > 4 * rh:  # a slanted line: kept as a turned box
            boxes.append(Box(int(cx - rw / 2), int(cy - rh / 2), int(rw), int(rh), float(angle)))
            continue
        boxes += _split_rows(strokes, Box(int(x), int(y), int(w), int(h)), letter)
    boxes = [b for b in boxes if b.h >= 10 and b.w >= 12 and b.w >= b.h * 0.5]
    return _reading_order(_join_words(boxes))


def _join_words(boxes: list[Box]) -> list[Box]:
    """Pieces of one line left apart by wide word gaps (large print spaces its words widely):
    side by side, overlapping in height, closer than the line is tall."""
    boxes = sorted(boxes, key=lambda b: b.x)
    merged = True
    while merged:
        merged = False
        for i, a in enumerate(boxes):
            for j in range(i + 1, len(boxes)):
                b = boxes[j]
                top, bottom = max(a.y, b.y), min(a.y + a.h, b.y + b.h)
                gap = b.x - (a.x + a.w)
                alike = abs(a.h - b.h) < 0.4 * max(a.h, b.h) and bottom - top > 0.6 * min(a.h, b.h)
                # A short word inside a taller one's height (Persian words differ much in height).
                inside = bottom - top > 0.9 * min(a.h, b.h) and gap < 0.6 * max(a.h, b.h)
                if gap < 0.8 * max(a.h, b.h) and (alike or inside):
                    x, y = min(a.x, b.x), min(a.y, b.y)
                    angle = a.angle if a.w >= b.w else b.angle
                    boxes[i] = Box(x, y, max(a.x + a.w, b.x + b.w) - x, max(a.y + a.h, b.y + b.h) - y, angle)
                    del boxes[j]
                    merged = True
                    break
            if merged:
                break
    return boxes


def level_text(gray: Any) -> Any:
    """Turn the card so that its text lines are level (a card found slightly askew, or not found)."""
    import cv2
    import numpy as np

    height, width = gray.shape[:2]
    gradient = cv2.morphologyEx(cv2.GaussianBlur(gray, (3, 3), 0), cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    _, strokes = cv2.threshold(gradient, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    joined = cv2.morphologyEx(strokes, cv2.MORPH_CLOSE, np.ones((3, 25), np.uint8))
    contours, _ = cv2.findContours(joined, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    angles, weights = [], []
    for contour in contours:
        (_, _), (w, h), angle = cv2.minAreaRect(contour)
        if w < h:
            w, h, angle = h, w, angle - 90
        if w > 150 and 10 < h < w / 5 and w < width * 0.9:
            angles.append(angle)
            weights.append(w)
    if len(angles) < 3:
        return gray
    order = np.argsort(angles)
    cumulative = np.cumsum(np.asarray(weights)[order])
    angle = float(np.asarray(angles)[order][np.searchsorted(cumulative, cumulative[-1] / 2)])
    if abs(angle) < 0.4 or abs(angle) > 15:
        return gray
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def _split_rows(strokes: Any, box: Box, letter: float) -> list[Box]:
    """A block taller than a line: cut it at the rows without ink."""
    if box.h < letter * 2.4:
        return [box]
    rows = (strokes[box.y : box.y + box.h, box.x : box.x + box.w] > 0).sum(axis=1)
    out, start = [], None
    for i, ink in enumerate([*rows.tolist(), 0]):
        if ink > 1 and start is None:
            start = i
        elif ink <= 1 and start is not None:
            if i - start >= 8:
                out.append(Box(box.x, box.y + start, box.w, i - start))
            start = None
    return out or [box]


def _reading_order(boxes: list[Box]) -> list[Box]:
    """Blocks of lines stacked with small gaps and overlapping horizontally; blocks by their top."""
    blocks: list[list[Box]] = []
    for box in sorted(boxes, key=lambda b: b.y):
        for block in blocks:
            last = block[-1]
            gap = box.y - (last.y + last.h)
            overlap = min(box.x + box.w, last.x + last.w) - max(box.x, last.x)
            if -last.h * 0.5 < gap < max(box.h, last.h) * 1.6 and overlap > 0:
                block.append(box)
                break
        else:
            blocks.append([box])
    blocks.sort(key=lambda block: (block[0].y // 60, block[0].x))
    return [b for block in blocks for b in block]


# -- reading -------------------------------------------------------------------------------------
class CardReader:
    """Reads card photos. workers=0: in the caller's thread (one photo at a time); workers=n: in a
    pool of n processes, started on first use, each with its own engines."""

    def __init__(self, workers: int = 0, budget: float = BUDGET_SECONDS) -> None:
        self.workers = workers
        self.budget = budget
        self._lock = threading.Lock()
        self._engine: _Engine | None = None
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def warm_up(self) -> None:
        """Load the engines now (the first photo would otherwise pay for it)."""
        if self.workers:
            futures = [self._executor().submit(_warm) for _ in range(self.workers)]
            for future in futures:
                future.result()
        else:
            with self._lock:
                self._local().warm()

    def read(self, data: bytes, *, rep_language: str = "en", default_region: str | None = None) -> ReadResult:
        """Read a card photo (blocking). Raises UnreadableImage, ImageTooLarge, ReadTimeout,
        OcrUnavailable."""
        if self.workers:
            future = self._executor().submit(_read_in_worker, data, rep_language, default_region, self.budget)
            try:
                return future.result(timeout=self.budget + 5)
            except concurrent.futures.TimeoutError as exc:
                self._restart()
                raise ReadTimeout() from exc
            except BrokenProcessPool as exc:  # a decoder crashed its worker: new workers, bad image
                self._restart()
                raise UnreadableImage("the reading process stopped") from exc
        start = time.perf_counter()
        image = load_image(data)
        with self._lock:
            return self._local().read(image, rep_language, default_region, start, self.budget)

    async def read_async(
        self, data: bytes, *, rep_language: str = "en", default_region: str | None = None
    ) -> ReadResult:
        """`read` off the event loop: in the pool's processes, or in a worker thread without one."""
        if not self.workers:
            return await asyncio.to_thread(self.read, data, rep_language=rep_language, default_region=default_region)
        future = self._executor().submit(_read_in_worker, data, rep_language, default_region, self.budget)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout=self.budget + 5)
        except TimeoutError as exc:  # a worker stuck past its own budget: replace the pool
            self._restart()
            raise ReadTimeout() from exc
        except BrokenProcessPool as exc:  # a decoder crashed its worker: new workers, bad image
            self._restart()
            raise UnreadableImage("the reading process stopped") from exc

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _local(self) -> _Engine:
        if self._engine is None:
            self._engine = _Engine()
        return self._engine

    def _executor(self) -> concurrent.futures.ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = concurrent.futures.ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
                )
            return self._pool

    def _restart(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
            pool.shutdown(wait=False, cancel_futures=True)


_WORKER_ENGINE: _Engine | None = None


def _worker_engine() -> _Engine:
    global _WORKER_ENGINE
    if _WORKER_ENGINE is None:
        _WORKER_ENGINE = _Engine()
    return _WORKER_ENGINE


def _warm() -> None:
    _worker_engine().warm()


def _read_in_worker(data: bytes, rep_language: str, default_region: str | None, budget: float) -> ReadResult:
    start = time.perf_counter()
    image = load_image(data)
    return _worker_engine().read(image, rep_language, default_region, start, budget)


class _Engine:
    """Tesseract engines of one process (not thread-safe: one photo at a time)."""

    def __init__(self) -> None:
        self._apis: dict[str, Any] = {}
        self._osd: Any = None

    def warm(self) -> None:
        for langs in ("eng", "mkd", "fas", "hrv+eng"):
            self._api(langs)
        self._digits_api()
        self._script_api()

    def _api(self, langs: str) -> Any:
        import tesserocr

        api = self._apis.get(langs)
        if api is None:
            api = tesserocr.PyTessBaseAPI(path=_tessdata(), lang=langs, psm=tesserocr.PSM.SINGLE_LINE)
            self._apis[langs] = api
        return api

    def _digits_api(self) -> Any:
        """Persian in single-line mode with only Persian digits, "+" and the letters of the phone
        labels allowed: for re-reading a number the full model misread."""
        import tesserocr

        api = self._apis.get("fas-digits")
        if api is None:
            api = tesserocr.PyTessBaseAPI(path=_tessdata(), lang="fas", psm=tesserocr.PSM.SINGLE_LINE)
            api.SetVariable("tessedit_char_whitelist", PERSIAN_NUMBER_CHARACTERS)
            self._apis["fas-digits"] = api
        return api

    def _script_api(self) -> Any:
        import tesserocr

        if self._osd is None:
            self._osd = tesserocr.PyTessBaseAPI(path=_tessdata(), lang="osd", psm=tesserocr.PSM.OSD_ONLY)
        return self._osd

    def _script(self, image: Any) -> tuple[str | None, int]:
        osd = self._script_api()
        osd.SetImage(image)
        try:
            info = osd.DetectOrientationScript()
        except RuntimeError:
            return None, 0
        if not info:
            return None, 0
        # A turned card only when Tesseract is sure of it (a photo from Telegram is upright).
        orientation = int(info.get("orient_deg") or 0) if float(info.get("orient_conf") or 0) >= 5 else 0
        return info.get("script_name"), orientation

    def read(
        self, image: Any, rep_language: str, default_region: str | None, start: float, budget: float
    ) -> ReadResult:
        from PIL import Image

        deadline = start + budget
        bgr = _to_bgr(image)
        flat = rectify(bgr)
        qr_card = read_qr(flat) or read_qr(bgr)
        gray = _gray(flat)
        pil = Image.fromarray(gray)
        osd_script, orientation = self._script(pil)
        if orientation in (90, 180, 270):
            import cv2

            turn = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}
            gray = cv2.rotate(gray, turn[orientation])
        gray = level_text(gray)
        boxes = find_lines(gray)
        script = self._vote_script(gray, boxes, osd_script)
        if script == "Cyrillic":
            language = "mk"
        elif script == "Arabic":
            language = "fa"
        else:
            language = rep_language if rep_language in TESS_LANG and rep_language not in ("mk", "fa") else "en"
        lines = self._read_lines(gray, boxes, language, deadline)
        card = parse_lines(lines, language=language, default_region=default_region)
        if qr_card is None and not (card.emails or card.phones or card.website) and _doubtful(lines):
            # No contact details and text Tesseract itself doubts: a meme, a blurry shot, noise.
            return ReadResult(Card(), _text(lines), False, language, time.perf_counter() - start)
        # A Latin card from another country: read again in that country's language.
        if language not in ("mk", "fa"):
            hinted = _language_from_domains(card)
            if hinted and hinted != language and hinted in TESS_LANG and hinted not in ("mk", "fa"):
                lines = self._read_lines(gray, boxes, hinted, deadline)
                card = parse_lines(lines, language=hinted, default_region=default_region)
                language = hinted
        if qr_card is not None:
            card = merge_qr(qr_card, card)
        text = _text(lines)
        card.raw_text = text.strip()
        return ReadResult(card, text, qr_card is not None, language, time.perf_counter() - start)

    def _vote_script(self, gray: Any, boxes: list[Box], osd_script: str | None = None) -> str:
        """The card's script from its tallest lines, each read as Latin, Cyrillic and Persian:
        one line read best as Persian makes a Persian card (they always carry Latin lines too);
        Cyrillic needs more lines than Latin. Lines that every card prints in Latin letters (e-mails,
        websites, numbers) do not vote. Tesseract's own script detection misses Persian, and
        breaks a tie only (it calls many a Latin card Cyrillic)."""
        from PIL import Image

        tallest = sorted(boxes, key=lambda b: b.h, reverse=True)[:6]
        engines = {"Latin": self._api("eng"), "Cyrillic": self._api("mkd"), "Arabic": self._api("fas")}
        wins = {"Latin": 0, "Cyrillic": 0, "Arabic": 0}
        for box in tallest:
            image = Image.fromarray(_crop(gray, box))
            best, best_confidence = None, 0.0
            for script, api in engines.items():
                api.SetImage(image)
                text = api.GetUTF8Text()
                confidence = float(api.MeanTextConf())
                if script == "Latin" and _latin_everywhere(text):
                    break  # an e-mail, a website or a number: Latin on a card of any script
                if sum(ch.isalpha() for ch in text) >= 3 and confidence > best_confidence:
                    best, best_confidence = script, confidence
            else:
                if best is not None and best_confidence >= 60:
                    wins[best] += 1
        if wins["Arabic"]:
            return "Arabic"
        if wins["Cyrillic"] > wins["Latin"] or (wins["Cyrillic"] == wins["Latin"] and osd_script == "Cyrillic"):
            return "Cyrillic"
        return "Latin"

    def _read_lines(self, gray: Any, boxes: list[Box], language: str, deadline: float) -> list[TextLine]:
        from PIL import Image

        if language == "fa":
            engines = [self._api("fas"), self._api("eng")]
        else:
            engines = [self._api(TESS_LANG[language] if language == "en" else f"{TESS_LANG[language]}+eng")]
        out: list[TextLine] = []
        for box in boxes:
            if time.perf_counter() > deadline:
                raise ReadTimeout()
            image = Image.fromarray(_crop(gray, box))
            best: tuple[str, float] | None = None
            readings: list[tuple[str, float]] = []
            for api in engines:
                for text, confidence in _recognise(api, image):
                    readings.append((text, confidence))
                    if best is None or _score(text, confidence) > _score(*best):
                        best = (text, confidence)
            if best is None or not best[0]:
                continue
            if language == "fa":
                best = _mixed_line(best, readings)
            if language == "fa" and _broken_number(best[0]):
                # A number that is no valid phone: read the line again, with only digits and
                # the phone labels' letters allowed, and larger; keep a reading that makes a
                # valid number (Persian digits are small and easily misread).
                import cv2

                crop = _crop(gray, box)
                digits = self._digits_api()
                for factor, api in ((1, digits), (1.5, engines[0]), (1.5, digits), (2, engines[0]), (2, digits)):
                    again = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
                    text, confidence = next(iter(_recognise(api, Image.fromarray(again))))
                    if _whole_number(text):
                        best = (text, confidence)
                        break
            text = repair_ocr(re.sub(r"\s+", " ", best[0].replace("\u200e", "").replace("\u200f", "")))
            if best[1] < MIN_LINE_CONFIDENCE and not re.search(r"[@\d]", text):
                continue
            out.append(TextLine(text, x=box.x, y=box.y, width=box.w, height=box.h, confidence=best[1]))
        return out


def _crop(gray: Any, box: Box) -> Any:
    """A line with a margin, dark text on light, small print enlarged."""
    import cv2

    height, width = gray.shape[:2]
    pad = max(6, box.h // 4)
    if box.angle:
        # Turn the line's neighbourhood level about the line's centre, then cut the line out.
        reach = int(max(box.w, box.h) / 2) + 2 * pad
        cx, cy = box.x + box.w / 2, box.y + box.h / 2
        x0, y0 = max(0, int(cx) - reach), max(0, int(cy) - reach)
        x1, y1 = min(width, int(cx) + reach), min(height, int(cy) + reach)
        region = gray[y0:y1, x0:x1]
        centre = (cx - x0, cy - y0)
        matrix = cv2.getRotationMatrix2D(centre, box.angle, 1.0)
        level = cv2.warpAffine(region, matrix, (region.shape[1], region.shape[0]), borderMode=cv2.BORDER_REPLICATE)
        crop = cv2.getRectSubPix(level, (box.w + 2 * pad, box.h + 2 * pad), centre)
    else:
        x0, y0 = max(0, box.x - pad), max(0, box.y - pad)
        x1, y1 = min(width, box.x + box.w + pad), min(height, box.y + box.h + pad)
        crop = gray[y0:y1, x0:x1]
    if _dark_background(crop):
        crop = 255 - crop
    if box.h < 30:
        factor = 36 / box.h
        crop = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    return crop


def _recognise(api: Any, image: Any) -> Any:
    """Readings of one line: single-line mode, and raw-line mode when that reads nothing sure
    (Tesseract's single-line mode returns nothing for some short Persian lines)."""
    import tesserocr

    api.SetImage(image)
    text, confidence = api.GetUTF8Text().strip(), float(api.MeanTextConf())
    yield text, confidence
    if not text or confidence < 60:
        api.SetPageSegMode(tesserocr.PSM.RAW_LINE)
        try:
            api.SetImage(image)
            yield api.GetUTF8Text().strip(), float(api.MeanTextConf())
        finally:
            api.SetPageSegMode(tesserocr.PSM.SINGLE_LINE)


_CONTACT_TOKEN = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\w.@-])(?:www\.)?[a-z0-9-]{3,}\.(?:ir|com|net|org)\b", re.IGNORECASE
)


def _mixed_line(best: tuple[str, float], readings: list[tuple[str, float]]) -> tuple[str, float]:
    """A Persian line with an e-mail or a website beside it ("khalijtrade.ir | تبریز، ..."): the
    Persian reading gives the Persian words, the Latin reading the e-mail or website that the
    Persian one garbled; each reading alone loses half the line."""
    text, confidence = best
    persian = [(t, c) for t, c in readings if len(re.findall(r"[\u0621-\u06cc]", t)) >= 6 and c >= 60 and t != text]
    if _CONTACT_TOKEN.search(text) and not re.search(r"[\u0600-\u06ff]", text) and persian:
        words = _CONTACT_TOKEN.sub(" ", text)
        if sum(ch.isalpha() for ch in words) >= 6:  # more than a label beside the e-mail: garbled Persian
            found = _CONTACT_TOKEN.findall(text)
            other, other_confidence = max(persian, key=lambda r: r[1])
            return " | ".join([_CONTACT_TOKEN.sub(" ", other).strip(" |"), *found]), other_confidence
    if not _CONTACT_TOKEN.search(text):
        for reading, _ in readings:
            found = [t for t in _CONTACT_TOKEN.findall(reading) if t not in text]
            if found:
                return " | ".join([text, *found]), confidence
    return best


def _latin_everywhere(text: str) -> bool:
    """An e-mail, a website or a number: printed in Latin letters on a card of any script, so a
    line like it tells nothing about the card's script."""
    letters = sum(ch.isalpha() for ch in text)
    digits = sum(ch.isdigit() for ch in text)
    return bool(re.search(r"@|www|\w\.[a-z]{2,4}\b", text, re.IGNORECASE)) or digits >= letters


def _broken_number(text: str) -> bool:
    """A line with a phone number's worth of digits (not a fax) that makes no whole number."""
    from bot.domain.cards import clean_text

    cleaned = clean_text(text)
    digits = sum(ch.isdigit() for ch in cleaned)
    if digits < 7 or re.search(r"فکس|fax", cleaned, re.IGNORECASE):
        return False
    return not _whole_number(text)


def _whole_number(text: str) -> bool:
    """A line that makes a valid Iranian number of full length: ten digits after +98 (numbers of
    four to seven digits are valid too, but are service numbers, not a card's, and most often a
    misread with digits lost)."""
    from bot.domain.cards import clean_text, phones_in

    return any(len(number) >= 13 for number in phones_in(clean_text(text), "IR"))


def _score(text: str, confidence: float) -> float:
    """Which reading of a line to keep: Tesseract's confidence, and e-mails and domains read in a
    Latin script win over a Persian reading of the same pixels."""
    bonus = 35 if re.search(r"[\w.-]@\w|www\.\w|\w\.(ir|com)\b", text) else 0
    if re.search(r"[0-9][\u06f0-\u06f9]|[\u06f0-\u06f9][0-9a-z]", text):  # Persian and Latin digits mixed: garbage
        bonus -= 20
    return confidence + bonus


def _dark_background(crop: Any) -> bool:
    import numpy as np

    edge = np.concatenate([crop[0, :], crop[-1, :], crop[:, 0], crop[:, -1]])
    return bool(np.median(edge) < 110)


def _doubtful(lines: list[TextLine]) -> bool:
    return not lines or sum(line.confidence for line in lines) / len(lines) < 70


def _text(lines: list[TextLine]) -> str:
    return "\n".join(line.text for line in lines)


def read_qr(bgr: Any) -> Card | None:
    """A vCard or MECARD in a QR code on the card, if one decodes."""
    import zxingcpp

    from bot.domain.vcards import parse_mecard, parse_vcards

    try:
        results = zxingcpp.read_barcodes(bgr)
    except Exception:
        log.debug("QR decoding failed", exc_info=True)
        return None
    for result in results:
        text = result.text or ""
        if "BEGIN:VCARD" in text.upper():
            cards = parse_vcards(text).cards
            if cards:
                return cards[0]
        if text.upper().startswith("MECARD:"):
            card = parse_mecard(text)
            if card is not None:
                return card
    return None


def merge_qr(qr: Card, ocr: Card) -> Card:
    """QR fields win; OCR fills only what the QR code does not carry. A QR field is no guess."""
    merged = Card.from_dict(ocr.to_dict())
    for name, value in qr.to_dict().items():
        if name not in ("raw_text", "guesses") and value:
            setattr(merged, name, value)
            merged.guesses = [g for g in merged.guesses if g != name and not (name.endswith("_name") and g == "name")]
    return merged


def _language_from_domains(card: Card) -> str | None:
    hosts = [e.rsplit("@", 1)[-1] for e in card.emails] + ([card.website] if card.website else [])
    for host in hosts:
        tld = host.lower().split("/")[0].rsplit(".", 1)[-1]
        if tld in TLD_LANGUAGE:
            return TLD_LANGUAGE[tld]
    return None
