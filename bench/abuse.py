"""One member sends the worst input of each kind; another team's member keeps asking /help.

The real `salesbot run` (SQLite, long polling) against the Bot API emulator (tests/e2e/fakegram).
Two admins each get a team of their own. For each kind of input below, the attacker sends it and
the other team's owner sends `/help` every 0.25 s until the attacker's answers have stopped
(quiet for 5 s) and at least 4 s have passed. Reported per kind: the attacker's first answer (s),
how long until the attack's answers stopped, and the victim's `/help` round trips (p50, max): the
goal is every `/help` answered within 2 s, whatever the other member sends.

    .venv/bin/python bench/abuse.py [--only vcf-unterminated,png-bomb] [--logs DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ROOT / "tests" / "e2e" / "fakegram"
sys.path.insert(0, str(HARNESS))

import drive  # noqa: E402

TOKEN = "424242:AAH" + "x" * 32
ATTACKER, VICTIM = 9101, 9102
GOAL = 2.0


def png_bomb() -> bytes:
    """A 126 KB PNG of 8,900 × 8,900 pixels (79 megapixels, one colour)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (8900, 8900), 255).save(out, "PNG", optimize=True)
    return out.getvalue()


def vcard(i: int, emails: int = 1) -> str:
    mails = "".join(f"EMAIL:p{i}.{k}@firm{i}.example\r\n" for k in range(emails))
    head = f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Buyer{i};Person{i};;;\r\nFN:Person{i} Buyer{i}\r\n"
    return f"{head}ORG:Firm{i}\r\n{mails}END:VCARD\r\n"


def attacks() -> dict[str, Callable[[Any], Any]]:
    rnd = random.Random(7)

    async def vcf_unterminated(u: Any) -> None:
        await u.send_document(("BEGIN:VCARD\n" * 87_000).encode(), filename="contacts.vcf", mime="text/vcard")

    async def vcf_500_many_emails(u: Any) -> None:
        data = "".join(vcard(i, emails=20) for i in range(500)).encode()
        await u.send_document(data, filename="fair.vcf", mime="text/vcard")

    async def vcf_10000(u: Any) -> None:
        data = "".join(vcard(10_000 + i) for i in range(10_000)).encode()
        await u.send_document(data, filename="crm.vcf", mime="text/vcard")

    async def png_bomb_photo(u: Any) -> None:
        await u.send_document(png_bomb(), filename="card.png", mime="image/png")

    async def random_bytes_photo(u: Any) -> None:
        await u.send_photo(rnd.randbytes(200_000))

    async def long_card_text(u: Any) -> None:
        company = "Adria " * 325  # a 1,950-character company line
        await u.send_text(f"Ana \u202eavroH\u200b\nDirektorica\n{company}\n+385 91 234 5678\nana@adria.example")

    async def text_flood(u: Any) -> None:
        for i in range(50):
            await u.send_text(f"Person{i} Buyer{i}\nFirm{i}\np{i}@firm{i}.example")

    return {
        "vcf-unterminated (1 MB)": vcf_unterminated,
        "vcf 500 contacts x 20 e-mails": vcf_500_many_emails,
        "vcf 10,000 contacts": vcf_10000,
        "png 8900x8900 (79 MP)": png_bomb_photo,
        "random bytes as a photo": random_bytes_photo,
        "card text: 1,950-char company, bidi": long_card_text,
        "50 cards in a row": text_flood,
    }


async def measure(name: str, attack: Callable[[Any], Any], attacker: Any, victim: Any) -> dict[str, Any]:
    await attacker.settle(0.5, timeout=5)
    await victim.settle(0.2, timeout=2)
    helps: list[float] = []
    stop = asyncio.Event()

    async def keep_asking() -> None:
        while not stop.is_set():
            t0 = time.perf_counter()
            await victim.send_text("/help")
            try:
                await victim.wait_replies(1, timeout=60)
            except drive.FakegramTimeout:
                helps.append(60.0)
                continue
            helps.append(time.perf_counter() - t0)
            await asyncio.sleep(0.25)

    asker = asyncio.create_task(keep_asking())
    started = time.perf_counter()
    await attack(attacker)
    first: float | None = None
    told = ""
    try:
        told = (await attacker.wait_replies(1, timeout=300))[0].content
        first = time.perf_counter() - started
    except drive.FakegramTimeout:
        pass
    last = time.perf_counter()
    while time.perf_counter() - started < 300:  # the attack's answers, until 5 s of silence
        got = await attacker.settle(5.0, timeout=300)
        if not got:
            break
        told = got[-1].content
        last = time.perf_counter() - 5.0  # settle came back after 5 s without an answer
    await asyncio.sleep(max(0.0, 4 - (time.perf_counter() - started)))
    stop.set()
    await asker
    return {
        "name": name,
        "first": first,
        "done": last - started,
        "helps": helps,
        "told": " ".join(told.split())[:150],
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated name prefixes of the attacks to run")
    parser.add_argument("--logs", type=Path, help="keep the bot's and the emulator's logs in this (new) folder")
    args = parser.parse_args()
    chosen = {k: v for k, v in attacks().items() if not args.only or any(k.startswith(p) for p in args.only.split(","))}
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-abuse-") as tmp:
        workdir = Path(tmp)
        if args.logs is not None:
            args.logs.mkdir(parents=True)
            workdir = args.logs
        async with drive.Stack(None, token=TOKEN, log_dir=workdir, timeout=30) as fg:
            env = {
                **os.environ,
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": fg.stack.url,
                "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'abuse.db'}",
                "ADMIN_IDS": f"{ATTACKER},{VICTIM}",
                "LOG_LEVEL": "WARNING",
            }
            log = (workdir / "bot.log").open("wb")
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=env, cwd=str(workdir), stdout=log, stderr=log
            )
            try:
                await fg.wait_bot_polling(60)
                attacker = await fg.user(ATTACKER, first_name="Mallory")
                victim = await fg.user(VICTIM, first_name="Vera")
                for person in (attacker, victim):
                    await person.ask("/start", n=2)
                    await person.click("1tz:set:UTC", n=1)
                for name, attack in chosen.items():
                    print(f"  {name} …", flush=True)
                    results.append(await measure(name, attack, attacker, victim))
            finally:
                proc.terminate()
                await proc.wait()
                log.close()
    print(
        f"\nAnother team's /help while one member sends the worst input of each kind (goal: every /help "
        f"within {GOAL:.0f} s); seconds"
    )
    header = f"{'input':40} {'1st answer':>10} {'answered':>9} {'/help n':>7} {'p50':>6} {'max':>6}  goal"
    print(header)
    print("-" * len(header))
    for r in results:
        helps = r["helps"] or [float("nan")]
        first = f"{r['first']:.2f}" if r["first"] is not None else "none"
        print(
            f"{r['name']:40} {first:>10} {r['done']:10.2f} {len(r['helps']):7d} "
            f"{statistics.median(helps):6.2f} {max(helps):6.2f}  {'met' if max(helps) <= GOAL else 'MISSED'}"
        )
    print("\nWhat the sender was told last, per input:")
    for r in results:
        print(f"  {r['name']}: {r['told']}")


if __name__ == "__main__":
    asyncio.run(main())
