"""The team's funnel summary as a group (or a rep, in private) sees it: the text, and the chart's
content. Aggregates only: counts, rates, sums and reps' names, never a contact's name, e-mail or
phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from bot import charts
from bot.domain import sources as source_maths
from bot.domain import summary as maths
from bot.i18n import N_, Translator
from bot.presentation.fitting import fit
from bot.presentation.labels import SOURCE_LABELS, lost_reason_name, stage_name
from models import LeadSource, Stage

TOP_REPS = 10
ARROWS = {"up": "▲", "down": "▼", "same": "="}
KIND_TITLES = {
    "day": N_("📊 <b>{team}</b>: the funnel, {start}"),
    "week": N_("📊 <b>{team}</b>: the funnel, week {start} – {end}"),
    "month": N_("📊 <b>{team}</b>: the funnel, {start} – {end}"),
    "quarter": N_("📊 <b>{team}</b>: the funnel, {start} – {end}"),
}


def money_of(t: Translator, values: dict[str, Decimal]) -> str:
    return t.join(t.money(v, c) for c, v in sorted(values.items())) or t.number(0)


def _compare(t: Translator, current: float, previous: float | None, shown: Callable[[float], str] | None = None) -> str:
    show = shown or t.number
    arrow = ARROWS.get(maths.trend(current, previous), "")
    if previous is None:
        return show(current)
    return t("{value} {arrow} (before: {before})", value=show(current), arrow=arrow, before=show(previous))


def heading(t: Translator, s: maths.Summary, *, title: str) -> str:
    p = s.period
    start, end = t.period(p.first_day, p.last_day)
    return t(KIND_TITLES[p.kind], team=title, start=start, end=end)


def render_summary(t: Translator, s: maths.Summary, *, title: str, by_rep: bool = False) -> tuple[str, str]:
    """(heading, full text). The heading fits a photo caption; the text (at most a message long)
    may need its own message. `by_rep`: conversion and speed per rep (a manager's private /funnel)."""
    head = heading(t, s, title=title)
    c, prev = s.current, s.previous
    lines = [head, t("▲ up, ▼ down, against the period before"), "", t("<b>Records now</b>")]
    for stage in (*maths.FUNNEL, Stage.LOST):
        now_n, before = s.stages.get(stage, 0), s.stages_before.get(stage, 0)
        lines.append(t("{stage}: {value}", stage=stage_name(t, stage), value=_compare(t, now_n, before)))
    lines += ["", t("<b>In the period</b>")]
    lines.append(t("New records: {value}", value=_compare(t, c.new, prev.new)))
    lines.append(t("Moves between stages: {value}", value=_compare(t, c.moved, prev.moved)))
    for a, b in maths.CONVERSIONS:
        rate, before_rate = c.rate(a, b), prev.rate(a, b)
        shown = t.percent(rate) if before_rate is None or rate is None else _compare(t, rate, before_rate, t.percent)
        lines.append(t("{a} → {b}: {rate}", a=stage_name(t, a), b=stage_name(t, b), rate=shown))
    lines.append(t("Won: {value}, worth {money}", value=_compare(t, c.won, prev.won), money=money_of(t, c.won_value)))
    lost = t("Lost: {value}", value=_compare(t, c.lost, prev.lost))
    if c.lost_reasons:
        reasons = t.join(t("{reason} ({n})", reason=lost_reason_name(t, r), n=n) for r, n in c.lost_reasons)
        lost += t("; most often: {reasons}", reasons=reasons)
    lines.append(lost)
    if c.avg_days:
        days = " · ".join(
            t("{stage} {days}", stage=stage_name(t, st), days=t.number(c.avg_days[st], "0.0"))
            for st in maths.FUNNEL
            if st in c.avg_days
        )
        lines.append(t("Average days in a stage before leaving it: {days}", days=days))
    lines += by_source_lines(t, s.sources, s.sources_before)
    lines += events_lines(t, s.events)
    lines += ["", t("<b>Pipeline now</b>")]
    if s.weighted:
        for currency, value in sorted(s.weighted.items()):
            arrow = ARROWS.get(maths.trend(value, s.weighted_before(currency)), "")
            lines.append(t("Weighted pipeline: {money} {arrow}", money=t.money(value, currency), arrow=arrow).rstrip())
    else:
        lines.append(t("Weighted pipeline: {money}", money=t.number(0)))
    lines.append(t("Stalled records: {value}", value=_compare(t, s.stalled, s.stalled_before())))
    lines.append(t("Parked records due this week: {n}", n=s.parked_due))
    if s.forecast is not None:
        lines += forecast_lines(t, s.forecast)
    reps = sorted(c.per_rep.items(), key=lambda kv: (-(kv[1].new + kv[1].advanced + kv[1].won), kv[0]))
    if reps:
        lines += ["", t("<b>Per rep</b> (new · advanced · won)")]
        for member_id, row in reps[:TOP_REPS]:
            name = s.rep_names.get(member_id, "–")
            lines.append(
                t("{name}: {new} · {advanced} · {won}", name=name, new=row.new, advanced=row.advanced, won=row.won)
            )
    if by_rep:
        lines += by_rep_lines(t, s)
    return head, fit("\n".join(lines))


def _days(t: Translator, value: float | None) -> str:
    return "–" if value is None else t.number(value, "0.0")


def by_rep_lines(t: Translator, s: maths.Summary) -> list[str]:
    """Conversion at each step and days in a stage, the team's first, then each rep who moved records."""
    steps = " · ".join(f"{stage_name(t, a)} → {stage_name(t, b)}" for a, b in maths.CONVERSIONS)
    lines = ["", t("<b>Conversion by rep</b> ({steps} · days in a stage)", steps=steps)]

    def row(name: str, rates: list[float | None], days: float | None) -> str:
        return t("{name}: {figures}", name=name, figures=" · ".join([*(t.percent(r) for r in rates), _days(t, days)]))

    c = s.current
    lines.append(row(t("Team"), [c.rate(a, b) for a, b in maths.CONVERSIONS], c.team_days))
    reps = sorted((r for r in c.per_rep.items() if r[1].moves), key=lambda kv: (-sum(kv[1].moves.values()), kv[0]))
    for member_id, rep in reps[:TOP_REPS]:
        name = s.rep_names.get(member_id, "–")
        lines.append(row(name, [rep.rate(a, b) for a, b in maths.CONVERSIONS], rep.avg_days))
    return lines


def source_name(t: Translator, source: str) -> str:
    try:
        return t(SOURCE_LABELS[LeadSource(source)])
    except ValueError:
        return t(SOURCE_LABELS[LeadSource.OTHER])


def by_source_lines(
    t: Translator, rows: list[source_maths.SourceRow], before: dict[str, source_maths.SourceRow]
) -> list[str]:
    """Where the period's new records came from and how far they have got: a line per source."""
    lines = ["", t("<b>By source</b> (the period's new records: qualified · to opportunity · won)")]
    if not rows:
        return [*lines, t("No new records in the period.")]
    for row in rows:
        previous = before.get(row.source)
        line = t(
            "{source}: {new} new · {qualified} · {opportunity} · {won}",
            source=source_name(t, row.source),
            new=_compare(t, row.new, previous.new if previous else None),
            qualified=t.percent(row.qualified_share),
            opportunity=t.percent(row.opportunity_share),
            won=t.percent(row.won_share),
        )
        extras = []
        if row.won_value:
            extras.append(t("worth {money}", money=money_of(t, row.won_value)))
        if row.avg_score is not None:
            extras.append(t("score {score}", score=round(row.avg_score)))
        if row.avg_days_to_won is not None:
            extras.append(t("{days} days to won", days=t.number(row.avg_days_to_won, "0.0")))
        if row.lost:
            extras.append(t("lost {n}, mostly {reason}", n=row.lost, reason=lost_reason_name(t, row.top_reason)))
        lines.append(t.clauses([line, t.join(extras)]) if extras else line)
    return lines


def event_line(t: Translator, event: source_maths.EventRow) -> str:
    """An event's cards, the share qualified, opportunities, deals won and their value; its cost
    and the cost per won deal when it has one."""
    f = event.figures
    line = t(
        "<b>{name}</b>: {cards} · {qualified} · {opportunities} · {won}",
        name=event.name,
        cards=f.new,
        qualified=t.percent(f.qualified_share),
        opportunities=f.opportunity,
        won=f.won,
    )
    extras = []
    if f.won_value:
        extras.append(t("worth {money}", money=money_of(t, f.won_value)))
    if event.cost is not None:
        cost = t.money(*event.cost)
        per = event.cost_per_won
        if per is not None:
            extras.append(t("cost {cost}, {per} per won deal", cost=cost, per=t.money(*per)))
        else:
            extras.append(t("cost {cost}", cost=cost))
    return t.clauses([line, t.join(extras)]) if extras else line


def events_lines(t: Translator, events: list[source_maths.EventRow]) -> list[str]:
    """The month's (or quarter's) cards by event, in the summary."""
    if not events:
        return []
    return ["", t("<b>Events</b> (the period's cards · qualified · opportunities · won)")] + [
        event_line(t, event) for event in events[:TOP_REPS]
    ]


def forecast_lines(t: Translator, f: source_maths.Forecast) -> list[str]:
    """Open opportunities by expected close month: count, amount, weighted amount per currency."""
    lines = ["", t("<b>Forecast</b> (open opportunities by expected close)")]
    for month in f.months:
        lines.append(
            t(
                "{month}: {n}, {amount}, weighted {weighted}",
                month=t.month(month.month),
                n=month.count,
                amount=money_of(t, month.amount),
                weighted=money_of(t, month.weighted),
            )
        )
    if f.overdue:
        lines.append(t("Past their expected close: {n}", n=f.overdue))
    if f.undated:
        lines.append(t("Without an expected close: {n}", n=f.undated))
    return lines


def chart_of(t: Translator, s: maths.Summary, title: str) -> charts.FunnelChart:
    """What the funnel picture shows: a bar per stage and the share that moved on from it."""
    notes = [""] * len(maths.FUNNEL)
    for a, b in maths.CONVERSIONS:
        rate = s.current.rate(a, b)
        if rate is not None:
            notes[maths.FUNNEL.index(a)] = t("→ {rate} moved on", rate=t.percent(rate))
    return charts.FunnelChart(
        # No markup and no emoji (the chart font has none).
        title="".join(ch for ch in re.sub(r"<[^>]+>", "", title) if ord(ch) <= 0xFFFF).strip(),
        labels=[stage_name(t, st) for st in maths.FUNNEL],
        counts=[s.stages.get(st, 0) for st in maths.FUNNEL],
        notes=notes,
        sources_title=t("New records by source") if s.sources else "",
        number=t.number,
        sources=[
            (
                source_name(t, row.source),
                row.new,
                t(
                    "qualified {qualified} · won {won}",
                    qualified=t.percent(row.qualified_share),
                    won=t.percent(row.won_share),
                ),
            )
            for row in s.sources
        ],
    )


def summary_not_delivered(t: Translator, group: str, *, switched_off: bool, topic_closed: bool = False) -> str:
    """Told in private to a team's managers when a group summary could not be posted (or its forum
    topic was closed)."""
    if topic_closed:
        return t(
            "The topic of the group {group} that got the funnel summaries was closed, so they are switched "
            "off. Send /subscribe in an open topic there to resume.",
            group=group,
        )
    if switched_off:
        return t(
            "I could not post the summary in the group {group}: I am no longer in it or may not write there. "
            "Its summaries are switched off; add me again and send /subscribe there to resume.",
            group=group,
        )
    return t(
        "I could not post the summary in the group {group} this time (Telegram refused it). "
        "I will try again next period.",
        group=group,
    )
