"""Steps of the multi-agency meetings as section 6 runs them: scheduled with a chair and the
minute-taker the chair provides, attended (police at a strategy meeting of at least the
configured rank; agencies that must sign the ISP only with a signature valid that day),
minuted by the minute-taker, approved by the chair, circulated to the agencies that attended
(a disclosure, through the sharing step's own rules), corrected only by new versions; the
amendments to the basic information the approved minutes agree; and the action plan's
actions, each with a lead agency and an owner, followed to done or dropped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Self, cast, get_args
from uuid import UUID

from pydantic import AwareDatetime, Field, StrictBool, StrictInt, TypeAdapter, model_validator

from aggregates import rules
from aggregates.calendar import uk_date
from aggregates.errors import InvalidInstructionError, NotPermittedError
from aggregates.instructions import Instruction, StaffRef
from aggregates.referral_base import not_after, not_before
from aggregates.referral_state import ActionRecord, Meeting, MinutesVersion
from aggregates.sharing import CLOSED as CLOSED_STAGES
from aggregates.sharing import (
    AgencyStanding,
    Code,
    DisclosureParties,
    HandlingAdvice,
    InformationDisclosure,
    SharingSteps,
)
from events.base import AuditEnvelope
from events.forms import (
    AgencyRef,
    Line,
    Narrative,
    NeedToKnow,
    PublicInterestBalance,
    SharingJustification,
    SharingPrinciples,
    SubjectDetails,
)
from events.meetings import (
    AMENDABLE_FIELDS,
    ActionAgreed,
    ActionCompleted,
    ActionDropped,
    ActionProgressed,
    ActionsContinued,
    Attendance,
    BasicInformationAmended,
    FormCorrection,
    MeetingAttendanceRecorded,
    MeetingScheduled,
    MinutesApproved,
    MinutesCirculated,
    MinutesDrafted,
)
from events.vocabulary import (
    ActionStatus,
    AgencyType,
    MeetingKind,
    PoliceRank,
    ReferrerInvolvement,
    SharingContext,
)

MINUTES_CATEGORY = "meeting_minutes"
AmendableField = Literal["full_name", "other_names", "date_of_birth", "place_of_birth", "address"]
if get_args(AmendableField) != AMENDABLE_FIELDS:
    raise RuntimeError("the amendable fields are declared twice, differently")


class MeetingPlan(Instruction):
    """Schedule a meeting; whoever schedules it chairs it, and provides its minute-taker."""

    kind: MeetingKind
    held_at: AwareDatetime
    place: Line = Field(description="Where it is held; readable, so no personal data.")
    minute_taker: StaffRef


class Attendee(Instruction):
    attendee: StaffRef
    agency_id: UUID
    role: Line
    rank: PoliceRank | None = None


class MeetingAttendance(Instruction):
    """Who attended (each person by staff identifier, with agency, role and police rank), who
    sent apologies, and whether the referrer attended or was consulted."""

    meeting_no: StrictInt = Field(ge=1)
    attendees: tuple[Attendee, ...] = Field(min_length=1, max_length=40)
    apology_agency_ids: tuple[UUID, ...] = Field(default_factory=tuple, max_length=40)
    referrer: ReferrerInvolvement | None = None


class Correction(Instruction):
    """A correction of one subject field of the referral form agreed at the meeting."""

    field: AmendableField
    amended: Any

    @model_validator(mode="after")
    def _a_value_the_field_can_hold(self) -> Self:
        annotation = cast("Any", SubjectDetails.model_fields[self.field].annotation)
        adapter: TypeAdapter[Any] = TypeAdapter(annotation)
        try:
            adapter.validate_python(self.amended)
        except ValueError:
            raise InvalidInstructionError(
                "amended", f"Not a value the referral form's {self.field} can hold."
            ) from None
        return self


class MinutesDraft(Instruction):
    """A version of the minutes, drafted by the meeting's minute-taker: its text (sealed),
    the agreed actions it lists and the corrections to the basic information. A correction
    of circulated minutes is a new version naming the one it corrects."""

    meeting_no: StrictInt = Field(ge=1)
    drafted_on: date
    text: Narrative
    statement_recorded: StrictBool = Field(
        description="The minutes record the confidentiality statement read at the start."
    )
    agreed_action_nos: tuple[StrictInt, ...] = Field(default_factory=tuple, max_length=50)
    amendments: tuple[Correction, ...] = Field(
        default_factory=tuple, max_length=len(AMENDABLE_FIELDS)
    )
    corrects: StrictInt | None = Field(default=None, ge=1)


class MinutesApproval(Instruction):
    """The chair approves a version of the minutes; its amendments then change the record."""

    meeting_no: StrictInt = Field(ge=1)
    minutes_no: StrictInt = Field(ge=1)
    approved_on: date


class MinutesCirculation(Instruction):
    """Circulate approved minutes to the agencies that attended: a disclosure of them, on
    the legal bases given, with the section 3 principles answered (content stays in the
    minutes themselves)."""

    meeting_no: StrictInt = Field(ge=1)
    minutes_no: StrictInt = Field(ge=1)
    disclosing_agency_id: UUID
    legal_basis_ids: tuple[Code, ...] = Field(min_length=1, max_length=10)
    principles: SharingPrinciples
    justification: SharingJustification
    public_interest: PublicInterestBalance | None = None
    public_interest_reasoning: Narrative | None = None
    particularly_sensitive: StrictBool
    handling_advice: HandlingAdvice
    circulated_at: AwareDatetime | None = Field(
        default=None, description="When they were sent, if earlier than now."
    )


class ActionAgreement(Instruction):
    """An action of the support package agreed at a meeting: lead agency, owner, due date."""

    meeting_no: StrictInt = Field(ge=1)
    lead_agency_id: UUID
    owner: StaffRef
    due_on: date
    description: Narrative


class ActionProgress(Instruction):
    action_no: StrictInt = Field(ge=1)
    noted_on: date
    note: Narrative


class ActionCompletion(Instruction):
    action_no: StrictInt = Field(ge=1)
    done_on: date


class ActionDrop(Instruction):
    action_no: StrictInt = Field(ge=1)
    dropped_on: date
    reason: Narrative


class ActionsContinuation(Instruction):
    """A review meeting records which open actions of the plan continue."""

    meeting_no: StrictInt = Field(ge=1)
    action_nos: tuple[StrictInt, ...] = Field(min_length=1, max_length=50)


@dataclass(frozen=True)
class AttendingAgencies:
    """The attendees' agencies as the directory stood on the meeting day (handed in by the
    handler), and the police ranks that may attend a strategy meeting for the police."""

    standings: Mapping[UUID, AgencyStanding]
    apologies: Sequence[AgencyRef]
    police_ranks: frozenset[PoliceRank]


@dataclass(frozen=True)
class ApprovedCorrection:
    """A correction of the approved minutes with the value it replaces (read by the handler
    from the case's own sealed record)."""

    field: str
    previous: Any
    amended: Any


class MeetingSteps(SharingSteps):
    """Meetings, their minutes and the action plan (circulating minutes is a disclosure, so
    these steps build on the sharing steps)."""

    def schedule_meeting(self, audit: AuditEnvelope, plan: MeetingPlan) -> None:
        self._require(self.state.stage not in CLOSED_STAGES, rules.MEETING_WHILE_OPEN)
        self._record(
            MeetingScheduled(
                **self._header(audit),
                meeting_no=len(self.state.meetings) + 1,
                kind=plan.kind,
                held_at=plan.held_at,
                place=plan.place,
                chair=audit.actor_id,
                minute_taker=plan.minute_taker,
            )
        )

    def record_attendance(
        self, audit: AuditEnvelope, attendance: MeetingAttendance, *, agencies: AttendingAgencies
    ) -> None:
        meeting = self._meeting(attendance.meeting_no)
        self._require(not meeting.attended, rules.ATTENDANCE_RECORDED_ONCE)
        not_after(meeting.held_at, audit.occurred_at, "meeting_no", "now: it has not been held")
        attendees = tuple(
            Attendance(
                attendee=a.attendee,
                agency=agencies.standings[a.agency_id].ref,
                role=a.role,
                rank=a.rank,
            )
            for a in attendance.attendees
        )
        self._require(
            all(agencies.standings[a.agency_id].may_share for a in attendance.attendees),
            rules.ISP_SIGNATURE_REQUIRED,
        )
        if meeting.kind is MeetingKind.STRATEGY_MEETING:
            police = [a for a in attendees if a.agency.agency_type is AgencyType.POLICE]
            ranked = any(a.rank in agencies.police_ranks for a in police)
            self._require(ranked, rules.police_attendee_rank(sorted(agencies.police_ranks)))
        self._record(
            MeetingAttendanceRecorded(
                **self._header(audit),
                meeting_no=meeting.meeting_no,
                held_on=uk_date(meeting.held_at),
                attendees=attendees,
                apologies=tuple(agencies.apologies),
                referrer=attendance.referrer,
            )
        )

    def draft_minutes(self, audit: AuditEnvelope, draft: MinutesDraft) -> None:
        meeting = self._meeting(draft.meeting_no)
        if audit.actor_id != meeting.minute_taker:
            raise NotPermittedError(rules.MINUTE_TAKER_DRAFTS)
        self._require(meeting.attended, rules.ATTENDANCE_BEFORE_MINUTES)
        self._require(draft.statement_recorded, rules.STATEMENT_IN_MINUTES)
        not_before(draft.drafted_on, uk_date(meeting.held_at), "drafted_on", "the meeting")
        not_after(draft.drafted_on, uk_date(audit.occurred_at), "drafted_on", "today")
        if draft.corrects is not None:
            corrected = self._minutes(meeting, draft.corrects, "corrects")
            self._require(corrected.circulated, rules.CORRECTIONS_OF_CIRCULATED_MINUTES)
        known = {action.action_no for action in self.state.actions}
        unknown = [no for no in draft.agreed_action_nos if no not in known]
        if unknown:
            raise InvalidInstructionError("agreed_action_nos", f"No such actions: {unknown}.")
        self._record(
            MinutesDrafted(
                **self._header(audit),
                meeting_no=meeting.meeting_no,
                minutes_no=len(meeting.minutes) + 1,
                drafted_on=draft.drafted_on,
                corrects=draft.corrects,
                statement_recorded=draft.statement_recorded,
                agreed_action_nos=tuple(draft.agreed_action_nos),
                amended_fields=tuple(c.field for c in draft.amendments),
                text=draft.text,
                amendments=tuple(
                    FormCorrection(field=c.field, amended=c.amended) for c in draft.amendments
                ),
            )
        )

    def approve_minutes(
        self,
        audit: AuditEnvelope,
        approval: MinutesApproval,
        *,
        corrections: Sequence[ApprovedCorrection],
    ) -> None:
        """`corrections` are the version's amendments with the values they replace."""
        meeting = self._meeting(approval.meeting_no)
        if audit.actor_id != meeting.chair:
            raise NotPermittedError(rules.CHAIR_APPROVES_MINUTES)
        version = self._minutes(meeting, approval.minutes_no, "minutes_no")
        self._require(not version.approved, rules.MINUTES_APPROVED_ONCE)
        not_before(approval.approved_on, version.drafted_on, "approved_on", "their draft")
        not_after(approval.approved_on, uk_date(audit.occurred_at), "approved_on", "today")
        self._record(
            MinutesApproved(
                **self._header(audit),
                meeting_no=meeting.meeting_no,
                minutes_no=version.minutes_no,
                approved_on=approval.approved_on,
            )
        )
        for correction in corrections:
            self._record(
                BasicInformationAmended(
                    **self._header(audit),
                    meeting_no=meeting.meeting_no,
                    minutes_no=version.minutes_no,
                    field=correction.field,
                    previous=correction.previous,
                    amended=correction.amended,
                )
            )

    def circulate_minutes(
        self,
        audit: AuditEnvelope,
        circulation: MinutesCirculation,
        *,
        disclosing_agency: AgencyRef,
        recipients: Sequence[AgencyStanding],
    ) -> None:
        """`recipients` are the agencies that attended, as the directory stands today."""
        meeting = self._meeting(circulation.meeting_no)
        version = self._minutes(meeting, circulation.minutes_no, "minutes_no")
        self._require(version.approved, rules.MINUTES_APPROVED_BEFORE_CIRCULATION)
        self._require(not version.circulated, rules.MINUTES_CIRCULATED_ONCE)
        to = [r for r in recipients if r.ref.agency_id != disclosing_agency.agency_id]
        self._require(bool(to), rules.MINUTES_NEED_A_RECIPIENT)
        circulated_at = circulation.circulated_at or audit.occurred_at
        self.disclose(
            audit,
            _as_disclosure(circulation, meeting, version, to, circulated_at),
            parties=DisclosureParties(circulated_at, disclosing_agency, to),
        )
        self._record(
            MinutesCirculated(
                **self._header(audit),
                meeting_no=meeting.meeting_no,
                minutes_no=version.minutes_no,
                disclosure_no=len(self.state.disclosures),
                circulated_at=circulated_at,
                recipients=tuple(r.ref for r in to),
            )
        )

    def agree_action(
        self, audit: AuditEnvelope, agreement: ActionAgreement, *, lead_agency: AgencyRef
    ) -> None:
        meeting = self._meeting(agreement.meeting_no)
        self._require(meeting.attended, rules.ATTENDANCE_BEFORE_MINUTES)
        not_before(agreement.due_on, uk_date(meeting.held_at), "due_on", "the meeting")
        self._record(
            ActionAgreed(
                **self._header(audit),
                action_no=len(self.state.actions) + 1,
                meeting_no=meeting.meeting_no,
                lead_agency=lead_agency,
                owner=agreement.owner,
                due_on=agreement.due_on,
                description=agreement.description,
            )
        )

    def note_action_progress(self, audit: AuditEnvelope, progress: ActionProgress) -> None:
        action = self._open_action(progress.action_no)
        self._check_action_day(progress.noted_on, action, audit, "noted_on")
        self._record(
            ActionProgressed(
                **self._header(audit),
                action_no=action.action_no,
                noted_on=progress.noted_on,
                note=progress.note,
            )
        )

    def complete_action(self, audit: AuditEnvelope, completion: ActionCompletion) -> None:
        action = self._open_action(completion.action_no)
        self._check_action_day(completion.done_on, action, audit, "done_on")
        self._record(
            ActionCompleted(
                **self._header(audit), action_no=action.action_no, done_on=completion.done_on
            )
        )

    def drop_action(self, audit: AuditEnvelope, drop: ActionDrop) -> None:
        action = self._open_action(drop.action_no)
        self._check_action_day(drop.dropped_on, action, audit, "dropped_on")
        self._record(
            ActionDropped(
                **self._header(audit),
                action_no=action.action_no,
                dropped_on=drop.dropped_on,
                reason=drop.reason,
            )
        )

    def continue_actions(self, audit: AuditEnvelope, continuation: ActionsContinuation) -> None:
        meeting = self._meeting(continuation.meeting_no)
        self._require(meeting.kind is MeetingKind.REVIEW, rules.ACTIONS_CONTINUE_AT_A_REVIEW)
        self._require(meeting.attended, rules.ATTENDANCE_BEFORE_MINUTES)
        for action_no in dict.fromkeys(continuation.action_nos):
            self._open_action(action_no)
        self._record(
            ActionsContinued(
                **self._header(audit),
                meeting_no=meeting.meeting_no,
                action_nos=tuple(dict.fromkeys(continuation.action_nos)),
            )
        )

    def meeting(self, meeting_no: int) -> Meeting:
        """The meeting of that number; an unknown one is an invalid `meeting_no`."""
        return self._meeting(meeting_no)

    def _meeting(self, meeting_no: int) -> Meeting:
        for meeting in self.state.meetings:
            if meeting.meeting_no == meeting_no:
                return meeting
        raise InvalidInstructionError("meeting_no", f"There is no meeting {meeting_no}.")

    @staticmethod
    def _minutes(meeting: Meeting, minutes_no: int, field: str) -> MinutesVersion:
        for version in meeting.minutes:
            if version.minutes_no == minutes_no:
                return version
        raise InvalidInstructionError(
            field, f"Meeting {meeting.meeting_no} has no minutes {minutes_no}."
        )

    def _open_action(self, action_no: int) -> ActionRecord:
        for action in self.state.actions:
            if action.action_no == action_no:
                self._require(action.status is ActionStatus.OPEN, rules.ACTION_OPEN)
                return action
        raise InvalidInstructionError("action_no", f"There is no action {action_no}.")

    def _check_action_day(
        self, day: date, action: ActionRecord, audit: AuditEnvelope, field: str
    ) -> None:
        not_before(day, action.agreed_on, field, "the meeting that agreed the action")
        not_after(day, uk_date(audit.occurred_at), field, "today")


def _as_disclosure(
    circulation: MinutesCirculation,
    meeting: Meeting,
    version: MinutesVersion,
    recipients: Sequence[AgencyStanding],
    circulated_at: datetime,
) -> InformationDisclosure:
    """The circulation as the sharing step decides on a disclosure: to the agencies that
    attended, each needing the minutes of a meeting it took part in."""
    return InformationDisclosure(
        context=SharingContext.OUTSIDE_MEETING,
        disclosing_agency_id=circulation.disclosing_agency_id,
        recipient_agency_ids=tuple(r.ref.agency_id for r in recipients),
        information_category=MINUTES_CATEGORY,
        content=f"Minutes of meeting {meeting.meeting_no} ({meeting.kind}), version "
        f"{version.minutes_no}: the text is in the minutes themselves.",
        legal_basis_ids=circulation.legal_basis_ids,
        principles=circulation.principles,
        justification=circulation.justification,
        need_to_know=tuple(
            NeedToKnow(
                agency_id=r.ref.agency_id,
                needs_to_know=True,
                rationale="Attended the meeting these minutes record (section 6).",
            )
            for r in recipients
        ),
        public_interest=circulation.public_interest,
        public_interest_reasoning=circulation.public_interest_reasoning,
        particularly_sensitive=circulation.particularly_sensitive,
        handling_advice=circulation.handling_advice,
        disclosed_at=circulated_at,
    )
