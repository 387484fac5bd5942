"""/team: owners and managers see the members (role, records, last active) and change roles, remove
a member (records handed over in the same step, or left unassigned), hand records over, hand the
team over, and list and withdraw pending invites; a rep sees who leads the team.

Every button is one `tm:` handler; each update reads, writes at most once, then edits the message.
The rules are the service's (bot/services/team.py): a button offered earlier proves nothing."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import BotContext
from bot.presentation import team as view
from bot.presentation.replies import edit, reply
from bot.services import team
from models import Role
from models.base import utcnow
from models.errors import StaleButton

STEPS = ("l", "m", "r", "o", "oy", "x", "xy", "h", "hy", "i", "v")
ROLES = (Role.MANAGER.value, Role.REP.value)


async def team_command(update: Update, context: BotContext) -> None:
    me = context.me
    the_team = await context.team()
    if not me.role.sees_team:
        async with context.read() as session:
            leaders = await team.leaders(session)
        await reply(update, view.leaders_text(context.t, the_team, leaders))
        return
    async with context.read() as session:
        entries = await team.roster(session)
    await reply(update, *view.roster_view(context.t, the_team, entries, context.tz()))


async def _roster(context: BotContext) -> view.View:
    the_team = await context.team()
    async with context.read() as session:
        entries = await team.roster(session)
    return view.roster_view(context.t, the_team, entries, context.tz())


async def _member(context: BotContext, member_id: int) -> view.View:
    async with context.read() as session:
        member = await team.get(session, member_id)
        counts = await team.records_per_owner(session)
    if member is None:
        raise StaleButton()
    return view.member_view(context.t, context.me, member, counts.get(member_id, 0), context.tz())


async def _question(context: BotContext, member_id: int, *, removing: bool) -> view.View:
    async with context.read() as session:
        member = await team.get(session, member_id)
        if member is None:
            raise StaleButton()
        team.check_can_touch(context.me, member)
        if removing:
            team.check_current(member)
        records = (await team.records_per_owner(session)).get(member_id, 0)
        receivers = await team.receivers(session, member)
    if removing:
        return view.remove_question(context.t, member, records, receivers)
    return view.hand_over_question(context.t, member, records, receivers)


async def _owner_question(context: BotContext, member_id: int) -> view.View:
    team.check_owner(context.me)
    async with context.read() as session:
        member = team.check_current(await team.get(session, member_id))
    return view.owner_question(context.t, member)


async def _invites(context: BotContext) -> view.View:
    now = utcnow()
    async with context.read() as session:
        pending = await team.pending_invites(session, now=now)
        names = await team.names_of(session, {i.created_by_id for i in pending if i.created_by_id is not None})
    return view.invites_view(context.t, pending, names, context.tz(), now)


async def team_button(update: Update, context: BotContext) -> None:
    data = callbacks.button(update)
    step = data.choice(0, STEPS)
    t, me = context.t, context.me
    team.check_manager(me)  # a member demoted since the message was sent
    query = update.callback_query
    if query is None:
        raise StaleButton()
    note = ""
    if step == "l":
        shown = await _roster(context)
    elif step == "m":
        shown = await _member(context, data.id(1))
    elif step in ("x", "h"):
        shown = await _question(context, data.id(1), removing=step == "x")
    elif step == "o":
        shown = await _owner_question(context, data.id(1))
    elif step == "i":
        shown = await _invites(context)
    elif step == "r":
        member_id, role = data.id(1), Role(data.choice(2, ROLES))
        async with context.write() as session:
            changed = await team.change_role(session, me, member_id, role, now=utcnow())
        note = view.role_changed(t, changed)
        shown = await _member(context, member_id)
    elif step == "oy":
        async with context.write() as session:
            changed = await team.make_owner(session, me, data.id(1), now=utcnow())
        me.role = Role.MANAGER
        note = view.role_changed(t, changed)
        shown = await _roster(context)
    elif step == "xy":
        member_id, to = data.id(1), data.id(2)
        async with context.write() as session:
            removed, moved = await team.remove(
                session, me, member_id, hand_to=None if to == view.UNASSIGNED else to, now=utcnow()
            )
            receiver = await team.get(session, to) if moved is not None else None
        note = view.removed_text(t, removed, moved, receiver)
        shown = await _roster(context)
    elif step == "hy":
        member_id, to = data.id(1), data.id(2)
        async with context.write() as session:
            moved = await team.hand_over(session, me, member_id, to, now=utcnow())
            source, receiver = await team.get(session, member_id), await team.get(session, to)
        if source is None or receiver is None:
            raise StaleButton()
        note = view.handed_text(t, source, moved, receiver)
        shown = await _member(context, member_id)
    else:  # "v"
        async with context.write() as session:
            await team.revoke_invite(session, me, data.id(1))
        note = view.invite_withdrawn(t)
        shown = await _invites(context)
    await query.answer()
    text, markup = shown
    await edit(query, f"{note}\n\n{text}" if note else text, markup)
