"""How much reading card photos holds up the bot's event loop and other chats, per way of reading:
in a thread of the bot's process (workers=0) or in a pool of worker processes.

    python bench/ocr_stall.py                 # 8 photos sent at once by 4 members, each mode
    python bench/ocr_stall.py --photos 16

While the photos are read, a ticker on the event loop wakes every 10 ms and records how late it
woke (what every other chat's update would wait for the loop); one more photo, sent last, shows how
long another member waits for theirs. A decompression bomb is sent too: it must be refused at once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.domain.ocr import CardReader, ImageTooLarge  # noqa: E402

HELDOUT = ROOT / "tests" / "data" / "cards2" / "heldout"


def bomb() -> bytes:
    sys.path.insert(0, str(ROOT))
    from tests.unit.test_image_limits import png_header

    return png_header(8900, 8900, b"\x00" * 1000)


async def measure(workers: int, photos: list[bytes]) -> dict[str, float]:
    reader = CardReader(workers=workers)
    await asyncio.to_thread(reader.warm_up)
    lags: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            start = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append(time.perf_counter() - start - 0.01)

    tick = asyncio.create_task(ticker())
    started = time.perf_counter()
    jobs = [asyncio.create_task(reader.read_async(data, rep_language="en")) for data in photos]
    t0 = time.perf_counter()
    try:
        await reader.read_async(bomb())
    except ImageTooLarge:
        pass
    bomb_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    await reader.read_async(photos[0], rep_language="en")  # another member's photo, sent last
    last_wait = time.perf_counter() - t0
    await asyncio.gather(*jobs)
    total = time.perf_counter() - started
    done.set()
    await tick
    reader.close()
    lags.sort()
    return {
        "loop lag p50 ms": 1000 * statistics.median(lags),
        "loop lag p99 ms": 1000 * lags[int(0.99 * (len(lags) - 1))],
        "loop lag max ms": 1000 * lags[-1],
        "bomb refused s": bomb_seconds,
        "last photo s": last_wait,
        "all photos s": total,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=8)
    parser.add_argument("--modes", default="0,1,2", help="worker counts to compare (0: a thread)")
    args = parser.parse_args()
    names = json.loads((HELDOUT / "index.json").read_text())[: args.photos]
    photos = [(HELDOUT / f"{name}.jpg").read_bytes() for name in names]
    for workers in (int(m) for m in args.modes.split(",")):
        result = asyncio.run(measure(workers, photos))
        label = "thread in the bot's process" if workers == 0 else f"pool of {workers} process(es)"
        print(f"{label:30}" + "  ".join(f"{k} {v:.2f}" for k, v in result.items()))


if __name__ == "__main__":
    main()
