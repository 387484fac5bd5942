"""Images: the pixel count is checked from the header before anything is decoded, large photos are
decoded at reduced size, and random or crafted bytes never crash or hang the loader."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from bot.domain.ocr import MAX_PIXELS, WORK_SIDE, ImageTooLarge, UnreadableImage, load_image


def png_header(width: int, height: int, body: bytes = b"") -> bytes:
    """A PNG announcing width x height (8-bit grey) with whatever image data follows."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(body)) + chunk(b"IEND", b"")


def gif_header(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00" + b",\x00\x00\x00\x00" + b"\x00" * 8 + b";"


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 180, 160)).save(out, format="JPEG", quality=50)
    return out.getvalue()


def test_a_bomb_is_refused_from_its_header():
    # 8900 x 8900 pixels in a few hundred bytes: refused before a single row is decoded.
    data = png_header(8900, 8900, b"\x00" * 1000)
    with pytest.raises(ImageTooLarge) as caught:
        load_image(data)
    assert round(caught.value.megapixels) == 79
    with pytest.raises(ImageTooLarge):
        load_image(png_header(1, MAX_PIXELS // 2))  # a side beyond any photo's


def test_a_large_jpeg_is_decoded_at_reduced_size():
    image = load_image(jpeg(6000, 4000))
    assert max(image.size) <= WORK_SIDE * 2 and max(image.size) >= WORK_SIDE // 2
    assert image.mode == "RGB"


def test_a_photo_as_telegram_sends_it_is_kept_as_it_is():
    assert load_image(jpeg(1280, 960)).size == (1280, 960)


@pytest.mark.parametrize("data", [b"", b"\x00", b"GIF89a", b"\x89PNG\r\n\x1a\n", jpeg(100, 80)[:200], b"x" * 5000])
def test_broken_and_truncated_images(data):
    with pytest.raises(UnreadableImage):
        load_image(data)


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_random_bytes_never_crash(data):
    try:
        image = load_image(data)
    except UnreadableImage:
        return
    assert max(image.size) <= 2 * WORK_SIDE


@settings(max_examples=120, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=0, max_value=2**31 - 1),
    st.integers(min_value=0, max_value=2**31 - 1),
    st.sampled_from(["png", "gif"]),
    st.binary(max_size=256),
)
def test_tiny_and_huge_headers_never_crash_or_hang(width, height, kind, body):
    if kind == "gif":
        width, height = width % 65536, height % 65536
    data = png_header(width, height, body) if kind == "png" else gif_header(width, height)
    try:
        image = load_image(data)
    except ImageTooLarge:
        assert width * height > MAX_PIXELS or max(width, height) > 16_000
        return
    except UnreadableImage:
        return
    assert image.width * image.height <= MAX_PIXELS
