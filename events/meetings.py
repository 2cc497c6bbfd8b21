"""Events of the multi-agency meetings as section 6 runs them: scheduled with a chair and a
minute-taker, attended, minuted (drafted, approved, circulated, corrected by new versions),
with the amendments to the basic information they agreed, and the action plan's actions
followed to done or dropped."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime

from events.base import DomainEvent
from events.forms import AgencyRef, ValueObject
from events.personal import SubjectData
from events.vocabulary import MeetingKind, PoliceRank, ReferrerInvolvement


class Attendance(ValueObject):
    """One person at a meeting: a staff identifier (never a name), their agency, role, rank."""

    attendee: str
    agency: AgencyRef
    role: str
    rank: PoliceRank | None = None


class MeetingScheduled(DomainEvent):
    """A meeting is set: when and where, who chairs it and the minute-taker the chair provides."""

    TOPIC = "vtr.referral.MeetingScheduled"
    EFFECTIVE = "held_at"

    meeting_no: int
    kind: MeetingKind
    held_at: AwareDatetime
    place: str
    chair: str
    minute_taker: str


class MeetingAttendanceRecorded(DomainEvent):
    """Who attended, who sent apologies, and whether the referrer attended or was consulted."""

    TOPIC = "vtr.referral.MeetingAttendanceRecorded"
    EFFECTIVE = "held_on"

    meeting_no: int
    held_on: date
    attendees: tuple[Attendance, ...]
    apologies: tuple[AgencyRef, ...]
    referrer: ReferrerInvolvement | None


# The fields of the referral form's subject a meeting may correct (the basic information).
AMENDABLE_FIELDS = ("full_name", "other_names", "date_of_birth", "place_of_birth", "address")


class FormCorrection(ValueObject):
    """A correction of one subject field of the referral form, as the minutes record it."""

    field: str
    amended: object


class MinutesDrafted(DomainEvent):
    """A version of the minutes, drafted by the minute-taker. A correction after circulation
    is a new version that names the one it corrects; nothing is edited."""

    TOPIC = "vtr.referral.MinutesDrafted"
    EFFECTIVE = "drafted_on"

    meeting_no: int
    minutes_no: int
    drafted_on: date
    corrects: int | None
    statement_recorded: bool
    agreed_action_nos: tuple[int, ...]
    amended_fields: tuple[str, ...]
    text: SubjectData[str]
    amendments: SubjectData[tuple[FormCorrection, ...]]


class MinutesApproved(DomainEvent):
    TOPIC = "vtr.referral.MinutesApproved"
    EFFECTIVE = "approved_on"

    meeting_no: int
    minutes_no: int
    approved_on: date


class MinutesCirculated(DomainEvent):
    """Approved minutes went to the agencies that attended: a disclosure of them (its number
    names the `InformationDisclosed` recorded with it, which the registers and section 8
    follow like any other)."""

    TOPIC = "vtr.referral.MinutesCirculated"
    EFFECTIVE = "circulated_at"

    meeting_no: int
    minutes_no: int
    disclosure_no: int
    circulated_at: AwareDatetime
    recipients: tuple[AgencyRef, ...]


class BasicInformationAmended(DomainEvent):
    """A subject field of the referral form corrected, as the approved minutes of a meeting
    agreed: where the correction came from, and the value before and after (both sealed)."""

    TOPIC = "vtr.referral.BasicInformationAmended"

    meeting_no: int
    minutes_no: int
    field: str
    previous: SubjectData[object]
    amended: SubjectData[object]


class ActionAgreed(DomainEvent):
    """An action of the support package: its lead agency, owner and due date."""

    TOPIC = "vtr.referral.ActionAgreed"

    action_no: int
    meeting_no: int
    lead_agency: AgencyRef
    owner: str
    due_on: date
    description: SubjectData[str]


class ActionProgressed(DomainEvent):
    TOPIC = "vtr.referral.ActionProgressed"
    EFFECTIVE = "noted_on"

    action_no: int
    noted_on: date
    note: SubjectData[str]


class ActionCompleted(DomainEvent):
    TOPIC = "vtr.referral.ActionCompleted"
    EFFECTIVE = "done_on"

    action_no: int
    done_on: date


class ActionDropped(DomainEvent):
    TOPIC = "vtr.referral.ActionDropped"
    EFFECTIVE = "dropped_on"

    action_no: int
    dropped_on: date
    reason: SubjectData[str]


class ActionsContinued(DomainEvent):
    """A review meeting looked at the plan and recorded which actions continue."""

    TOPIC = "vtr.referral.ActionsContinued"

    meeting_no: int
    action_nos: tuple[int, ...]


MEETING_EVENTS: tuple[type[DomainEvent], ...] = (
    MeetingScheduled,
    MeetingAttendanceRecorded,
    MinutesDrafted,
    MinutesApproved,
    MinutesCirculated,
    BasicInformationAmended,
    ActionAgreed,
    ActionProgressed,
    ActionCompleted,
    ActionDropped,
    ActionsContinued,
)
