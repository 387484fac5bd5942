"""Every handler, wired in one place. Order matters: the gate first, catch-alls last."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import callbacks
from bot.flows import FlowKind
from bot.i18n import N_
from bot.presentation import team as view_team
from bot.presentation.links import RECORD_PREFIX
from handlers import (
    access,
    capture,
    card_flow,
    erase,
    events,
    export,
    fallback,
    group_capture,
    groups,
    invite,
    moves,
    park,
    qualify,
    records,
    reminders,
    settings,
    start,
    team,
    team_settings,
)

GATE_GROUP = -2

# (command, description) for the Telegram menu; descriptions are translated per language.
COMMANDS: list[tuple[str, str]] = [
    ("start", N_("Start or restart")),
    ("help", N_("What I can do")),
    ("settings", N_("Language and time zone")),
    ("new", N_("Add a lead by hand")),
    ("leads", N_("My records by stage")),
    ("find", N_("Find a record")),
    ("note", N_("Add a note to the open record")),
    ("remind", N_("Set a reminder: /remind Ana Friday 3pm call")),
    ("funnel", N_("Funnel summary with a chart: /funnel week, month or quarter")),
    ("pipeline", N_("My funnel in one message")),
    ("events", N_("Trade fairs and events: cards, deals, cost (managers)")),
    ("qualification", N_("The team's qualification criteria")),
    ("nudges", N_("The team's automatic reminders")),
    ("cancel", N_("Leave what we are doing")),
    ("invite", N_("Invite a rep (owners and managers)")),
    ("team", N_("Members, roles and invites")),
    ("export", N_("Export records: CSV, Excel, vCards")),
    ("retention", N_("How long records are kept")),
]


# The menu in group chats: what a team does there.
GROUP_COMMANDS: list[tuple[str, str]] = [
    ("funnel", N_("Funnel summary with a chart: /funnel week, month or quarter")),
    ("subscribe", N_("Summaries here: /subscribe daily 9:00 or weekly monday 9:00 (managers)")),
    ("unsubscribe", N_("Stop the summaries here (managers)")),
    ("link", N_("Make this group your team's (managers)")),
    ("unlink", N_("Unlink this group from the team (managers)")),
    ("lead", N_("Reply to a message with /lead to make its sender your lead")),
]
# What typed text means in each flow (see bot/flows.py); the router refuses a flow without one.
TEXT_STEPS = {
    FlowKind.ZONE: settings.on_zone_text,
    FlowKind.CARD: capture.on_card_text,
    FlowKind.SOURCE: capture.on_source_text,
    FlowKind.RECORD: records.text_step(park_date=park.on_date_text, new_card=capture.on_text),
    FlowKind.QUALIFY: qualify.on_text,
    FlowKind.MOVE: moves.on_text,
    FlowKind.REMIND: reminders.on_text,
    FlowKind.FORWARD: capture.on_forward_text,
}
LIFE_GROUP = -3
FINISH_GROUP = 100


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE

    # Group -3: the bot's own membership and group upgrades, whoever caused them (before the gate).
    app.add_handler(ChatMemberHandler(groups.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER), group=LIFE_GROUP)
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, groups.on_migrate), group=LIFE_GROUP)
    app.add_handler(MessageHandler(filters.StatusUpdate.FORUM_TOPIC_CLOSED, groups.on_topic_closed), group=LIFE_GROUP)

    settings.after_zone(reminders.remind_in_words)  # a /remind kept across the time zone question

    # Group -2: every update passes the access gate, which may stop it.
    app.add_handler(TypeHandler(Update, access.gate), group=GATE_GROUP)

    # Group 0: the first matching handler wins. An edit is never handled as a new message.
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, fallback.edited))
    app.add_handler(CommandHandler("cancel", fallback.cancel, filters=private))
    app.add_handler(
        CommandHandler("start", records.open_link, filters=private & filters.Regex(rf"^/start {RECORD_PREFIX}"))
    )
    app.add_handler(CommandHandler("start", start.start, filters=private))
    app.add_handler(CommandHandler("start", groups.group_start, filters=filters.ChatType.GROUPS))
    app.add_handler(CommandHandler("link", groups.link_command, filters=filters.ChatType.GROUPS))
    app.add_handler(CommandHandler("unlink", groups.unlink_command, filters=filters.ChatType.GROUPS))
    app.add_handler(CommandHandler("subscribe", groups.subscribe_command))
    app.add_handler(CommandHandler("unsubscribe", groups.unsubscribe_command))
    app.add_handler(CommandHandler("funnel", groups.funnel_command))
    app.add_handler(CommandHandler("lead", group_capture.lead_command, filters=filters.ChatType.GROUPS))
    app.add_handler(CommandHandler("help", start.help_command, filters=private))
    app.add_handler(CommandHandler("settings", settings.settings_command, filters=private))
    app.add_handler(CommandHandler("invite", invite.invite_command, filters=private))
    app.add_handler(CommandHandler("team", team.team_command, filters=private))
    app.add_handler(CommandHandler("new", capture.new_command, filters=private))
    app.add_handler(CommandHandler("leads", records.leads_command, filters=private))
    app.add_handler(CommandHandler("find", records.find_command, filters=private))
    app.add_handler(CommandHandler("note", records.note_command, filters=private))
    app.add_handler(CommandHandler("remind", reminders.remind_command, filters=private))
    app.add_handler(CommandHandler("pipeline", moves.pipeline_command, filters=private))
    app.add_handler(CommandHandler("events", events.events_command, filters=private))
    app.add_handler(CommandHandler("qualification", team_settings.qualification_command, filters=private))
    app.add_handler(CommandHandler("nudges", team_settings.nudges_command, filters=private))
    app.add_handler(CommandHandler("export", export.export_command, filters=private))
    app.add_handler(CommandHandler("retention", export.retention_command, filters=private))

    app.add_handler(CallbackQueryHandler(settings.on_settings_button, pattern=callbacks.pattern("set")))
    app.add_handler(CallbackQueryHandler(settings.on_zone_button, pattern=callbacks.pattern("tz")))
    app.add_handler(CallbackQueryHandler(records.open_button, pattern=callbacks.pattern("rec")))
    app.add_handler(CallbackQueryHandler(records.list_button, pattern=callbacks.pattern("ls")))
    app.add_handler(CallbackQueryHandler(records.note_button, pattern=callbacks.pattern("note")))
    app.add_handler(CallbackQueryHandler(records.note_kind_button, pattern=callbacks.pattern("nk")))
    app.add_handler(CallbackQueryHandler(records.birthday_button, pattern=callbacks.pattern("bday")))
    app.add_handler(CallbackQueryHandler(qualify.start_button, pattern=callbacks.pattern("qs")))
    app.add_handler(CallbackQueryHandler(qualify.answer_button, pattern=callbacks.pattern("qa")))
    app.add_handler(CallbackQueryHandler(team_settings.weight_button, pattern=callbacks.pattern("qw")))
    app.add_handler(CallbackQueryHandler(team_settings.nudge_toggle_button, pattern=callbacks.pattern("nt")))
    app.add_handler(CallbackQueryHandler(team_settings.quiet_days_button, pattern=callbacks.pattern("nd")))
    app.add_handler(CallbackQueryHandler(moves.move_button, pattern=callbacks.pattern("mv")))
    app.add_handler(CallbackQueryHandler(moves.lost_reason_button, pattern=callbacks.pattern("ml")))
    app.add_handler(CallbackQueryHandler(moves.quick_button, pattern=callbacks.pattern("mp")))
    app.add_handler(CallbackQueryHandler(reminders.done_button, pattern=callbacks.pattern("rd")))
    app.add_handler(CallbackQueryHandler(reminders.snooze_button, pattern=callbacks.pattern("rs")))
    app.add_handler(CallbackQueryHandler(reminders.calendar_button, pattern=callbacks.pattern("rc")))
    app.add_handler(CallbackQueryHandler(reminders.record_button, pattern=callbacks.pattern("rmn")))
    app.add_handler(CallbackQueryHandler(reminders.pick_button, pattern=callbacks.pattern("rmp")))
    app.add_handler(CallbackQueryHandler(reminders.confirm_button, pattern=callbacks.pattern("rmy")))
    app.add_handler(CallbackQueryHandler(reminders.cancel_button, pattern=callbacks.pattern("rmx")))
    app.add_handler(CallbackQueryHandler(reminders.snooze_confirm_button, pattern=callbacks.pattern("rz")))
    app.add_handler(CallbackQueryHandler(park.park_button, pattern=callbacks.pattern("pk")))
    app.add_handler(CallbackQueryHandler(park.reason_button, pattern=callbacks.pattern("pr")))
    app.add_handler(CallbackQueryHandler(park.confirm_button, pattern=callbacks.pattern("py")))
    app.add_handler(CallbackQueryHandler(card_flow.on_card_button, pattern=callbacks.pattern("card")))
    app.add_handler(CallbackQueryHandler(card_flow.on_source_button, pattern=callbacks.pattern("src")))
    app.add_handler(CallbackQueryHandler(capture.on_forward_button, pattern=callbacks.pattern("fwd")))
    app.add_handler(CallbackQueryHandler(team.team_button, pattern=callbacks.pattern(view_team.ACTION)))
    app.add_handler(CallbackQueryHandler(export.export_button, pattern=callbacks.pattern("xp")))
    app.add_handler(CallbackQueryHandler(export.vcard_button, pattern=callbacks.pattern("xvc")))
    app.add_handler(CallbackQueryHandler(export.report_button, pattern=callbacks.pattern("xrep")))
    app.add_handler(CallbackQueryHandler(export.retention_button, pattern=callbacks.pattern("xret")))
    app.add_handler(CallbackQueryHandler(erase.delete_button, pattern=callbacks.pattern("xdel")))
    app.add_handler(CallbackQueryHandler(erase.confirm_button, pattern=callbacks.pattern("xdely")))

    # A card arrives in any form, no command needed first.
    app.add_handler(MessageHandler(private & filters.CONTACT, capture.on_contact))
    app.add_handler(MessageHandler(private & filters.Document.ALL, capture.on_document))
    app.add_handler(MessageHandler(private & filters.PHOTO, capture.on_photo))
    # A forwarded photo or file is read as above; any other forward captures its sender.
    app.add_handler(MessageHandler(private & filters.FORWARDED & ~filters.COMMAND, capture.on_forward))

    app.add_handler(
        MessageHandler(
            private & filters.TEXT & ~filters.COMMAND,
            fallback.text_router(TEXT_STEPS, default=capture.on_text),
        )
    )

    # Catch-alls, last.
    app.add_handler(MessageHandler(private & filters.COMMAND, fallback.unknown_command))
    app.add_handler(CallbackQueryHandler(fallback.stale_button))
    app.add_handler(MessageHandler(private & ~filters.COMMAND, fallback.other_message))

    # Last: what the gate noticed is written when the handler wrote nothing itself.
    app.add_handler(TypeHandler(Update, access.finish), group=FINISH_GROUP)
