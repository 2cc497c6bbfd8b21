"""The process's deadlines worked out from the stored JSON of the log alone: none of the
service's code, only the rules as the guidance and domain.md A7 state them, with working
days from the `holidays` package and months from `dateutil`.

Every topic that opens or meets a deadline has a rule here, meetings included, so the same
check covers the meetings, minutes and actions as soon as a log holds them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

LONDON = ZoneInfo("Europe/London")
Key = tuple[UUID, str, int]


@dataclass(frozen=True)
class Due:
    referral_id: UUID
    code: str
    agency_id: str | None
    role: str | None
    anchor_on: date
    due_on: date
    met_on: date | None = None
    suspended: bool = False

    def status(self, day: date) -> str:
        if self.met_on is not None and self.met_on <= day:
            return "met" if self.met_on <= self.due_on else "late"
        if self.suspended:
            return "suspended"
        return "overdue" if self.due_on < day else "open"


def working_days_after(day: date, count: int) -> date:
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(day.year, day.year + 2))
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in bank:
            count -= 1
    return day


def uk(moment: str) -> date:
    return datetime.fromisoformat(moment).astimezone(LONDON).date()


@dataclass
class Oracle:
    minutes: int = 5
    feedback: int = 5
    due: dict[Key, Due] = field(default_factory=dict)
    mash: dict[UUID, tuple[str | None, str]] = field(default_factory=dict)
    meetings: dict[tuple[UUID, int], date] = field(default_factory=dict)
    convened: dict[UUID, str] = field(default_factory=dict)
    signatures: Counter[UUID] = field(default_factory=Counter)
    reviews: Counter[UUID] = field(default_factory=Counter)
    held: set[UUID] = field(default_factory=set)

    def open(self, key: Key, by: tuple[str | None, str | None], anchor: date, due: date) -> None:
        suspended = key[1] == "section-8-deletion-or-return" and key[0] in self.held
        self.due[key] = Due(key[0], key[1], by[0], by[1], anchor, due, suspended=suspended)

    def meet(self, key: Key, on: date) -> None:
        if key in self.due and self.due[key].met_on is None:
            self.due[key] = replace(self.due[key], met_on=on)

    def unmet(self, referral: UUID, code: str) -> list[Key]:
        return [k for k, d in self.due.items() if k[:2] == (referral, code) and d.met_on is None]


def actor(state: dict[str, Any], role: str | None = None) -> tuple[str | None, str]:
    audit = state["audit"]
    return audit.get("actor_agency_id"), role or audit["actor_role"]


def recorded(state: dict[str, Any]) -> date:
    return uk(state["audit"]["occurred_at"])


Rule = Callable[[Oracle, UUID, dict[str, Any]], None]
RULES: dict[str, Rule] = {}


def on(name: str) -> Callable[[Rule], Rule]:
    def register(rule: Rule) -> Rule:
        RULES[f"vtr.referral.{name}"] = rule
        return rule

    return register


@on("ReferralScreenedIn")
@on("ReferralScreenedOut")
def _screened(o: Oracle, ref: UUID, s: dict[str, Any]) -> None:
    o.mash[ref] = actor(s)


@on("MashDecisionSigned")
def _signed(o: Oracle, ref: UUID, s: dict[str, Any]) -> None:
    o.signatures[ref] += 1
    if o.signatures[ref] == 2:
        day = recorded(s)
        by = o.mash.get(ref, actor(s, "mash_triage"))
        o.open(
            (ref, "referrer-feedback-after-decision", 0),
            by,
            day,
            working_days_after(day, o.feedback),
        )


@on("ReferrerNotified")
def _notified(o: Oracle, ref: UUID, s: dict[str, Any]) -> None:
    after = s["feedback_point"] == "strategy_discussion"
    code = "referrer-feedback-after-decision" if after else "referrer-feedback-at-conclusion"
    o.meet((ref, code, 0), uk(s["notified_at"]))


@on("StrategyMeetingConvened")
def _convened(o: Oracle, ref: UUID, s: dict[str, Any]) -> None:
    o.convened[ref] = s["meeting_at"]


@on("StrategyMeetingConcluded")
def _meeting_concluded(o: Oracle, ref: UUID, s: dict[str, Any]) -> None:
    if s["review_on"] is not None:
        # The day the meeting sat; an outcome typed before its time, the day it was typed.
        at = s["audit"]["occurred_at"]
        meeting_at = o.convened.get(ref, at)
        sat = min(datetime.fromisoformat(meeting_at), datetime.fromisoformat(at))
        _review_agreed(o, ref, s, sat.astimezone(LONDON).date(), s["review_on"])


@on("ReviewHeld")
def _review_held(o: Oracle, ref: UUID, s: dict[str, Any]) -> None:
    held_on = date.fromisoformat(s["held_on"])
    o.meet((ref, "review-held", o.reviews[ref]), held_on)
    if s["next_review_on"] is not None:
        _review_agreed(o, ref, s, held_on, s["next_review_on"])


def _review_agreed(o: Oracle, ref: UUID, s: dict[str, Any], anchor: date, agreed: str) -> None:
    o.reviews[ref] += 1
    o.open((ref, "review-held", o.reviews[ref]), actor(s), anchor, date.fromisoformat(agreed))


@on("ProcessConcluded")
@on("ReferredToAlternativeSupport")
def _exited(o: Oracle, ref: UUID, s: dict[str, Any]) -> None:
    day = date.fromisoformat(s.get("concluded_on") or s["referred_on"])
    by = o.mash.get(ref, actor(s, "mash_triage"))
    o.open(
        (ref, "referrer-feedback-at-conclusion", 0), by, day, working_days_after(day, o.feedback)
    )
    chair = actor(s, "meeting_chair")
    o.open((ref, "post-exit-review-6-months", 0), chair, day, day + relativedelta(months=6))
    o.open((ref, "post-exit-review-12-months", 0), chair, day, day + relativedelta(months=12))


@on("PostExitReviewRecorded")
def _post_exit_reviewed(o: Oracle, ref: UUID, s: dict[str, Any]) -> None:
    months = 6 if s["review_point"] == "six_months" else 12
    o.meet((ref, f"post-exit-review-{months}-months", 0), date.fromisoformat(s["reviewed_on"]))


@on("MeetingScheduled")
def _scheduled(o: Oracle, ref: UUID, s: dict[str, Any]) -> None:
    day, number = uk(s["held_at"]), s["meeting_no"]
    o.meetings[ref, number] = day
    o.open((ref, "action-points-circulated", number), actor(s), day, working_days_after(day, 1))
    minutes_due = working_days_after(day, o.minutes)
    o.open((ref, "minutes-circulated", number), actor(s), day, minutes_due)


@on("MeetingAttendanceRecorded")
def _attended(o: Oracle, ref: UUID, s: dict[str, Any]) -> None:
    day, number = date.fromisoformat(s["held_on"]), s["meeting_no"]
    o.meetings[ref, number] = day
    for code, days in (("action-points-circulated", 1), ("minutes-circulated", o.minutes)):
        if (ref, code, number) in o.due:
            due = replace(o.due[ref, code, number], anchor_on=day)
            o.due[ref, code, number] = replace(due, due_on=working_days_after(day, days))


@on("MinutesCirculated")
def _circulated(o: Oracle, ref: UUID, s: dict[str, Any]) -> None:
    for code in ("action-points-circulated", "minutes-circulated"):
        o.meet((ref, code, s["meeting_no"]), uk(s["circulated_at"]))


@on("ActionAgreed")
def _agreed(o: Oracle, ref: UUID, s: dict[str, Any]) -> None:
    anchor = o.meetings.get((ref, s["meeting_no"]), recorded(s))
    by = (s["lead_agency"]["agency_id"], None)
    o.open((ref, "action-done", s["action_no"]), by, anchor, date.fromisoformat(s["due_on"]))


@on("ActionCompleted")
@on("ActionDropped")
def _action_ended(o: Oracle, ref: UUID, s: dict[str, Any]) -> None:
    o.meet(
        (ref, "action-done", s["action_no"]),
        date.fromisoformat(s.get("done_on") or s["dropped_on"]),
    )


@on("DisposalObligationRaised")
def _raised(o: Oracle, ref: UUID, s: dict[str, Any]) -> None:
    key = (ref, "section-8-deletion-or-return", s["obligation_no"])
    by = (s["agency"]["agency_id"], None)
    o.open(key, by, date.fromisoformat(s["raised_on"]), date.fromisoformat(s["due_on"]))


@on("DisposalConfirmed")
def _confirmed(o: Oracle, ref: UUID, s: dict[str, Any]) -> None:
    if s["complete"]:
        key = (ref, "section-8-deletion-or-return", s["obligation_no"])
        o.meet(key, date.fromisoformat(s["disposed_on"]))


@on("LegalHoldPlaced")
def _hold(o: Oracle, ref: UUID, _s: dict[str, Any]) -> None:
    o.held.add(ref)
    for key in o.unmet(ref, "section-8-deletion-or-return"):
        o.due[key] = replace(o.due[key], suspended=True)


@on("LegalHoldLifted")
def _lifted(o: Oracle, ref: UUID, s: dict[str, Any]) -> None:
    o.held.discard(ref)
    for key in o.unmet(ref, "section-8-deletion-or-return"):
        due = replace(o.due[key], suspended=False)
        if s["obligations_due_on"] is not None:
            due = replace(due, due_on=date.fromisoformat(s["obligations_due_on"]))
        o.due[key] = due


def expected_deadlines(
    log: Iterable[tuple[UUID, str, dict[str, Any]]], minutes: int = 5, feedback: int = 5
) -> list[Due]:
    """Every deadline the log's events set: `log` is (referral, topic, stored JSON) in order."""
    oracle = Oracle(minutes, feedback)
    for referral_id, topic, state in log:
        if topic in RULES:
            RULES[topic](oracle, referral_id, state)
    return list(oracle.due.values())
