"""Capturing a card: typed or pasted text, a shared contact, a .vcf file, a photo or image file,
or /new for entry by hand. Every way ends in the same preview with Save, Edit and Discard."""

from __future__ import annotations

import asyncio
import logging
import secrets

from telegram import Message, Update
from telegram.constants import ChatAction

from bot.context import BotContext
from bot.domain.cards import MAX_CARD_TEXT, Card, normalise_phone, parse_card
from bot.domain.ocr import CardReader, OcrUnavailable, UnreadableImage
from bot.domain.vcards import MAX_VCF_BYTES, parse_vcards
from bot.i18n import N_, Translator
from bot.presentation import keyboards
from bot.services import capture, flows
from handlers.common import drop_keyboard, load_team, reply
from models import Lead
from models.base import utcnow

log = logging.getLogger(__name__)

FLOW = "card"
MAX_DOWNLOAD = 20 * 1024 * 1024  # what the Bot API lets a bot download
GUIDED = ("name", "company", "job_title", "emails", "phones")
FIELD_LABELS = {
    "name": N_("Name"),
    "job_title": N_("Title"),
    "company": N_("Company"),
    "emails": N_("Email"),
    "phones": N_("Phone"),
    "website": N_("Website"),
    "address": N_("Address"),
}


def render_preview(t: Translator, card: Card, duplicate: Lead | None) -> str:
    values = {
        "name": card.full_name,
        "job_title": card.job_title,
        "company": card.company,
        "emails": ", ".join(card.emails),
        "phones": ", ".join(card.phones),
        "website": card.website,
        "address": card.address,
    }
    lines = [t("<b>New lead</b>: check it, then save.")]
    lines += [t("{field}: {value}", field=t(FIELD_LABELS[k]), value=v) for k, v in values.items() if v]
    missing = [t(FIELD_LABELS[k]) for k, v in values.items() if not v]
    if missing:
        lines.append(t("Not found: {fields}", fields=", ".join(missing)))
    if duplicate is not None:
        lines += [
            "",
            t(
                "⚠️ Already in your team: <b>{name}</b> ({company}). "
                "Merge the new details into it, or save a new record?",
                name=duplicate.full_name or "–",
                company=duplicate.company or "–",
            ),
        ]
    return "\n".join(lines)


async def start_draft(update: Update, context: BotContext, card: Card, placeholder: Message | None = None) -> None:
    """Keep the card as a draft (it survives restarts) and show the preview."""
    member = context.member
    assert member is not None and update.effective_chat is not None
    async with context.db.begin(capture.team_wide(member)) as session:
        duplicate = await capture.find_duplicate(session, card)
    nonce = secrets.token_hex(4)
    text = render_preview(context.t, card, duplicate)
    markup = keyboards.card_preview(context.t, nonce, duplicate=duplicate is not None)
    if placeholder is not None:
        await placeholder.edit_text(text, reply_markup=markup)
        message_id = placeholder.message_id
    else:
        message_id = (await reply(update, text, markup)).message_id
    async with context.db.begin(context.scope) as session:
        previous = await flows.get(session, member)
        # (copied now: starting the new flow updates the same row)
        old = (previous.chat_id, previous.message_id) if previous is not None and previous.flow == FLOW else None
        await flows.start(
            session,
            member,
            FLOW,
            step="preview",
            data={"nonce": nonce, "card": card.to_dict(), "dup": duplicate.id if duplicate else None},
            chat_id=update.effective_chat.id,
            message_id=message_id,
        )
    if old is not None and old[0] and old[1] and old[1] != message_id:
        await drop_keyboard(update, old[0], old[1])  # the older draft is replaced


async def _region(context: BotContext) -> str | None:
    assert context.member is not None
    return capture.phone_region(await load_team(context), context.member)


async def on_text(update: Update, context: BotContext) -> None:
    """Text outside any flow: a typed or pasted card."""
    message = update.effective_message
    assert message is not None and context.member is not None
    text = message.text or ""
    if len(text) > MAX_CARD_TEXT:
        await reply(update, context.t("That is too long to be a business card. Send just the card's text."))
        return
    card = await asyncio.to_thread(
        parse_card, text, language=context.member.language, default_region=await _region(context)
    )
    if card.is_empty:
        await reply(
            update,
            context.t(
                "I could not find a name, company, e-mail or phone in that. Send the card's text, a photo of "
                "the card, a shared contact or a .vcf file, or use /new to type it field by field."
            ),
        )
        return
    await start_draft(update, context, card)


async def on_contact(update: Update, context: BotContext) -> None:
    """A contact shared from the phone's address book."""
    message = update.effective_message
    assert message is not None and message.contact is not None
    contact = message.contact
    region = await _region(context)
    card = None
    if contact.vcard:
        parsed = parse_vcards(contact.vcard, default_region=region).cards
        card = parsed[0] if parsed else None
    if card is None:
        card = Card(first_name=contact.first_name or None, last_name=contact.last_name or None)
    raw = contact.phone_number or ""
    # Telegram gives the number with its country code, usually without the "+".
    phone = normalise_phone(raw if raw.startswith("+") else f"+{raw}", region) if raw else None
    if phone and phone not in card.phones:
        card.phones.insert(0, phone)
    await start_draft(update, context, card)


async def on_document(update: Update, context: BotContext) -> None:
    """A .vcf file (one or many contacts) or a card sent as an image file."""
    message = update.effective_message
    assert message is not None and message.document is not None and context.member is not None
    document = message.document
    name = (document.file_name or "").lower()
    mime = (document.mime_type or "").lower()
    if name.endswith(".vcf") or "vcard" in mime:
        if (document.file_size or 0) > MAX_VCF_BYTES:
            await reply(update, context.t("That contacts file is too large. Send at most 1 MB at a time."))
            return
        data = bytes(await (await document.get_file()).download_as_bytearray())
        await _vcf(update, context, data)
        return
    if mime.startswith("image/"):
        await _image(update, context, document.file_size, document.get_file)
        return
    await reply(update, context.t("I can read business cards from photos, image files, .vcf files and text."))


async def _vcf(update: Update, context: BotContext, data: bytes) -> None:
    assert context.member is not None
    result = await asyncio.to_thread(parse_vcards, data, await _region(context))
    if not result.cards:
        await reply(update, context.t("I could not read any contact in that file. Is it a vCard (.vcf) file?"))
        return
    if len(result.cards) == 1:
        await start_draft(update, context, result.cards[0])
        return
    async with context.db.begin(capture.team_wide(context.member)) as session:
        summary = await capture.import_cards(
            session, context.member, result.cards, now=utcnow(), rejected=result.rejected
        )
    t = context.t
    lines = [t.plural("Imported {n} contact as a suspect.", "Imported {n} contacts as suspects.", len(summary.created))]
    if summary.duplicates:
        lines.append(
            t.plural(
                "Skipped {n} already in your team: {names}.",
                "Skipped {n} already in your team: {names}.",
                len(summary.duplicates),
                names=", ".join(summary.duplicates[:10]),
            )
        )
    if summary.rejected:
        lines.append(t.plural("Could not read {n} contact.", "Could not read {n} contacts.", len(summary.rejected)))
    await reply(update, "\n".join(lines))


async def on_photo(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None and message.photo
    largest = message.photo[-1]  # Telegram sends several sizes, smallest first
    await _image(update, context, largest.file_size, largest.get_file)


async def _image(update: Update, context: BotContext, size: int | None, get_file: object) -> None:
    assert context.member is not None and update.effective_chat is not None
    t = context.t
    if (size or 0) > MAX_DOWNLOAD:
        await reply(
            update, t("That image is over 20 MB, more than Telegram lets me download. Send it as a photo instead.")
        )
        return
    await update.effective_chat.send_chat_action(ChatAction.TYPING)
    placeholder = await reply(update, t("Reading the card…"))
    data = bytes(await (await get_file()).download_as_bytearray())  # type: ignore[operator]
    reader: CardReader = context.state.card_reader
    try:
        result = await asyncio.to_thread(
            reader.read, data, rep_language=context.member.language, default_region=await _region(context)
        )
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
    if result.card.is_empty:
        await placeholder.edit_text(
            t(
                "I could not read a card in that picture. Try again in good light with the card filling the "
                "frame, or type the details."
            )
        )
        return
    await start_draft(update, context, result.card, placeholder)


async def new_command(update: Update, context: BotContext) -> None:
    """/new: entry by hand, one field at a time, each skippable."""
    member = context.member
    assert member is not None and update.effective_chat is not None
    nonce = secrets.token_hex(4)
    prompt = await reply(update, ask_text(context.t, GUIDED[0]), keyboards.skip(context.t, nonce))
    async with context.db.begin(context.scope) as session:
        await flows.start(
            session,
            member,
            FLOW,
            step=f"new:{GUIDED[0]}",
            data={"nonce": nonce, "card": Card().to_dict(), "dup": None},
            chat_id=update.effective_chat.id,
            message_id=prompt.message_id,
        )


def ask_text(t: Translator, field: str) -> str:
    return t("<b>{field}</b>: send it, or tap Skip. /cancel stops.", field=t(FIELD_LABELS[field]))


async def resume_draft(update: Update, context: BotContext) -> bool:
    """After /start: show an unsaved card again (e.g. after a restart of the bot). True if there was one."""
    member = context.member
    assert member is not None and update.effective_chat is not None
    async with context.db.begin(context.scope) as session:
        state = await flows.get(session, member)
    if state is None or state.flow != FLOW or state.step != "preview":
        return False
    card = Card.from_dict(state.data["card"])
    await reply(update, context.t("You have a card that is not saved yet:"))
    await start_draft(update, context, card)
    return True
