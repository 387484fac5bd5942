"""The web chat's server: the page (one static file), and a small JSON API through which it plays the
people of the try mode against the Bot API emulator (tests/e2e/fakegram).

What people send goes to the emulator's client API (`/sendMessage`, `/sendCommand`,
`/sendCallback`, `/harness/upload`), exactly as the end-to-end tests send it. What the bot sends is
read by one pump from `/harness/wait` (new messages, edits, deletions, answers to buttons, chat
actions) and kept here as the transcript of every chat; the page long-polls `/api/poll` for what
changed since the revision it holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

import aiohttp
from aiohttp import web

from bot.db import Database, Scope
from bot.i18n import DOMAIN, LANGUAGE_NAMES, LOCALES_DIR
from bot.services import members
from bot.tryout.seed import Cast, Person

log = logging.getLogger(__name__)

POLL_SECONDS = 20.0
PAGE = "index.html"


@dataclass
class Player:
    """A person of the cast as the page plays them: their Telegram profile and language."""

    person: Person
    language: str

    @property
    def from_user(self) -> dict[str, Any]:
        p = self.person
        return {
            "id": p.user_id,
            "is_bot": False,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "username": p.username,
            "language_code": self.language,
        }

    @property
    def private_chat(self) -> dict[str, Any]:
        p = self.person
        return {"id": p.user_id, "type": "private", "first_name": p.first_name, "username": p.username}


@dataclass
class Room:
    """Everything the page sees: chats, their messages (both ways), and a revision counter."""

    emulator_url: str
    token: str
    cast: Cast
    database_url: str
    bot_username: str
    languages: tuple[str, ...] = ()
    players: dict[int, Player] = field(default_factory=dict)
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    notices: list[dict[str, Any]] = field(default_factory=list)
    rev: int = 0
    order: int = 0
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _http: aiohttp.ClientSession | None = None
    _db: Database | None = None
    _pump: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        for person in self.cast.people:
            self.players[person.user_id] = Player(person, person.language)
        if not self.languages:
            self.languages = tuple(
                code for code in LANGUAGE_NAMES if (LOCALES_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()
            )

    # ------------------------------------------------------------------ life
    async def start(self) -> None:
        self._http = aiohttp.ClientSession(self.emulator_url, timeout=aiohttp.ClientTimeout(total=60, connect=5))
        self._db = Database(self.database_url)
        self._pump = asyncio.create_task(self._pump_events(), name="try-pump")

    async def stop(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
        if self._http is not None:
            await self._http.close()
        if self._db is not None:
            await self._db.dispose()

    # ------------------------------------------------------------------ the emulator
    async def _post(self, path: str, payload: Any = None, **kw: Any) -> Any:
        assert self._http is not None
        async with self._http.post(path, json=payload, **kw) as r:
            body = await r.read()
            if r.status != 200:
                raise web.HTTPBadGateway(text=f"the emulator answered {r.status}: {body[:200]!r}")
            return json.loads(body)

    async def _pump_events(self) -> None:
        since = 0
        while True:
            try:
                r = await self._post("/harness/wait", {"token": None, "chatId": None, "since": since, "timeout": 25})
            except (aiohttp.ClientError, web.HTTPException, TimeoutError) as exc:
                log.debug("emulator wait failed: %s", exc)
                await asyncio.sleep(0.5)
                continue
            for event in r["events"]:
                since = max(since, int(event["seq"]))
                if event.get("token") not in (None, self.token):
                    continue
                await self._take(event)

    async def _take(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        chat = event.get("chat_id")
        if kind == "message" and chat is not None:
            if f"b{chat}:{event['message_id']}" not in self.entries:
                got = await self._post("/getUpdates", {"token": self.token, "chatId": chat})
                for item in got.get("result") or []:
                    self._bot_message(int(item["messageId"]), item["message"], edited=False)
        elif kind == "edit" and event.get("found") and event.get("message"):
            self._bot_message(int(event["message_id"]), event["message"], edited=True)
        elif kind == "delete":
            entry = self.entries.get(f"b{chat}:{event['message_id']}")
            if entry is not None:
                entry["deleted"] = True
                self._touch(entry)
        elif kind == "callback_answer" and (event.get("text") or event.get("url")):
            self._notice({"chat": chat, "text": event.get("text") or "", "alert": bool(event.get("show_alert"))})
        elif kind == "chat_action":
            self._notice({"chat": chat, "action": event.get("action")})
        await self._changed_now()

    def _bot_message(self, message_id: int, message: dict[str, Any], *, edited: bool) -> None:
        chat = int(message["chat_id"])
        key = f"b{chat}:{message_id}"
        entry = self.entries.get(key)
        if entry is None:
            self.order += 1
            entry = {
                "key": key,
                "n": self.order,
                "chat": chat,
                "from": "bot",
                "message_id": message_id,
                "time": time.time(),
            }
            self.entries[key] = entry
        markup = message.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        photo = message.get("photo")
        document = message.get("document")
        entry.update(
            text=message.get("text"),
            caption=message.get("caption"),
            html=str(message.get("parse_mode") or "").upper() == "HTML",
            photo=photo[-1]["file_id"] if isinstance(photo, list) and photo else None,
            document=(
                {"file_id": document["file_id"], "name": document.get("file_name"), "mime": document.get("mime_type")}
                if isinstance(document, dict)
                else None
            ),
            buttons=[
                [{k: b[k] for k in ("text", "callback_data", "url") if k in b} for b in row]
                for row in ((markup or {}).get("inline_keyboard") or [])
            ],
            edited=edited or entry.get("edited", False),
            raw={k: v for k, v in message.items() if k in ("text", "caption", "photo", "document")},
        )
        self._touch(entry)

    def _touch(self, entry: dict[str, Any]) -> None:
        self.rev += 1
        entry["rev"] = self.rev

    def _notice(self, notice: dict[str, Any]) -> None:
        self.rev += 1
        self.notices.append({**notice, "rev": self.rev})
        del self.notices[:-50]

    async def _changed_now(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # ------------------------------------------------------------------ what people do
    def player(self, user_id: Any) -> Player:
        try:
            return self.players[int(user_id)]
        except (KeyError, TypeError, ValueError):
            raise web.HTTPBadRequest(text="no such person") from None

    def chat_of(self, player: Player, chat_id: Any) -> dict[str, Any]:
        chat = int(chat_id)
        if chat == player.person.user_id:
            return player.private_chat
        if chat == self.cast.group.chat_id:
            return {"id": chat, "type": "group", "title": self.cast.group.title}
        raise web.HTTPBadRequest(text="no such chat for this person")

    def _base(self, player: Player, chat: dict[str, Any]) -> dict[str, Any]:
        return {"botToken": self.token, "from": player.from_user, "chat": chat, "date": int(time.time())}

    async def _user_entry(self, player: Player, chat: dict[str, Any], **content: Any) -> None:
        self.order += 1
        key = f"u{self.order}"
        entry = {
            "key": key,
            "n": self.order,
            "chat": chat["id"],
            "from": player.person.user_id,
            "time": time.time(),
            **content,
        }
        self.entries[key] = entry
        self._touch(entry)
        await self._changed_now()

    async def send_text(self, player: Player, chat: dict[str, Any], text: str) -> None:
        text = text.strip()
        if not text:
            raise web.HTTPBadRequest(text="empty message")
        message = {**self._base(player, chat), "text": text}
        path = "/sendMessage"
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"offset": 0, "length": len(command), "type": "bot_command"}]
            path = "/sendCommand"
        await self._user_entry(player, chat, text=text)
        await self._post(path, message)

    async def send_file(
        self, player: Player, chat: dict[str, Any], data: bytes, *, kind: str, filename: str, mime: str, caption: str
    ) -> None:
        if kind not in ("photo", "document"):
            raise web.HTTPBadRequest(text="kind is photo or document")
        if not data:
            raise web.HTTPBadRequest(text="empty file")
        up = await self._post(
            "/harness/upload",
            params={"kind": kind, "filename": filename or ("photo.jpg" if kind == "photo" else "file"), "mime": mime},
            data=data,
            headers={"content-type": "application/octet-stream"},
        )
        media = up["result"]
        message = {**self._base(player, chat), kind: media, **({"caption": caption} if caption else {})}
        file_id = media[-1]["file_id"] if kind == "photo" else media["file_id"]
        await self._user_entry(
            player,
            chat,
            caption=caption or None,
            photo=file_id if kind == "photo" else None,
            document={"file_id": file_id, "name": filename, "mime": mime} if kind == "document" else None,
        )
        await self._post("/sendMessage", message)

    async def send_contact(self, player: Player, chat: dict[str, Any], contact: dict[str, Any]) -> None:
        phone = str(contact.get("phone_number") or "").strip()
        first = str(contact.get("first_name") or "").strip()
        if not phone or not first:
            raise web.HTTPBadRequest(text="a contact needs a first name and a phone number")
        shared = {"phone_number": phone, "first_name": first}
        if str(contact.get("last_name") or "").strip():
            shared["last_name"] = str(contact["last_name"]).strip()
        await self._user_entry(player, chat, contact=shared)
        await self._post("/sendMessage", {**self._base(player, chat), "contact": shared})

    async def press(self, player: Player, chat: dict[str, Any], message_id: int, data: str) -> None:
        entry = self.entries.get(f"b{chat['id']}:{message_id}")
        if entry is None or entry.get("deleted"):
            raise web.HTTPBadRequest(text="no such message")
        if not any(b.get("callback_data") == data for row in entry["buttons"] for b in row):
            raise web.HTTPBadRequest(text="no such button on that message")
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(entry["time"]),
            "chat": chat,
            "from": self.bot_user,
            **entry["raw"],
        }
        if entry["buttons"]:
            message["reply_markup"] = {"inline_keyboard": entry["buttons"]}
        await self._post(
            "/sendCallback",
            {
                "botToken": self.token,
                "from": player.from_user,
                "message": message,
                "data": data,
                "chat_instance": f"ci{chat['id']}",
            },
        )

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": int(self.token.split(":")[0]),
            "is_bot": True,
            "first_name": "Salesbot",
            "username": self.bot_username,
        }

    async def set_language(self, player: Player, language: str) -> None:
        """The person's Telegram language; a member of the team also gets it as the bot's language
        for them (what /settings would do), since they chose theirs long before."""
        if language not in self.languages:
            raise web.HTTPBadRequest(text="unknown language")
        player.language = language
        assert self._db is not None
        async with self._db.begin(Scope.system()) as session:
            member = await members.find_by_telegram_id(session, player.person.user_id)
            if member is not None:
                await members.set_language(session, member, language, self.languages)

    async def roles(self) -> dict[int, str]:
        assert self._db is not None
        out: dict[int, str] = {}
        async with self._db.read(Scope.system()) as session:
            for user_id in self.players:
                member = await members.find_by_telegram_id(session, user_id)
                if member is not None:
                    out[user_id] = member.role.value
        return out

    async def wait_changes(self, since: int, seconds: float) -> dict[str, Any]:
        if self.rev <= since:
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait_for(lambda: self.rev > since), seconds)
        entries = sorted((e for e in self.entries.values() if e["rev"] > since), key=lambda e: e["n"])
        return {
            "rev": self.rev,
            "entries": [{k: v for k, v in e.items() if k != "raw"} for e in entries],
            "notices": [n for n in self.notices if n["rev"] > since] if since else [],
        }

    async def file(self, file_id: str) -> tuple[bytes, str]:
        assert self._http is not None
        async with self._http.get(f"/harness/file/{file_id}") as r:
            if r.status != 200:
                raise web.HTTPNotFound()
            return await r.read(), r.headers.get("content-type", "application/octet-stream")


# ---------------------------------------------------------------------- HTTP
ROOM = web.AppKey("room", Room)


def make_app(room: Room) -> web.Application:
    app = web.Application(client_max_size=25 * 1024 * 1024)
    app[ROOM] = room
    app.router.add_get("/", _page)
    app.router.add_get("/api/state", _state)
    app.router.add_get("/api/poll", _poll)
    app.router.add_post("/api/send", _send)
    app.router.add_post("/api/upload", _upload)
    app.router.add_post("/api/contact", _contact)
    app.router.add_post("/api/press", _press)
    app.router.add_post("/api/language", _language)
    app.router.add_get("/api/file/{file_id}", _file)
    return app


async def _page(_request: web.Request) -> web.Response:
    html = files("bot.tryout").joinpath("static", PAGE).read_text(encoding="utf-8")
    return web.Response(text=html, content_type="text/html", headers={"cache-control": "no-store"})


async def _state(request: web.Request) -> web.Response:
    room = request.app[ROOM]
    roles = await room.roles()
    people = [
        {
            "id": p.person.user_id,
            "name": f"{p.person.first_name} {p.person.last_name}",
            "first_name": p.person.first_name,
            "role": roles.get(p.person.user_id),
            "language": p.language,
        }
        for p in room.players.values()
    ]
    group = {"id": room.cast.group.chat_id, "title": room.cast.group.title}
    return web.json_response(
        {
            "bot": room.bot_username,
            "team": room.cast.team_name,
            "people": people,
            "group": group,
            "languages": {code: LANGUAGE_NAMES.get(code, code) for code in room.languages},
            "rev": room.rev,
        }
    )


async def _poll(request: web.Request) -> web.Response:
    room = request.app[ROOM]
    try:
        since = int(request.query.get("since", "0"))
    except ValueError:
        raise web.HTTPBadRequest(text="since is a number") from None
    return web.json_response(await room.wait_changes(since, POLL_SECONDS))


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise web.HTTPBadRequest(text="a JSON body is expected") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="a JSON object is expected")
    return body


OK = {"ok": True}


async def _send(request: web.Request) -> web.Response:
    room, body = request.app[ROOM], await _body(request)
    player = room.player(body.get("person"))
    await room.send_text(player, room.chat_of(player, body.get("chat")), str(body.get("text") or ""))
    return web.json_response(OK)


async def _upload(request: web.Request) -> web.Response:
    room, q = request.app[ROOM], request.query
    player = room.player(q.get("person"))
    chat = room.chat_of(player, q.get("chat"))
    await room.send_file(
        player,
        chat,
        await request.read(),
        kind=q.get("kind", "document"),
        filename=q.get("filename", ""),
        mime=q.get("mime", "") or "application/octet-stream",
        caption=q.get("caption", ""),
    )
    return web.json_response(OK)


async def _contact(request: web.Request) -> web.Response:
    room, body = request.app[ROOM], await _body(request)
    player = room.player(body.get("person"))
    await room.send_contact(player, room.chat_of(player, body.get("chat")), body)
    return web.json_response(OK)


async def _press(request: web.Request) -> web.Response:
    room, body = request.app[ROOM], await _body(request)
    player = room.player(body.get("person"))
    try:
        message_id = int(body.get("message_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise web.HTTPBadRequest(text="message_id is a number") from None
    await room.press(player, room.chat_of(player, body.get("chat")), message_id, str(body.get("data") or ""))
    return web.json_response(OK)


async def _language(request: web.Request) -> web.Response:
    room, body = request.app[ROOM], await _body(request)
    await room.set_language(room.player(body.get("person")), str(body.get("language") or ""))
    return web.json_response(OK)


async def _file(request: web.Request) -> web.Response:
    room = request.app[ROOM]
    data, mime = await room.file(request.match_info["file_id"])
    headers = {"cache-control": "private, max-age=3600"}
    name = request.query.get("name")
    if name:
        safe = "".join(c for c in name if c.isalnum() or c in "._- ") or "file"
        headers["content-disposition"] = f'attachment; filename="{safe}"'
    return web.Response(body=data, content_type=mime.split(";")[0], headers=headers)
