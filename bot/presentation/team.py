"""What /team shows: the roster, one member's card with the buttons the viewer may use, the removal
and hand-over questions, pending invites; and what a rep sees (who leads the team).

Buttons (`tm:<what>:<id>…`): `l` the roster, `m` a member, `r` a role, `o`/`oy` make owner (ask,
do), `x`/`xy` remove (ask, do: `0` leaves the records unassigned), `h`/`hy` hand over (ask, do),
`i` pending invites, `v` withdraw one. What a button offers is only a convenience: the service
checks every rule again when it is tapped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.i18n import Translator
from bot.services.team import Entry, HandOver
from models import Invite, Member, Role, Team

from .labels import role_name

View = tuple[str, InlineKeyboardMarkup | None]
ACTION = "tm"
UNASSIGNED = 0  # `xy:<id>:0`: remove and leave the records with the team, unassigned


def _button(text: str, *args: str | int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callbacks.encode(ACTION, *args))


def _seen(t: Translator, member: Member, zone: str) -> str:
    return t.datetime(member.last_seen_at, zone) if member.last_seen_at else t("not yet")


def _line(t: Translator, entry: Entry, zone: str) -> str:
    member = entry.member
    if member.is_removed:
        return t.plural(
            "{name} (removed): {n} unassigned record",
            "{name} (removed): {n} unassigned records",
            entry.records,
            name=member.display_name,
        )
    role, seen = role_name(t, member.role), _seen(t, member, zone)
    return t.plural(
        "{name}, {role}: {n} record, last active {seen}",
        "{name}, {role}: {n} records, last active {seen}",
        entry.records,
        name=member.display_name,
        role=role,
        seen=seen,
    )


def roster_view(t: Translator, team: Team, entries: Sequence[Entry], zone: str) -> View:
    current = [e for e in entries if not e.member.is_removed]
    lines = [
        t.plural("<b>{team}</b> has {n} member.", "<b>{team}</b> has {n} members.", len(current), team=team.name),
        "",
        *(_line(t, e, zone) for e in entries),
        "",
        t("Tap a member to change their role, remove them or hand over their records."),
    ]
    rows = [[_button(e.member.display_name or "–", "m", _id(e.member))] for e in entries]
    rows.append([_button(t("Pending invites"), "i")])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def leaders_text(t: Translator, team: Team, leaders: Sequence[Member]) -> str:
    names = t.join(f"{m.display_name} ({role_name(t, m.role)})" for m in leaders) or "–"
    return t("Your team: <b>{team}</b>\nLed by: {leaders}", team=team.name, leaders=names)


def member_view(t: Translator, viewer: Member, member: Member, records: int, zone: str) -> View:
    text = t(
        "<b>{name}</b>\nRole: {role}\nRecords: {n}\nLast active: {seen}",
        name=member.display_name,
        role=role_name(t, member.role),
        n=records,
        seen=_seen(t, member, zone),
    )
    rows: list[list[InlineKeyboardButton]] = []
    member_id = _id(member)
    if member.is_removed:
        text += "\n\n" + t("No longer a member of the team: hand their records to someone.")
    elif member.id != viewer.id:
        if viewer.role is Role.OWNER and member.role is Role.REP:
            rows.append([_button(t("Make manager"), "r", member_id, Role.MANAGER.value)])
        if viewer.role is Role.OWNER and member.role is Role.MANAGER:
            rows.append([_button(t("Make rep"), "r", member_id, Role.REP.value)])
        if viewer.role is Role.OWNER and member.role is not Role.OWNER:
            rows.append([_button(t("Make owner"), "o", member_id)])
        if viewer.role is Role.OWNER or member.role is Role.REP:
            rows.append([_button(t("Remove from the team"), "x", member_id)])
    if records and (viewer.role is Role.OWNER or member.role is Role.REP or member.is_removed):
        rows.append([_button(t("Hand over records"), "h", member_id)])
    rows.append([_button(t("« Back"), "l")])
    return text, InlineKeyboardMarkup(rows)


def remove_question(t: Translator, member: Member, records: int, receivers: Sequence[Member]) -> View:
    text = t.plural(
        "Remove {name} from the team? They lose access at once. Who takes over their {n} record?",
        "Remove {name} from the team? They lose access at once. Who takes over their {n} records?",
        records,
        name=member.display_name,
    )
    member_id = _id(member)
    rows = [[_button(t("Hand to {name}", name=r.display_name), "xy", member_id, _id(r))] for r in receivers]
    rows.append([_button(t("Remove, records stay unassigned"), "xy", member_id, UNASSIGNED)])
    rows.append([_button(t("« Back"), "m", member_id)])
    return text, InlineKeyboardMarkup(rows)


def removed_text(t: Translator, member: Member, moved: HandOver | None, receiver: Member | None) -> str:
    parts = [t("{name} was removed from the team.", name=member.display_name)]
    if moved is not None and receiver is not None:
        parts.append(handed_text(t, member, moved, receiver))
    else:
        parts.append(t("Their records stay with the team, unassigned: hand them over from /team."))
    return "\n".join(parts)


def hand_over_question(t: Translator, member: Member, records: int, receivers: Sequence[Member]) -> View:
    text = t.plural(
        "Hand {name}'s {n} record, with its reminders, to:",
        "Hand {name}'s {n} records, with their reminders, to:",
        records,
        name=member.display_name,
    )
    member_id = _id(member)
    rows = [[_button(r.display_name or "–", "hy", member_id, _id(r))] for r in receivers]
    rows.append([_button(t("« Back"), "m", member_id)])
    return text, InlineKeyboardMarkup(rows)


def handed_text(t: Translator, source: Member, moved: HandOver, receiver: Member) -> str:
    return t.plural(
        "{n} record of {name} now belongs to {to}.",
        "{n} records of {name} now belong to {to}.",
        moved.records,
        name=source.display_name,
        to=receiver.display_name,
    )


def owner_question(t: Translator, member: Member) -> View:
    text = t("Hand the team to {name}? They become its owner and you stay on as a manager.", name=member.display_name)
    member_id = _id(member)
    rows = [[_button(t("Yes, hand the team over"), "oy", member_id)], [_button(t("« Back"), "m", member_id)]]
    return text, InlineKeyboardMarkup(rows)


def role_changed(t: Translator, member: Member) -> str:
    if member.role is Role.OWNER:
        return t("{name} is now the team's owner. You stay on as a manager.", name=member.display_name)
    return t("{name} is now a {role}.", name=member.display_name, role=role_name(t, member.role))


def invites_view(t: Translator, invites: Sequence[Invite], names: dict[int, str], zone: str, now: datetime) -> View:
    del now
    if not invites:
        return t("No pending invites."), InlineKeyboardMarkup([[_button(t("« Back"), "l")]])
    lines = [t("Pending invites (tap one to withdraw it):")]
    rows: list[list[InlineKeyboardButton]] = []
    for invite in invites:
        label = t(
            "{role}, from {name}, until {expires}",
            role=role_name(t, invite.role),
            name=names.get(invite.created_by_id or 0, "–"),
            expires=t.datetime(invite.expires_at, zone),
        )
        lines.append("• " + label)
        rows.append([_button(t("Withdraw: {invite}", invite=label), "v", _invite_id(invite))])
    rows.append([_button(t("« Back"), "l")])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def invite_withdrawn(t: Translator) -> str:
    return t("The invite was withdrawn; its link no longer works.")


def _id(member: Member) -> int:
    if member.id is None:
        raise ValueError("a member without an id")
    return member.id


def _invite_id(invite: Invite) -> int:
    if invite.id is None:
        raise ValueError("an invite without an id")
    return invite.id
