"""Qualification as the rep sees it: the questions and their buttons, the summary with what cost
points and the advice, and the buttons to decide."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.domain import qualification as q
from bot.i18n import N_, Translator
from bot.presentation.labels import CRITERION_NAMES
from bot.presentation.records import record_id
from models import Lead, Stage

QUESTIONS = {
    "need": N_("Does the company need what we sell?"),
    "budget": N_("Can they afford it: is there a budget?"),
    "authority": N_("Is this contact the one who decides?"),
    "timeline": N_("When will they buy? Type it in words (Q2, in three months, after the summer), or tap a button."),
    "fit": N_("Does the company fit our ideal customer profile?"),
    q.VALUE: N_("What could the deal be worth? Type an amount, e.g. 12.500 EUR or 20k, or tap Skip."),
    q.WHO: N_("Who decides, then? Type a name or a role, or tap Skip."),
}
ANSWER_NAMES = {q.NO: N_("no"), q.UNSURE: N_("not sure")}
NOT_ANSWERED = N_("not answered")
ADVICE = {
    "advance": N_("My advice: advance it to prospect."),
    "park": N_("My advice: park it until later."),
    "disqualify": N_("My advice: disqualify it."),
}


def question(t: Translator, lead_id: int, key: str) -> tuple[str, InlineKeyboardMarkup]:
    """One question and the answers that can be a button (Yes / No / Not sure / Skip)."""

    def button(label: str, answer: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=callbacks.encode("qa", lead_id, key, answer))

    if key in (q.VALUE, q.WHO):
        rows = [[button(t("Skip"), q.SKIP)]]
    elif key == "timeline":
        rows = [[button(t("Not sure"), q.UNSURE), button(t("Skip"), q.SKIP)]]
    else:
        rows = [
            [button(t("Yes"), q.YES), button(t("No"), q.NO), button(t("Not sure"), q.UNSURE)],
            [button(t("Skip"), q.SKIP)],
        ]
    return t(QUESTIONS[key]), InlineKeyboardMarkup(rows)


def summary(t: Translator, lead: Lead, result: q.Score, settings: q.Settings) -> str:
    """The score against the pass mark, what cost points, and the advice; the rep decides."""
    lines = [
        t(
            "<b>{name}</b>: qualification score {score}/100 (pass mark {mark}).",
            name=lead.full_name or lead.company or "–",
            score=result.value,
            mark=settings.pass_mark,
        )
    ]
    for criterion, answer, points in result.shortfalls:
        lines.append(
            t(
                "– {criterion}: {answer} (−{points})",
                criterion=t(CRITERION_NAMES[criterion.value]),
                answer=t(ANSWER_NAMES.get(answer or "", NOT_ANSWERED)),
                points=points,
            )
        )
    lines += ["", t(ADVICE[result.recommendation]), t("You decide:")]
    return "\n".join(lines)


def decision_buttons(t: Translator, lead: Lead) -> InlineKeyboardMarkup:
    """Advance (a lead only), park, disqualify, or decide later (back to the record)."""
    lead_id = record_id(lead)
    rows = [
        [
            InlineKeyboardButton(
                t("➡️ Advance to prospect"),
                callback_data=callbacks.encode("mv", lead_id, Stage.LEAD.value, Stage.PROSPECT.value),
            )
        ],
        [
            InlineKeyboardButton(t("⏸ Park"), callback_data=callbacks.encode("pk", lead_id)),
            InlineKeyboardButton(
                t("✖ Disqualify"), callback_data=callbacks.encode("mv", lead_id, lead.stage.value, Stage.LOST.value)
            ),
        ],
        [InlineKeyboardButton(t("Decide later"), callback_data=callbacks.encode("rec", lead_id))],
    ]
    return InlineKeyboardMarkup(rows if lead.stage is Stage.LEAD else rows[1:])


def finished(t: Translator, lead: Lead, result: q.Score, settings: q.Settings) -> tuple[str, InlineKeyboardMarkup]:
    return summary(t, lead, result, settings), decision_buttons(t, lead)
