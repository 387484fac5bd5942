"""The application factory: settings in, a ready-to-run python-telegram-bot Application out."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram import BotCommand, BotCommandScopeAllGroupChats, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

import handlers
from bot.config import Settings
from bot.context import BotContext
from bot.db import Database
from bot.delivery import loop as delivery_loop
from bot.domain import dates
from bot.domain.ocr import CardReader
from bot.domain.vcards import close_pool
from bot.errors import on_error
from bot.i18n import Catalogs
from bot.runtime.limiter import CountingRateLimiter, SharedRateLimiter
from bot.runtime.worker import mark_answering
from bot.state import STATE_KEY, AppState, state_of

log = logging.getLogger(__name__)

App = Application[Any, BotContext, Any, Any, Any, Any]


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    rate_limiter: bool = True,
    migrate: bool = True,
) -> App:
    """Build the bot. Tests pass a `request` that records calls instead of sending them."""
    state = AppState(
        settings=settings,
        db=Database(settings.database_url),
        catalogs=Catalogs(settings.default_language),
        card_reader=CardReader(workers=settings.ocr_workers, budget=settings.ocr_budget_seconds),
        migrate=migrate,
    )
    # (Any: the builder's type changes with each optional part chained on below.)
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(settings.token)
        .context_types(ContextTypes(context=BotContext))
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .updater(None)  # updates come from the inbox (bot/runtime), not from PTB's updater
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    if settings.telegram_api_base_url:
        builder = builder.base_url(f"{settings.telegram_api_base_url}/bot").base_file_url(
            f"{settings.telegram_api_base_url}/file/bot"
        )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if rate_limiter:
        # Waits out Telegram's 429 answers (retry_after) instead of failing the send.

        async def before_answer(endpoint: str) -> None:
            await mark_answering(state, endpoint)

        limiter = (
            SharedRateLimiter(settings.redis_url, before_answer=before_answer)
            if settings.redis_url
            else CountingRateLimiter(max_retries=3, before_answer=before_answer)
        )
        builder = builder.rate_limiter(limiter)
    app: App = builder.build()
    app.bot_data[STATE_KEY] = state
    handlers.register(app)
    app.add_error_handler(on_error)
    return app


async def _post_init(app: App) -> None:
    state = state_of(app)
    if state.migrate:
        await state.db.upgrade()
    await set_commands(app)
    # The date reader compiles its word tables once per language: do it now, off the event loop,
    # without holding up the first update.
    state.tasks.append(asyncio.create_task(asyncio.to_thread(dates.warm_up), name="warm-up dates"))
    # OCR engines load on the first photo (about 0.3 s once) rather than holding ~40 MB from the start.
    # Reminders: delivered by a loop of this process (due ones from downtime go out now, as late).
    state.tasks.append(asyncio.create_task(delivery_loop.run(app), name="reminders"))
    log.info("bot @%s is ready", app.bot.username)


async def _post_stop(app: App) -> None:
    state = state_of(app)
    tasks, state.tasks = state.tasks, []
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def set_commands(app: App) -> None:
    """The command menus: private chats and group chats each get their own, once without a
    language and once per catalogue language. The calls go out together, not one after another:
    start-up waits for them."""
    catalogs = state_of(app).catalogs
    groups = BotCommandScopeAllGroupChats()
    calls = []
    for language in (None, *catalogs.languages):
        t = catalogs.get(language or catalogs.default_language)
        private = [BotCommand(cmd, t(desc)) for cmd, desc in handlers.COMMANDS]
        in_groups = [BotCommand(cmd, t(desc)) for cmd, desc in handlers.GROUP_COMMANDS]
        calls.append(app.bot.set_my_commands(private, language_code=language))
        calls.append(app.bot.set_my_commands(in_groups, scope=groups, language_code=language))
    await asyncio.gather(*calls)


async def _post_shutdown(app: App) -> None:
    close_pool()  # the .vcf reader's worker process, if one was started
    state_of(app).card_reader.close()  # the OCR worker processes
    await state_of(app).db.dispose()
