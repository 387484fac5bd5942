"""A card being captured as the rep sees it: the preview, the field prompts, the saved message,
the import summary, and their buttons."""

from __future__ import annotations

import html
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.domain import vcards
from bot.domain.cards import Card
from bot.i18n import Safe, Translator
from bot.presentation.labels import FIELD_LABELS, field_labels, sources
from bot.services.capture import NOT_SAVED, Duplicate, ImportSummary
from models import Lead
from models.errors import N_

ACTION = "card"  # the preview's buttons: "1card:<nonce>:<what>[:<field>]"
SOURCE_ACTION = "src"  # the saved card's source buttons: "1src:<lead>:<source or detail>"


def telegram_account(user_id: int | None, username: str | None) -> str:
    """A Telegram account as the rep reads it: "@name (id 123)", "@name" or "id 123"."""
    handle = f"@{username}" if username else ""
    if user_id is None:
        return handle
    return f"{handle} (id {user_id})" if handle else f"id {user_id}"


def render_preview(t: Translator, card: Card, duplicate: Duplicate | None) -> str:
    values = {
        "name": card.full_name,
        "job_title": card.job_title,
        "company": card.company,
        "emails": t.join(card.emails),
        "phones": t.join(card.phones),
        "website": card.website,
        "address": card.address,
    }
    guesses = [k for k in card.guesses if values.get(k)]
    lines = [t("<b>New lead</b>: check it, then save.")]
    lines += [
        t("❓ {field}: {value}", field=t(FIELD_LABELS[k]), value=v)
        if k in guesses
        else t("{field}: {value}", field=t(FIELD_LABELS[k]), value=v)
        for k, v in values.items()
        if v
    ]
    account = telegram_account(card.telegram_id, card.telegram_username)
    if account:
        lines.append(t("Telegram: {account}", account=account))
    missing = [t(FIELD_LABELS[k]) for k, v in values.items() if not v]
    if missing:
        lines.append(t("Not found: {fields}", fields=t.join(missing)))
    if guesses:
        lines.append(t("❓ My guess, not sure: tap it below to correct it, or save it as it is."))
    if duplicate is not None and not duplicate.mergeable:  # a colleague's record: who, never what
        lines += [
            "",
            t(
                "⚠️ A colleague, <b>{colleague}</b>, already has this contact. "
                "You can still save it as your own record; better ask them first.",
                colleague=duplicate.colleague or "–",
            ),
        ]
    elif duplicate is not None:
        lines += [
            "",
            t(
                "⚠️ Already in your team: <b>{name}</b> ({company}). "
                "Merge the new details into it, or save a new record?",
                name=duplicate.name or "–",
                company=duplicate.company or "–",
            ),
        ]
    return "\n".join(lines)


def preview(t: Translator, nonce: str, card: Card, duplicate: Duplicate | None) -> tuple[str, InlineKeyboardMarkup]:
    """The preview and its buttons: Save, Edit, Discard (Merge and Save as new for a duplicate the
    member can see; a colleague's record offers no merge)."""
    mergeable = duplicate is not None and duplicate.mergeable
    return render_preview(t, card, duplicate), card_preview(t, nonce, duplicate=mergeable, guesses=card.guesses)


def fields_menu(t: Translator, nonce: str, card: Card) -> tuple[str, InlineKeyboardMarkup]:
    """After Edit: the card, and one button per field."""
    return render_preview(t, card, None), card_fields(t, nonce)


def ask_text(t: Translator, field: str) -> str:
    """/new's question for one field."""
    return t("<b>{field}</b>: send it, or tap Skip. /cancel stops.", field=t(FIELD_LABELS[field]))


def edit_prompt(t: Translator, field: str) -> str:
    """After Edit and a field: what to type."""
    return t("<b>{field}</b>: send the new value, or - to clear it. /cancel stops.", field=t(FIELD_LABELS[field]))


def saved_text(t: Translator, lead: Lead, merged: bool = False) -> str:
    head = (
        t("Merged into <b>{name}</b> ({company}).", name=lead.full_name or "–", company=lead.company or "–")
        if merged
        else t("Saved <b>{name}</b> ({company}) as a lead.", name=lead.full_name or "–", company=lead.company or "–")
    )
    return "\n\n".join(
        [
            head,
            t("Where did this lead come from? Then qualify it now (a few questions, under a minute) or later."),
        ]
    )


def saved(t: Translator, lead: Lead, merged: bool = False) -> tuple[str, InlineKeyboardMarkup]:
    """The saved (or merged) card, with its source buttons and Qualify now / Later."""
    return saved_text(t, lead, merged), lead_saved(t, _id(lead), lead.source.value if lead.source else None)


REPORT_NAMES = 10  # names listed for each kind of skipped or refused contact


def _names(t: Translator, names: Sequence[str]) -> Safe:
    """The first names of a list, escaped, and how many more."""
    shown = Safe(t.join(html.escape(n, quote=False) for n in names[:REPORT_NAMES]))
    if len(names) > REPORT_NAMES:
        return Safe(t("{names} and {n} more", names=shown, n=len(names) - REPORT_NAMES))
    return shown


# How each reason a contact was not imported is worded (with {n}, how many).
REASONS = {
    vcards.EMPTY: N_("without a name, company, e-mail or phone: {n}"),
    vcards.UNREADABLE: N_("unreadable: {n}"),
    vcards.UNTERMINATED: N_("cut off (BEGIN:VCARD without END:VCARD): {n}"),
    vcards.TOO_LARGE: N_("too large to read: {n}"),
    vcards.OVER_LIMIT: N_("over the limit of {limit} contacts per file: {n}"),
    vcards.TOO_SLOW: N_("not read in time: {n}"),
    NOT_SAVED: N_("could not be saved: {n}"),
}


def import_progress(t: Translator, summary: ImportSummary) -> str:
    """The import's one message while it runs (edited as it goes)."""
    return t("Importing the contacts file: {done} of {n} done…", done=summary.done, n=summary.total)


def import_summary(t: Translator, summary: ImportSummary) -> str:
    """What a .vcf with many contacts did, exactly: imported, skipped as already there (named),
    not imported and why (named when the contact's name could be read). Short by construction: at
    most `REPORT_NAMES` names of 60 characters per line."""
    lines = [t.plural("Imported {n} contact as a suspect.", "Imported {n} contacts as suspects.", summary.created)]
    if summary.duplicates:
        skipped = _names(t, summary.duplicates)
        lines.append(
            t.plural(
                "Skipped {n} already in your team: {names}.",
                "Skipped {n} already in your team: {names}.",
                len(summary.duplicates),
                names=skipped,
            )
        )
    if summary.refused:
        by_reason: dict[str, list[str]] = {}
        for reason, label in summary.refused:
            by_reason.setdefault(reason, []).append(label)
        lines.append(t("Not imported:"))
        for reason, labels in by_reason.items():
            line = "• " + t(REASONS.get(reason, REASONS[vcards.UNREADABLE]), n=len(labels), limit=vcards.MAX_CONTACTS)
            named = [label for label in labels if label]
            lines.append(f"{line} ({_names(t, named)})" if named else line)
    return "\n".join(lines)


def card_preview(t: Translator, nonce: str, *, duplicate: bool, guesses: Sequence[str] = ()) -> InlineKeyboardMarkup:
    """Save, Edit, Discard (Merge for a duplicate), and one button per guessed field: one tap
    opens that field's correction."""

    def button(label: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=callbacks.encode(ACTION, nonce, action))

    fix = [
        InlineKeyboardButton(
            t("❓ {field}", field=t(FIELD_LABELS[name])), callback_data=callbacks.encode(ACTION, nonce, "field", name)
        )
        for name in guesses
        if name in FIELD_LABELS
    ]
    fix_rows = [fix[i : i + 2] for i in range(0, len(fix), 2)]
    if duplicate:
        return InlineKeyboardMarkup(
            [
                *fix_rows,
                [button(t("Merge into the existing record"), "merge")],
                [button(t("Save as new"), "save"), button(t("Edit"), "edit")],
                [button(t("Discard"), "discard")],
            ]
        )
    return InlineKeyboardMarkup(
        [*fix_rows, [button(t("✅ Save"), "save"), button(t("✏️ Edit"), "edit"), button(t("🗑 Discard"), "discard")]]
    )


def card_fields(t: Translator, nonce: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(label, callback_data=callbacks.encode(ACTION, nonce, "field", name))
        for name, label in field_labels(t).items()
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton(t("« Back"), callback_data=callbacks.encode(ACTION, nonce, "back"))])
    return InlineKeyboardMarkup(rows)


def skip(t: Translator, nonce: str, field: str) -> InlineKeyboardMarkup:
    """Under /new's question: skip this field (the button names it, so it works without the flow)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("Skip"), callback_data=callbacks.encode(ACTION, nonce, "skip", field))]]
    )


def lead_saved(t: Translator, lead_id: int, current: str | None) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            t("✓ {source}", source=label) if code == current else label,
            callback_data=callbacks.encode(SOURCE_ACTION, lead_id, code),
        )
        for code, label in sources(t).items()
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [
            InlineKeyboardButton(
                t("Add the event's name"), callback_data=callbacks.encode(SOURCE_ACTION, lead_id, "detail")
            )
        ]
    )
    rows.append(
        [
            InlineKeyboardButton(t("✅ Qualify now"), callback_data=callbacks.encode("qs", lead_id)),
            InlineKeyboardButton(t("Later"), callback_data=callbacks.encode("rec", lead_id)),
        ]
    )
    return InlineKeyboardMarkup(rows)


def _id(lead: Lead) -> int:
    if lead.id is None:
        raise ValueError("an unsaved record has no buttons")
    return lead.id
