"""Reading a card photo offline: QR code first, then the card found and straightened, then
Tesseract in the card's language.

CPU-bound and not thread-safe inside (one Tesseract engine per language set), so a `CardReader`
serialises its calls; handlers run `read()` in a worker thread, never on the event loop.
"""

from __future__ import annotations

import io
import logging
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.domain.cards import TLD_LANGUAGE, Card, parse_card, repair_ocr
from bot.domain.vcards import parse_mecard, parse_vcards

log = logging.getLogger(__name__)

TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata", "/usr/share/tessdata")
TESS_LANG = {"en": "eng", "hr": "hrv", "cs": "ces", "pl": "pol", "mk": "mkd", "fa": "fas"}
MAX_PIXELS = 40_000_000  # a 20 MB file can be a decompression bomb; refuse beyond this
WORK_WIDTH = 1800
MIN_CONFIDENCE = 70  # Tesseract's mean word confidence below which text without contact details is noise


class UnreadableImage(Exception):
    """The bytes are not an image we can open."""


class OcrUnavailable(Exception):
    """Tesseract or its language data is not installed on this machine."""


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


class CardReader:
    """Holds the loaded engines; one per bot process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._apis: dict[str, Any] = {}
        self._osd: Any = None

    # -- engines ---------------------------------------------------------------------------------
    def _api(self, langs: str, block: bool = False) -> Any:
        import tesserocr

        key = f"{langs}/{'block' if block else 'auto'}"
        api = self._apis.get(key)
        if api is None:
            psm = tesserocr.PSM.SINGLE_BLOCK if block else tesserocr.PSM.AUTO
            api = tesserocr.PyTessBaseAPI(path=_tessdata(), lang=langs, psm=psm)
            self._apis[key] = api
        return api

    def _script(self, image: Any) -> tuple[str | None, int]:
        import tesserocr

        if self._osd is None:
            self._osd = tesserocr.PyTessBaseAPI(path=_tessdata(), lang="osd", psm=tesserocr.PSM.OSD_ONLY)
        self._osd.SetImage(image)
        try:
            info = self._osd.DetectOrientationScript()
        except RuntimeError:
            return None, 0
        if not info:
            return None, 0
        return info.get("script_name"), int(info.get("orient_deg") or 0)

    # -- pipeline --------------------------------------------------------------------------------
    def read(self, data: bytes, *, rep_language: str = "en", default_region: str | None = None) -> ReadResult:
        """Read a card photo. Raises UnreadableImage for bytes that are not an image."""
        start = time.perf_counter()
        image = load_image(data)
        with self._lock:
            card, text, from_qr, language = self._read(image, rep_language, default_region)
        return ReadResult(card, text, from_qr, language, time.perf_counter() - start)

    def _read(self, image: Any, rep_language: str, default_region: str | None) -> tuple[Card, str, bool, str | None]:
        from PIL import Image

        bgr = _to_bgr(image)
        flat = rectify(bgr)
        qr_card = read_qr(flat) or read_qr(bgr)
        gray = _gray(flat)
        pil = Image.fromarray(gray)
        if pil.width < WORK_WIDTH:  # not straightened: at least enlarge the text
            pil = pil.resize((WORK_WIDTH, int(pil.height * WORK_WIDTH / pil.width)), Image.Resampling.LANCZOS)
        script, orientation = self._script(pil)
        if orientation:
            pil = pil.rotate(orientation, expand=True)
        if script == "Cyrillic":
            language = "mk"
        elif script == "Arabic":
            language = "fa"
        else:
            language = rep_language if rep_language in TESS_LANG and rep_language not in ("mk", "fa") else "en"
        text, confidence = self._ocr(pil, language)
        card = parse_card(text, language=language, default_region=default_region)
        if qr_card is None and not (card.emails or card.phones or card.website) and confidence < MIN_CONFIDENCE:
            # No contact details and text Tesseract itself doubts: a meme, a blurry shot, noise.
            return Card(), text, False, language
        # A Latin card from another country: read again in that country's language.
        if language not in ("mk", "fa"):
            hinted = _language_from_domains(card)
            if hinted and hinted != language and hinted in TESS_LANG:
                text, _ = self._ocr(pil, hinted)
                card = parse_card(text, language=hinted, default_region=default_region)
                language = hinted
        if qr_card is not None:
            card = merge_qr(qr_card, card)
        card.raw_text = text.strip()
        return card, text, qr_card is not None, language

    def _ocr(self, pil: Any, language: str) -> tuple[str, int]:
        """The card's text and Tesseract's mean word confidence (0-100) for its main language."""
        if language == "fa":
            # Persian alone, as one block of text, reads Persian best (measured on the corpus);
            # the Latin lines (e-mail, web) come from English.
            persian, confidence = self._recognise(pil, "fas", block=True)
            english, _ = self._recognise(pil, "eng")
            latin = [line for line in english.splitlines() if re.search(r"@|www\.|\.ir\b", line)]
            return repair_ocr("\n".join([persian, *latin])), confidence
        langs = TESS_LANG[language] if language == "en" else f"{TESS_LANG[language]}+eng"
        text, confidence = self._recognise(pil, langs)
        return repair_ocr(text), confidence

    def _recognise(self, pil: Any, langs: str, block: bool = False) -> tuple[str, int]:
        api = self._api(langs, block)
        api.SetImage(pil)
        return api.GetUTF8Text(), api.MeanTextConf()


def load_image(data: bytes) -> Any:
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        image: Image.Image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as exc:
        raise UnreadableImage(str(exc)) from exc
    image = ImageOps.exif_transpose(image)
    return image.convert("RGB")


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
    small = cv2.resize(bgr, (int(w * scale), int(h * scale)))
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    # Edges of each colour channel: a blue card on a brown desk has little grey contrast.
    area = small.shape[0] * small.shape[1]
    best = None
    for mask in _card_masks(blurred):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
            hull = cv2.convexHull(contour)
            hull_area = cv2.contourArea(hull)
            if not 0.2 * area < hull_area < 0.97 * area:
                continue
            approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
            if len(approx) == 4:
                best = approx
            else:  # rounded corners or a shadow: the rotated bounding box is close enough
                best = cv2.boxPoints(cv2.minAreaRect(hull)).astype("int32")
            break
        if best is not None:
            break
    if best is None:
        return deskew(bgr)
    quad = _order(best) / scale
    top = float(np.linalg.norm(quad[1] - quad[0]))
    side = float(np.linalg.norm(quad[3] - quad[0]))
    if top < side:  # portrait outline: keep the card's long side horizontal
        quad = np.roll(quad, -1, axis=0)
        top, side = side, top
    width = WORK_WIDTH
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
    """Candidate card outlines: colour edges first, then the card as a bright or dark region."""
    import cv2
    import numpy as np

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


def read_qr(bgr: Any) -> Card | None:
    """A vCard or MECARD in a QR code on the card, if one decodes."""
    import zxingcpp

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
    """QR fields win; OCR fills only what the QR code does not carry."""
    merged = Card.from_dict(ocr.to_dict())
    for name, value in qr.to_dict().items():
        if name != "raw_text" and value:
            setattr(merged, name, value)
    return merged


def _language_from_domains(card: Card) -> str | None:
    hosts = [e.rsplit("@", 1)[-1] for e in card.emails] + ([card.website] if card.website else [])
    for host in hosts:
        tld = host.lower().split("/")[0].rsplit(".", 1)[-1]
        if tld in TLD_LANGUAGE:
            return TLD_LANGUAGE[tld]
    return None
