"""Section 8: "the secure deletion or return of the shared information once the agency/group is
no longer involved in the VTR process", and legal holds that keep records as they are."""

from __future__ import annotations

from datetime import UTC, date, datetime

from aggregates import rules
from aggregates.disposal import DisposalConfirmation, LegalHoldRelease
from events.conclusion import ProcessConcluded
from events.disposal import (
    AgencyInvolvementEnded,
    AgencyInvolvementEndProposed,
    DisposalConfirmed,
    DisposalObligationRaised,
    LegalHoldLifted,
    LegalHoldPlaced,
)
from events.vocabulary import DisposalMethod, InvolvementEndReason, LegalHoldGround, SharingContext
from tests.rules.actors import COMPLIANCE, INSPECTOR, MENTORS, SCHOOL, SCHOOL_LEAD, Actor, agency
from tests.rules.disclosures import shared, standing
from tests.rules.harness import Step, given, later, on, recorded
from tests.rules.histories import (
    AT_DISCUSSION,
    IN_SUPPORT,
    WORKING_DAYS,
    concluding_review,
    ending,
    involvement_ended,
    legal_hold_placed,
    process_concluded,
)

MONDAY_BEFORE_CHRISTMAS = datetime(2026, 12, 21, 10, tzinfo=UTC)
SHARED_WITH_SCHOOL = (*AT_DISCUSSION, shared(recipients=(standing(SCHOOL),)))
SCHOOL_NO_LONGER_INVOLVED = (
    *SHARED_WITH_SCHOOL,
    on(MONDAY_BEFORE_CHRISTMAS),
    involvement_ended(agency(SCHOOL)),
)


def confirmed(by: Actor, disposed_on: date = date(2026, 12, 22), obligation_no: int = 1) -> Step:
    return lambda case: case.referral.confirm_disposal(
        case.by(by),
        DisposalConfirmation(
            obligation_no=obligation_no,
            method=DisposalMethod.RETURNED,
            disposed_on=disposed_on,
            complete=True,
            note=None,
        ),
    )


LIFTED: Step = lambda case: case.referral.lift_legal_hold(  # noqa: E731
    case.by(COMPLIANCE), LegalHoldRelease(reason="settled"), working_days=WORKING_DAYS
)


def test_an_agency_no_longer_involved_must_delete_or_return_what_it_received() -> None:
    """Each agency is responsible "for the secure deletion or return of the shared information
    once the agency/group is no longer involved" (section 8): its end of involvement raises one
    obligation per disclosure it received, due in working days (England and Wales)."""
    given(*SHARED_WITH_SCHOOL, on(MONDAY_BEFORE_CHRISTMAS)).when(
        involvement_ended(agency(SCHOOL))
    ).then(
        recorded(AgencyInvolvementEnded, agency=agency(SCHOOL), ended_on=date(2026, 12, 21)),
        recorded(
            DisposalObligationRaised,
            obligation_no=1,
            disclosure_no=1,
            agency=agency(SCHOOL),
            working_days=WORKING_DAYS,
            due_on=date(2027, 1, 7),  # Christmas, Boxing Day (the 28th) and New Year skipped
        ),
    )


def test_only_an_involved_agency_ends_its_involvement_and_only_once() -> None:
    """Involvement ends for an agency that was involved (invited, or a recipient), once, on a
    day between the referral and today."""
    given(*SHARED_WITH_SCHOOL).when(involvement_ended(agency(MENTORS))).then_refused(
        rules.AGENCY_NOT_INVOLVED
    )
    given(*SCHOOL_NO_LONGER_INVOLVED).when(involvement_ended(agency(SCHOOL))).then_refused(
        rules.INVOLVEMENT_ALREADY_ENDED
    )
    given(*SHARED_WITH_SCHOOL).when(
        lambda case: case.referral.end_agency_involvement(
            case.by(INSPECTOR),
            ending(agency(SCHOOL), case.days_from_today(3)),
            agency=agency(SCHOOL),
            working_days=WORKING_DAYS,
        )
    ).then_invalid("ended_on")


def test_nothing_more_is_shared_with_an_agency_no_longer_involved() -> None:
    """Information is shared for the VTR process (section 8); an agency whose involvement has
    ended receives no more."""
    given(*SCHOOL_NO_LONGER_INVOLVED).when(
        shared(SharingContext.OUTSIDE_MEETING, recipients=(standing(SCHOOL),))
    ).then_refused(rules.RECIPIENT_NO_LONGER_INVOLVED)


def test_the_recipient_confirms_its_own_deletion_or_return_once() -> None:
    """ "Each agency/group is responsible for the secure recording and storage ... and for the
    secure deletion or return" (section 8): the recipient confirms, after its involvement
    ended, and a discharged obligation stays discharged."""
    ended = given(*SCHOOL_NO_LONGER_INVOLVED, later(days=1))
    ended.when(confirmed(INSPECTOR)).then_not_permitted(rules.RECIPIENT_CONFIRMS_DISPOSAL)
    ended.when(confirmed(SCHOOL_LEAD, disposed_on=date(2026, 12, 20))).then_invalid("disposed_on")
    ended.when(confirmed(SCHOOL_LEAD, obligation_no=2)).then_invalid("obligation_no")
    ended.when(confirmed(SCHOOL_LEAD)).then(
        recorded(DisposalConfirmed, obligation_no=1, complete=True, certified_by="dsl-1")
    )
    ended.and_then(confirmed(SCHOOL_LEAD)).when(confirmed(SCHOOL_LEAD)).then_refused(
        rules.OBLIGATION_ALREADY_DISCHARGED
    )


def test_a_legal_hold_keeps_the_records_and_lifting_it_restarts_the_clock() -> None:
    """While a legal hold is in force the case's records are kept as they are: no deletion or
    return; lifting it gives open obligations a new due date, in working days from then."""
    held = given(
        *SCHOOL_NO_LONGER_INVOLVED, on(datetime(2027, 1, 8, 9, tzinfo=UTC)), legal_hold_placed
    )
    held.when(confirmed(SCHOOL_LEAD, disposed_on=date(2027, 1, 8))).then_refused(
        rules.LEGAL_HOLD_IN_FORCE
    )
    held.when(legal_hold_placed).then_refused(rules.ONE_LEGAL_HOLD)
    held.when(LIFTED).then(
        recorded(LegalHoldLifted, hold_no=1, obligations_due_on=date(2027, 1, 22))
    )
    given(*SHARED_WITH_SCHOOL).when(LIFTED).then_refused(rules.NO_LEGAL_HOLD)
    given().when(legal_hold_placed).then(
        recorded(LegalHoldPlaced, hold_no=1, ground=LegalHoldGround.LITIGATION)
    )


def test_a_concluded_case_proposes_ending_each_recipients_involvement() -> None:
    """Once the process concludes (section 7) no agency remains involved "in the VTR process in
    respect of that individual" (section 8): the end of each recipient's involvement is
    proposed."""
    reviewed = (*IN_SUPPORT, shared(SharingContext.REVIEW, recipients=(standing(SCHOOL),)))
    given(*reviewed, later(days=35), concluding_review).when(process_concluded).then(
        recorded(ProcessConcluded),
        recorded(
            AgencyInvolvementEndProposed,
            agency=agency(SCHOOL),
            because=InvolvementEndReason.PROCESS_CONCLUDED,
        ),
    )
