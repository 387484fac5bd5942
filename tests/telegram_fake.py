"""Run the real Application on real Update objects, recording every Bot API call instead of sending it.

`RecordingRequest` is the seam python-telegram-bot offers for this (a `BaseRequest` subclass):
nothing reaches the network, and every call is kept with its parameters for assertions.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.request import BaseRequest, RequestData

BOT_ID = 424242
BOT_USERNAME = "salesbot_test_bot"
TOKEN = f"{BOT_ID}:AAH" + "x" * 32


@dataclass
class Call:
    method: str
    params: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.params.get("text", self.params.get("caption", "")))

    @property
    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    def button(self, text_part: str) -> dict[str, Any]:
        for b in self.buttons:
            if text_part in b["text"]:
                return b
        raise AssertionError(f"no button with {text_part!r} in {[b['text'] for b in self.buttons]}")


@dataclass
class RecordingRequest(BaseRequest):
    calls: list[Call] = field(default_factory=list)
    # method -> (status, description[, parameters]) or (exception,): happens once
    failures: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # file_id -> bytes a user sent
    # Told of every request as it is made, downloads included (as a "download" call that is not
    # kept in `calls`): tests/handlers/test_unit_of_work.py checks no write transaction is open.
    on_call: Callable[[Call], None] | None = None
    _ids: Any = field(default_factory=lambda: itertools.count(1000))

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:  # a download of a file a user sent
            file_id = url.rsplit("/", 1)[-1]
            if self.on_call is not None:
                self.on_call(Call("download", {"file_id": file_id}))
            return 200, self.files[file_id]
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        call = Call(name, params)
        if self.on_call is not None:
            self.on_call(call)
        self.calls.append(call)
        if name in self.failures:
            failure = self.failures.pop(name)
            if isinstance(failure[0], Exception):  # e.g. TimedOut: the request got no answer
                raise failure[0]
            code, description, *extra = failure
            body = {"ok": False, "error_code": code, "description": description}
            if extra:
                body["parameters"] = extra[0]
            return code, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(name, params)}).encode()

    def _result(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Sales",
                "username": BOT_USERNAME,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if name in ("sendMessage", "editMessageText", "editMessageReplyMarkup", "sendPhoto", "sendDocument"):
            chat_id = int(params.get("chat_id", 0))
            message_id = int(params.get("message_id") or next(self._ids))
            return {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Sales"},
                "text": params.get("text", params.get("caption", "")),
            }
        if name == "getUpdates":
            return []
        if name == "getFile":
            file_id = str(params["file_id"])
            return {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_size": len(self.files.get(file_id, b"")),
                "file_path": file_id,
            }
        return True


class Person:
    """A Telegram user talking to the bot in a private chat."""

    _update_ids = itertools.count(1)

    def __init__(self, tg: FakeTelegram, user_id: int, first_name: str, language_code: str | None = "en") -> None:
        self.tg = tg
        self.id = user_id
        self.user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            self.user["language_code"] = language_code

    def _message(self, text: str, chat_id: int | None = None) -> dict[str, Any]:
        chat_id = chat_id or self.id
        msg: dict[str, Any] = {
            "message_id": next(self._update_ids),
            "date": int(time.time()),
            "from": self.user,
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group", "first_name": "x"},
            "text": text,
        }
        if text.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return msg

    async def send(self, text: str, chat_id: int | None = None) -> list[Call]:
        update = {"update_id": next(self._update_ids), "message": self._message(text, chat_id)}
        return await self.tg.process(update)

    async def send_message(self, **fields: Any) -> list[Call]:
        """Any other kind of message: photo, document, contact, sticker..."""
        msg = self._message("")
        del msg["text"]
        msg.update(fields)
        return await self.tg.process({"update_id": next(self._update_ids), "message": msg})

    async def send_photo(self, data: bytes, size: int | None = None) -> list[Call]:
        file_id = f"photo{next(self._update_ids)}"
        self.tg.request.files[file_id] = data
        sizes = [
            {"file_id": f"{file_id}s", "file_unique_id": "s", "width": 90, "height": 60, "file_size": 900},
            {"file_id": file_id, "file_unique_id": "u", "width": 1280, "height": 960, "file_size": size or len(data)},
        ]
        return await self.send_message(photo=sizes)

    async def send_document(self, data: bytes, file_name: str, mime_type: str, size: int | None = None) -> list[Call]:
        file_id = f"doc{next(self._update_ids)}"
        self.tg.request.files[file_id] = data
        return await self.send_message(
            document={
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": size or len(data),
            }
        )

    async def press(self, data: str, message_id: int = 1, chat_id: int | None = None) -> list[Call]:
        chat_id = chat_id or self.id
        update = {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": str(next(self._update_ids)),
                "from": self.user,
                "chat_instance": "ci",
                "data": data,
                "message": {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Sales"},
                    "text": "old",
                },
            },
        }
        return await self.tg.process(update)

    async def tap(self, call: Call, text_part: str) -> list[Call]:
        return await self.press(call.button(text_part)["callback_data"])


class FakeTelegram:
    def __init__(self, app: Any, request: RecordingRequest) -> None:
        self.app = app
        self.request = request

    def person(self, user_id: int, first_name: str = "Ana", language_code: str | None = "en") -> Person:
        return Person(self, user_id, first_name, language_code)

    async def process(self, data: dict[str, Any]) -> list[Call]:
        start = len(self.request.calls)
        await self.app.process_update(Update.de_json(data, self.app.bot))
        return self.request.calls[start:]
