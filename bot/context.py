"""The context every handler receives: the database, the member and their translator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.db import Database, Scope
from bot.i18n import Catalogs, Translator

if TYPE_CHECKING:
    from bot.config import Settings
    from models import Member


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB builds one per update; the access gate fills `member` and `t` before any handler runs."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.member: Member | None = None
        self.bootstrapped = False  # this update made the sender the owner of a new team
        self._t: Translator | None = None

    @property
    def db(self) -> Database:
        return self.application.bot_data["db"]

    @property
    def settings(self) -> Settings:
        return self.application.bot_data["settings"]

    @property
    def catalogs(self) -> Catalogs:
        return self.application.bot_data["catalogs"]

    @property
    def t(self) -> Translator:
        return self._t or self.catalogs.get(None)

    @t.setter
    def t(self, value: Translator) -> None:
        self._t = value

    @property
    def scope(self) -> Scope:
        if self.member is None:
            raise RuntimeError("no member on this update")
        return Scope.of(self.member)

    def tz(self) -> str:
        """The member's time zone, or the team default until they pick one."""
        if self.member is not None and self.member.timezone:
            return self.member.timezone
        return self.settings.default_timezone
