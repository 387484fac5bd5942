"""Capturing a card from a message: typed or pasted text, a shared contact, a .vcf file, a photo or
image file, or /new for entry by hand; the values typed for a card's fields (after Edit, during
/new); the event's name after saving. Every way ends in the same preview with Save, Edit and
Discard, whose buttons are handled in handlers/card_flow.py.

Each update: parse (CPU work in a worker thread), read (duplicates, the draft), write once (the
draft is committed before its preview is shown), then send."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from telegram import File, Message, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot import callbacks, metrics
from bot.context import BotContext
from bot.domain.cards import MAX_CARD_TEXT, Card, apply_field, normalise_phone, parse_card
from bot.domain.forwards import extends, joined, sender_of
from bot.domain.hygiene import tidy_card
from bot.domain.ocr import MAX_PIXELS, CardReader, ImageTooLarge, OcrUnavailable, ReadTimeout, UnreadableImage
from bot.domain.vcards import MAX_VCF_BYTES, VcardTimeout, read_vcards
from bot.flows import CardFlow, CardStep, FlowData, ForwardFlow, RecordFlow, SourceFlow
from bot.presentation import cards, forwards
from bot.presentation import records as view_records
from bot.presentation.replies import drop_keyboard, edit, edit_message, message_text, reply
from bot.services import capture, drafts, flows, leads
from models.base import utcnow

log = logging.getLogger(__name__)

MAX_DOWNLOAD = 20 * 1024 * 1024  # what the Bot API lets a bot download
PROGRESS_EVERY = 2.0  # seconds between edits of an import's progress message


async def _region(context: BotContext) -> str | None:
    """Where phone numbers without a country code are read: the team's region, else the rep's."""
    return capture.phone_region(await context.team(), context.me)


def _chat_id(update: Update) -> int | None:
    return update.effective_chat.id if update.effective_chat is not None else None


async def _drop_replaced(context: BotContext, replaced: drafts.Shown | FlowData | None, keep: int | None) -> None:
    """Take the buttons off a replaced preview or prompt (not off the message now in use)."""
    if replaced is not None and replaced.message_id != keep:
        await drop_keyboard(context.bot, replaced.chat_id, replaced.message_id)


async def show_card(
    update: Update,
    context: BotContext,
    card: Card,
    placeholder: Message | None = None,
    *,
    flow: ForwardFlow | None = None,
    footer: str | None = None,
) -> None:
    """Keep `card` as the member's draft (committed first: it survives restarts and other flows),
    then show its preview: in `placeholder` when there is one, else as a new message. The card
    is tidied and cut to the fields' limits first (bot/domain/hygiene.py), whichever way it came.
    A forward's batch (`flow`, carrying the draft's nonce) is opened in the same write, and
    `footer` ends the preview."""
    member = context.me
    card = tidy_card(card)
    async with context.read(capture.team_wide(member)) as session:
        duplicate = await capture.duplicate_for(session, member, card)
    shown_in = placeholder.message_id if placeholder is not None else None
    async with context.write() as session:
        draft, replaced = await drafts.put(
            session,
            member,
            card,
            duplicate_id=duplicate.merge_id if duplicate is not None else None,
            chat_id=placeholder.chat_id if placeholder is not None else _chat_id(update),
            message_id=shown_in,
            nonce=flow.nonce if flow is not None else None,
        )
        if flow is not None:
            await flows.begin(session, member, flow)
    text, markup = cards.preview(context.t, draft.nonce, card, duplicate)
    if footer:
        text = f"{text}\n\n{footer}"
    if placeholder is not None:
        await edit_message(context.bot, placeholder.chat_id, placeholder.message_id, text, markup)
    else:
        await reply(update, text, markup)
    await _drop_replaced(context, replaced, shown_in)  # the older draft is replaced


async def on_text(update: Update, context: BotContext) -> None:
    """Text outside any flow: a typed or pasted card."""
    text = message_text(update)
    if len(text) > MAX_CARD_TEXT:
        await reply(update, context.t("That is too long to be a business card. Send just the card's text."))
        return
    region = await _region(context)
    card = await asyncio.to_thread(parse_card, text, language=context.me.language, default_region=region)
    if card.is_empty:
        await reply(
            update,
            context.t(
                "I could not find a name, company, e-mail or phone in that. Send the card's text, a photo of "
                "the card, a shared contact or a .vcf file, or use /new to type it field by field."
            ),
        )
        return
    await show_card(update, context, card)


async def on_contact(update: Update, context: BotContext) -> None:
    """A contact shared from the phone's address book."""
    message = update.effective_message
    contact = message.contact if message is not None else None
    if contact is None:
        return
    region = await _region(context)
    card = None
    if contact.vcard:
        parsed = (await read_vcards(contact.vcard.encode(), region)).cards
        card = parsed[0] if parsed else None
    if card is None:
        card = Card(first_name=contact.first_name or None, last_name=contact.last_name or None)
    raw = contact.phone_number or ""
    # Telegram gives the number with its country code, usually without the "+".
    phone = normalise_phone(raw if raw.startswith("+") else f"+{raw}", region) if raw else None
    if phone and phone not in card.phones:
        card.phones.insert(0, phone)
    if contact.user_id is not None:  # the contact is on Telegram: their account, which duplicates are checked by first
        card.telegram_id = contact.user_id
    await show_card(update, context, card)


async def on_document(update: Update, context: BotContext) -> None:
    """A .vcf file (one or many contacts) or a card sent as an image file."""
    message = update.effective_message
    document = message.document if message is not None else None
    if document is None:
        return
    name = (document.file_name or "").lower()
    mime = (document.mime_type or "").lower()
    if name.endswith(".vcf") or "vcard" in mime:
        if (document.file_size or 0) > MAX_VCF_BYTES:
            await reply(
                update,
                context.t(
                    "That contacts file is too large. Send at most {size} MB at a time.",
                    size=MAX_VCF_BYTES // 1_000_000,
                ),
            )
            return
        data = bytes(await (await document.get_file()).download_as_bytearray())
        await _vcf(update, context, data)
        return
    if mime.startswith("image/"):
        await _image(update, context, document.file_size, document.get_file)
        return
    await reply(update, context.t("I can read business cards from photos, image files, .vcf files and text."))


async def _vcf(update: Update, context: BotContext, data: bytes) -> None:
    """One contact: its preview. Several: imported as suspects in chunks (see `import_some` in
    bot/services/capture.py), with one message showing the progress and, at the end, the report."""
    t = context.t
    try:
        result = await read_vcards(data, await _region(context))
    except VcardTimeout:
        await reply(update, t("That file took too long to read. Send a smaller one, or split it."))
        return
    if not result.cards and not result.refusals:
        await reply(update, t("I could not read any contact in that file. Is it a vCard (.vcf) file?"))
        return
    if len(result.cards) == 1 and not result.refusals:
        await show_card(update, context, result.cards[0])
        return
    summary = capture.ImportSummary(
        total=len(result.cards) + len(result.refusals),
        refused=[(r.reason, r.label) for r in result.refusals],
    )
    if not result.cards:  # contacts, none readable: why, and nothing to write
        await reply(update, cards.import_summary(t, summary))
        return
    context.answer_before_writing()  # the progress message goes first; the last write marks the update handled
    progress = await reply(update, cards.import_progress(t, summary))
    scope, now, index = capture.team_wide(context.me), utcnow(), 0
    shown_at = time.monotonic()
    while index < len(result.cards):
        started = time.monotonic()
        async with context.write_chunk(scope) as session:
            index = await capture.import_some(session, context.me, result.cards, index, summary, now=now)
        summary.longest_write = max(summary.longest_write, time.monotonic() - started)
        if time.monotonic() - shown_at >= PROGRESS_EVERY and index < len(result.cards):
            with contextlib.suppress(TelegramError):  # a progress edit that fails is not worth stopping for
                await edit_message(
                    context.bot, progress.chat_id, progress.message_id, cards.import_progress(t, summary)
                )
            shown_at = time.monotonic()
    async with context.write(scope):
        pass  # the update is handled (with what the access gate left to write)
    log.info(
        "imported %d contacts (%d duplicates, %d refused); longest write %.0f ms",
        summary.created,
        len(summary.duplicates),
        len(summary.refused),
        summary.longest_write * 1000,
    )
    report = cards.import_summary(t, summary)
    try:
        await edit_message(context.bot, progress.chat_id, progress.message_id, report)
    except TelegramError:  # the progress message is gone: the report comes as a new one
        await reply(update, report)


async def on_photo(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None or not message.photo:
        return
    largest = message.photo[-1]  # Telegram sends several sizes, smallest first
    await _image(update, context, largest.file_size, largest.get_file)


async def _image(
    update: Update, context: BotContext, size: int | None, get_file: Callable[[], Awaitable[File]]
) -> None:
    t = context.t
    if (size or 0) > MAX_DOWNLOAD:
        await reply(
            update, t("That image is over 20 MB, more than Telegram lets me download. Send it as a photo instead.")
        )
        return
    if update.effective_chat is not None:
        await update.effective_chat.send_chat_action(ChatAction.TYPING)
    # Sent before anything is written: the preview replaces it, and its id is kept with the draft.
    context.answer_before_writing()
    placeholder = await reply(update, t("Reading the card…"))
    data = bytes(await (await get_file()).download_as_bytearray())
    reader: CardReader = context.state.card_reader
    region = await _region(context)
    try:
        result = await reader.read_async(data, rep_language=context.me.language, default_region=region)
    except ImageTooLarge as exc:
        await placeholder.edit_text(
            t(
                "That image is too large to read ({megapixels} megapixels). Send a photo of the card of at most "
                "{limit} megapixels.",
                megapixels=round(exc.megapixels),
                limit=MAX_PIXELS // 1_000_000,
            )
        )
        return
    except ReadTimeout:
        await placeholder.edit_text(
            t("Reading that photo took too long. Try a sharper photo of just the card, or type the details.")
        )
        return
    except UnreadableImage:
        await placeholder.edit_text(t("That file is not an image I can open. Send a photo of the card."))
        return
    except OcrUnavailable:
        log.error("card photos cannot be read: Tesseract or its language data is missing")
        await placeholder.edit_text(
            t("Reading photos is not set up on this server yet. Please type or paste the card's text.")
        )
        return
    log.info("card photo read in %.2f s (qr=%s, language=%s)", result.seconds, result.from_qr, result.language)
    metrics.OCR_SECONDS.observe(result.seconds)
    if result.card.is_empty:
        await placeholder.edit_text(
            t(
                "I could not read a card in that picture. Try again in good light with the card filling the "
                "frame, or type the details."
            )
        )
        return
    await show_card(update, context, result.card, placeholder)


async def new_command(update: Update, context: BotContext) -> None:
    """/new: entry by hand, one field at a time, each skippable. The first question is sent first
    (its message becomes the preview in the end), then the empty draft and its flow are written."""
    member, t = context.me, context.t
    nonce, field = drafts.new_nonce(), drafts.GUIDED[0]
    context.answer_before_writing()
    prompt = await reply(update, cards.ask_text(t, field), cards.skip(t, nonce, field))
    async with context.write() as session:
        _, replaced = await drafts.put(
            session,
            member,
            Card(),
            duplicate_id=None,
            chat_id=prompt.chat_id,
            message_id=prompt.message_id,
            nonce=nonce,
        )
        previous = await flows.begin(
            session,
            member,
            CardFlow(step=CardStep.NEW, field=field, nonce=nonce, chat_id=prompt.chat_id, message_id=prompt.message_id),
        )
    await _drop_replaced(context, replaced, prompt.message_id)
    await _drop_replaced(context, previous, prompt.message_id)


async def on_card_text(update: Update, context: BotContext) -> None:
    """A value typed for one field of the draft: a correction after Edit, or an answer during /new."""
    member, t = context.me, context.t
    async with context.read() as session:
        flow = await flows.current_of(session, member, CardFlow)
        draft = await drafts.by_nonce(session, member, flow.nonce) if flow is not None else None
    if flow is None or draft is None:
        await on_text(update, context)  # no question awaits an answer: it is the next card
        return
    card = apply_field(drafts.card_of(draft), flow.field, message_text(update), await _region(context))
    chat_id, message_id = flow.chat_id or draft.chat_id, flow.message_id or draft.message_id
    following = drafts.next_field(flow.field) if flow.step is CardStep.NEW else None
    if following is not None or (flow.step is CardStep.NEW and card.is_empty):
        # /new goes on: the next question (or, with nothing filled in at the end, the first again).
        asked = following or drafts.GUIDED[0]
        async with context.write() as session:
            await drafts.revise(session, member, flow.nonce, card, duplicate_id=None)
            await flows.begin(
                session,
                member,
                CardFlow(step=CardStep.NEW, field=asked, nonce=flow.nonce, chat_id=chat_id, message_id=message_id),
            )
        if following is None:
            await reply(update, t("A lead needs at least a name, a company, an e-mail or a phone."))
        elif chat_id is not None and message_id is not None:
            await edit_message(
                context.bot, chat_id, message_id, cards.ask_text(t, following), cards.skip(t, flow.nonce, following)
            )
        else:
            await reply(update, cards.ask_text(t, following), cards.skip(t, flow.nonce, following))
        return
    async with context.read(capture.team_wide(member)) as session:
        duplicate = await capture.duplicate_for(session, member, card)
    async with context.write() as session:
        await drafts.revise(session, member, flow.nonce, card, duplicate_id=duplicate.merge_id if duplicate else None)
        await flows.end(session, member)
    text, markup = cards.preview(t, flow.nonce, card, duplicate)
    if chat_id is not None and message_id is not None:
        await edit_message(context.bot, chat_id, message_id, text, markup)  # the preview, in place
    else:
        await reply(update, text, markup)


async def on_source_text(update: Update, context: BotContext) -> None:
    """The event's name (or where the rep met the contact) after saving a card."""
    member = context.me
    async with context.read() as session:
        flow = await flows.current_of(session, member, SourceFlow)
    if flow is None:
        await on_text(update, context)
        return
    async with context.write() as session:
        lead = await capture.set_source_detail(session, flow.lead, message_text(update))
        await flows.end(session, member)
    await reply(update, context.t("Noted: {detail}.", detail=lead.source_detail or ""))


async def on_forward(update: Update, context: BotContext) -> None:
    """A message forwarded from someone else (not a photo or file: those are read as cards). From a
    known record: an offer to keep it as a note; from anyone else: a new lead's preview. A batch
    of forwards from one sender (separate updates, a second or so apart) gets one answer: the
    later ones extend the batch, and the offer is edited to show them all."""
    message = update.effective_message
    origin = message.forward_origin if message is not None else None
    if message is None or origin is None:
        return
    member, t = context.me, context.t
    sender = sender_of(origin.to_dict())
    text = (message.text or message.caption or "")[: leads.MAX_NOTE]
    at = message.date
    async with context.read() as session:
        batch = await flows.current_of(session, member, ForwardFlow)
        if batch is not None and batch.lead is None and await drafts.by_nonce(session, member, batch.nonce) is None:
            batch = None  # the new lead's preview was saved or discarded: the batch is over
    if batch is not None and extends(batch.sender, batch.last, sender, at):
        if sum(map(len, batch.texts)) < leads.MAX_NOTE:  # what one note can hold (the rest is cut anyway)
            batch.texts = [*batch.texts, text[: leads.MAX_NOTE]][:100]
        batch.last = max(batch.last, at)
        lead = None
        if batch.lead is not None:
            async with context.read() as session:
                lead = await leads.get_visible(session, batch.lead)
        async with context.write() as session:
            await flows.begin(session, member, batch)
        if lead is not None and batch.chat_id is not None and batch.message_id is not None:
            await edit_message(
                context.bot, batch.chat_id, batch.message_id, *forwards.note_offer(t, batch.nonce, lead, batch.texts)
            )
        return
    if not sender.is_person:
        await reply(update, forwards.not_a_person(t, sender))
        return
    card = sender.card()
    nonce = drafts.new_nonce()
    if not sender.name_only:
        async with context.read(capture.team_wide(member)) as session:
            known = await capture.find_duplicate(session, card)
        if known is not None and (member.role.sees_team or known.owner_id == member.id):
            context.answer_before_writing()  # the offer goes first: its id is kept with the batch
            offer = await reply(update, *forwards.note_offer(t, nonce, known, [text]))
            async with context.write() as session:
                previous = await flows.begin(
                    session,
                    member,
                    ForwardFlow(
                        sender=sender.key,
                        last=at,
                        texts=[text],
                        lead=known.id,
                        nonce=nonce,
                        chat_id=offer.chat_id,
                        message_id=offer.message_id,
                    ),
                )
            await _drop_replaced(context, previous, offer.message_id)
            return
    batch = ForwardFlow(sender=sender.key, last=at, texts=[text], nonce=nonce, ask_company=sender.name_only)
    await show_card(update, context, card, flow=batch, footer=forwards.name_only(t) if sender.name_only else None)


async def on_forward_text(update: Update, context: BotContext) -> None:
    """Text typed after a forward: the company of a sender shown by name only; otherwise, as
    anywhere, a card."""
    member = context.me
    async with context.read() as session:
        batch = await flows.current_of(session, member, ForwardFlow)
        draft = await drafts.by_nonce(session, member, batch.nonce) if batch is not None and batch.ask_company else None
    if batch is None or draft is None:
        await on_text(update, context)
        return
    card = apply_field(drafts.card_of(draft), "company", message_text(update), await _region(context))
    async with context.read(capture.team_wide(member)) as session:
        duplicate = await capture.duplicate_for(session, member, card)
    async with context.write() as session:
        await drafts.revise(session, member, batch.nonce, card, duplicate_id=duplicate.merge_id if duplicate else None)
        await flows.end(session, member)
    text, markup = cards.preview(context.t, batch.nonce, card, duplicate)
    if draft.chat_id is not None and draft.message_id is not None:
        await edit_message(context.bot, draft.chat_id, draft.message_id, text, markup)
    else:
        await reply(update, text, markup)


async def on_forward_button(update: Update, context: BotContext) -> None:
    """Add as a note / No, under the offer for a known record's forwarded messages. The note is
    saved as one, and marked as an objection or a question with the usual buttons."""
    data = callbacks.button(update)
    nonce, choice = data.arg(0), data.choice(1, ("add", "no"))
    member, t = context.me, context.t
    query = update.callback_query
    async with context.read() as session:
        batch = await flows.current_of(session, member, ForwardFlow)
    if batch is None or batch.nonce != nonce or batch.lead is None:
        if query is not None:
            await query.answer()
            await edit(query, forwards.gone(t))
        return
    if choice == "no":
        async with context.write() as session:
            await flows.end(session, member)
        if query is not None:
            await query.answer()
            await edit(query, forwards.not_added(t))
        return
    async with context.write() as session:
        lead = await leads.get_visible(session, batch.lead)
        note = await leads.add_note(session, lead, member, joined(batch.texts, leads.MAX_NOTE), now=utcnow())
        await flows.begin(session, member, RecordFlow(lead=batch.lead, chat_id=batch.chat_id))  # the record is open
    if query is not None:
        await query.answer()
        await edit(query, *view_records.note_saved(t, lead, note))
