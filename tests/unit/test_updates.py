from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.updates import PerChatUpdateProcessor


def update(update_id: int, chat_id: int) -> Update:
    user = User(chat_id, "x", is_bot=False)
    message = Message(update_id, None, Chat(chat_id, "private"), from_user=user, text="hi")  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_one_chat_in_order_different_chats_in_parallel():
    processor = PerChatUpdateProcessor(8)
    log: list[str] = []

    async def work(name: str, delay: float) -> None:
        log.append(f"start {name}")
        await asyncio.sleep(delay)
        log.append(f"end {name}")

    async with processor:
        await asyncio.gather(
            processor.process_update(update(1, 100), work("a1", 0.05)),
            processor.process_update(update(2, 100), work("a2", 0)),
            processor.process_update(update(3, 200), work("b1", 0)),
        )
    # chat 100: a2 starts only after a1 ends; chat 200 does not wait for chat 100
    assert log.index("end a1") < log.index("start a2")
    assert log.index("end b1") < log.index("end a1")
    assert processor._locks == {} and processor._waiting == {}
