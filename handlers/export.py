"""/export (CSV, Excel, vCards of the records the member sees), a record's vCard and data report,
and /retention. Exports are read transactions only; files are built in worker threads from pages
of rows, sent as documents, then removed."""

from __future__ import annotations

from pathlib import Path

from telegram import Update
from telegram.constants import ChatAction

from bot import callbacks
from bot.context import BotContext
from bot.domain.retention import CHOICES, Retention
from bot.presentation import export as view
from bot.presentation.replies import edit, reply
from bot.services import erasure
from bot.services import export as exporting
from models.base import utcnow
from models.errors import Reply

FORMATS = tuple(f.value for f in exporting.Format)


async def _send_file(update: Update, path: Path, caption: str) -> None:
    chat = update.effective_chat
    if chat is None:
        raise RuntimeError("an update without a chat cannot be answered")
    with path.open("rb") as handle:
        await chat.send_document(document=handle, filename=path.name, caption=caption)


async def _send_bytes(update: Update, data: bytes, filename: str, caption: str | None = None) -> None:
    chat = update.effective_chat
    if chat is None:
        raise RuntimeError("an update without a chat cannot be answered")
    await chat.send_document(document=data, filename=filename, caption=caption)


async def export_command(update: Update, context: BotContext) -> None:
    async with context.read() as session:
        records = await exporting.count(session)
    if not records:
        raise Reply(view.nothing_to_export(context.t))
    await reply(update, *view.export_menu(context.t, records))


async def export_button(update: Update, context: BotContext) -> None:
    fmt = exporting.Format(callbacks.button(update).choice(0, FORMATS))
    query = update.callback_query
    now = utcnow()
    stem = view.file_stem(now)
    async with context.read() as session:
        records = await exporting.count(session)
        if not records:
            raise Reply(view.nothing_to_export(context.t))
        if query is not None:
            await query.answer()  # a read transaction: answering now holds nothing up
        chat = update.effective_chat
        if chat is not None:
            await chat.send_chat_action(ChatAction.UPLOAD_DOCUMENT)
        if fmt is exporting.Format.VCF:
            result = await exporting.export_vcards(session, stem)
        else:
            result = await exporting.export_records(session, fmt, context.tz(), stem)
    try:
        if result.too_big:
            await reply(update, view.too_big(context.t))
            return
        caption = view.export_caption(context.t, records, now, context.tz())
        for path in result.files:
            await _send_file(update, path, caption)
    finally:
        result.cleanup()


async def vcard_button(update: Update, context: BotContext) -> None:
    lead_id = callbacks.button(update).id(0)
    async with context.read() as session:
        lead, data = await exporting.one_vcard(session, lead_id)
    if update.callback_query is not None:
        await update.callback_query.answer()
    await _send_bytes(update, data, f"{lead.code}.vcf")


async def report_button(update: Update, context: BotContext) -> None:
    lead_id = callbacks.button(update).id(0)
    async with context.read() as session:
        lead, data = await exporting.data_report(session, lead_id, utcnow())
    if update.callback_query is not None:
        await update.callback_query.answer()
    await _send_bytes(update, data, f"data-report-{lead.code}.json", view.report_caption(context.t, lead))


async def retention_command(update: Update, context: BotContext) -> None:
    team = await context.team()
    current = Retention.of(team.settings)
    await reply(update, *view.retention(context.t, current, context.me.role.sees_team))


async def retention_button(update: Update, context: BotContext) -> None:
    months = int(callbacks.button(update).choice(0, [str(n) for n in (view.OFF, *CHOICES)]))
    async with context.write() as session:
        changed = await erasure.set_retention(session, context.me, months or None, utcnow())
    query = update.callback_query
    if query is not None:
        await query.answer()
        await edit(query, *view.retention(context.t, changed, True))
