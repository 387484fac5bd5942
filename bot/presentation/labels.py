"""The product's lexicon: one translatable name per stage, role, reason, source, field and
criterion, used by every message, button and background send."""

from __future__ import annotations

from typing import Protocol

from bot.i18n import N_, Translator
from models import ActivityKind, LeadSource, ParkReason, Role, Stage

STAGE_NAMES = {
    Stage.SUSPECT: N_("suspect"),
    Stage.LEAD: N_("lead"),
    Stage.PROSPECT: N_("prospect"),
    Stage.OPPORTUNITY: N_("opportunity"),
    Stage.CUSTOMER: N_("customer"),
    Stage.LOST: N_("lost"),
}
ROLE_NAMES = {Role.OWNER: N_("owner"), Role.MANAGER: N_("manager"), Role.REP: N_("rep")}
NOTE_KINDS = {ActivityKind.OBJECTION: N_("Objection"), ActivityKind.QUESTION: N_("Question")}
LOST_NAMES = {
    "price": N_("Price"),
    "competitor": N_("Chose a competitor"),
    "no_decision": N_("No decision"),
    "no_budget": N_("No budget"),
    "timing": N_("Bad timing"),
    "other": N_("Other"),
}
PARK_REASONS = {
    ParkReason.NOT_READY: N_("Not ready yet"),
    ParkReason.NO_BUDGET: N_("No budget now"),
    ParkReason.SAID_NO_KEEP: N_("Said no, may be contacted later"),
    ParkReason.WRONG_PERSON: N_("Wrong person"),
    ParkReason.OTHER: N_("Other"),
}
SOURCE_LABELS = {
    LeadSource.MEETING: N_("Meeting or event"),
    LeadSource.REFERRAL: N_("Referral"),
    LeadSource.COLD_CALL: N_("Cold call"),
    LeadSource.BOUGHT_LIST: N_("Bought list"),
    LeadSource.LINKEDIN: N_("LinkedIn"),
    LeadSource.WEBSITE: N_("Website"),
    LeadSource.OTHER: N_("Other"),
}
FIELD_LABELS = {
    "name": N_("Name"),
    "job_title": N_("Title"),
    "company": N_("Company"),
    "emails": N_("Email"),
    "phones": N_("Phone"),
    "website": N_("Website"),
    "address": N_("Address"),
}
CRITERION_NAMES = {
    "need": N_("need"),
    "budget": N_("budget"),
    "authority": N_("decision maker"),
    "timeline": N_("timeline"),
    "fit": N_("ideal customer fit"),
}
# Time zones by their city, in the reader's language (other zones by their IANA city).
ZONE_NAMES = {
    "Europe/Zagreb": N_("Zagreb"),
    "Europe/Prague": N_("Prague"),
    "Europe/Warsaw": N_("Warsaw"),
    "Europe/Skopje": N_("Skopje"),
    "Asia/Tehran": N_("Tehran"),
    "Europe/London": N_("London"),
    "Europe/Belgrade": N_("Belgrade"),
    "Europe/Vienna": N_("Vienna"),
}
NUDGE_NAMES = {
    "digest": N_("Morning digest at 9:00 (today's and overdue follow-ups)"),
    "stalled": N_("Records gone quiet"),
    "escalate": N_("Tell managers when a record stays quiet"),
    "close_date": N_("Opportunities past their close date"),
    "birthday": N_("Birthdays, the day before"),
}


def zone_name(t: Translator, zone: str) -> str:
    """ "Praha", "Скопје", "تهران" for the product's zones; "New York" or "UTC+2" for others."""
    if zone in ZONE_NAMES:
        return t(ZONE_NAMES[zone])
    if zone.startswith("Etc/GMT") and zone[7:]:
        sign, hours = zone[7], zone[8:]  # the Etc zones count the other way round
        return t.localise(f"UTC{'+' if sign == '-' else '-'}{hours}")
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def stage_name(t: Translator, stage: Stage) -> str:
    return t(STAGE_NAMES[stage])


def role_name(t: Translator, role: Role) -> str:
    return t(ROLE_NAMES[role])


def lost_reason_name(t: Translator, code: str | None) -> str:
    return t(LOST_NAMES.get(code or "", N_("Other")))


def park_reason_name(t: Translator, reason: ParkReason) -> str:
    return t(PARK_REASONS[reason])


def sources(t: Translator) -> dict[str, str]:
    """Source code → translated label, in the order the buttons show them."""
    return {code.value: t(label) for code, label in SOURCE_LABELS.items()}


def field_labels(t: Translator) -> dict[str, str]:
    return {name: t(label) for name, label in FIELD_LABELS.items()}


class Named(Protocol):
    """Anything with a person's name and a company (a record)."""

    @property
    def full_name(self) -> str | None: ...

    @property
    def company(self) -> str | None: ...


def who(t: Translator, lead: Named) -> str:
    """ "Ana Horvat (Acme d.o.o.)": a record named in a reminder, a brief or a question."""
    return t("{name} ({company})", name=lead.full_name or "–", company=lead.company or "–")


def short_label(lead: Named, fallback: str = "") -> str:
    """ "Ana Horvat · Acme d.o.o.": a record in a list or on a button."""
    return " · ".join(p for p in (lead.full_name, lead.company) if p) or fallback
