"""Erasure by key destruction and retention review: compliance officers' steps on a case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from aggregates import rules
from aggregates.erasure import (
    ErasureApplication,
    ErasureApproval,
    ErasureExecution,
    RetentionReviewReport,
)
from aggregates.intake import ScreeningIn, ScreeningOut
from events.erasure import ErasureApproved, ErasureExecuted, ErasureRequested, RetentionReviewed
from events.intake import ReferralScreenedIn, SecurityChecksRecorded
from events.personal import KeyGroup
from events.vocabulary import (
    ErasureGround,
    RecordClass,
    RetentionDecision,
    ScreeningOutReason,
)
from tests.rules.actors import COMPLIANCE, SCHOOL, SECOND_COMPLIANCE, TRIAGE, Actor, agency
from tests.rules.disclosures import shared, standing
from tests.rules.harness import Step, given, later, recorded
from tests.rules.histories import (
    AT_DISCUSSION,
    erasure_approved,
    erasure_executed,
    erasure_requested,
    legal_hold_placed,
    security_checked,
)

REQUESTED = (erasure_requested,)
APPROVED = (erasure_requested, erasure_approved)
EXECUTED = (*APPROVED, erasure_executed)
SCREENED_OUT = (
    security_checked,
    lambda case: case.referral.screen_out(
        case.by(TRIAGE), ScreeningOut(reasons=[ScreeningOutReason.MALICIOUS], other_reason=None)
    ),
)


def request(by: Actor, *groups: KeyGroup) -> Step:
    return lambda case: case.referral.request_erasure(
        case.by(by),
        ErasureApplication(
            key_groups=list(groups), ground=ErasureGround.NO_LONGER_NECESSARY, reason="reason"
        ),
    )


def unchecked_request(*groups: KeyGroup) -> Step:
    """A request whose instruction was never validated (as no caller of the ledger can make)."""
    unchecked = ErasureApplication.model_construct(
        key_groups=list(groups), ground=ErasureGround.NO_LONGER_NECESSARY, reason="reason"
    )
    return lambda case: case.referral.request_erasure(case.by(COMPLIANCE), unchecked)


def approve(by: Actor, request_no: int = 1) -> Step:
    return lambda case: case.referral.approve_erasure(
        case.by(by), ErasureApproval(request_no=request_no)
    )


def execute(by: Actor) -> Step:
    return lambda case: case.referral.execute_erasure(
        case.by(by), ErasureExecution(request_no=1), key_ids={KeyGroup.SUBJECT: "key-1"}
    )


def review(decision: RetentionDecision, next_in: int | None, by: Actor = COMPLIANCE) -> Step:
    return lambda case: case.referral.review_retention(
        case.by(by),
        RetentionReviewReport(
            reviewed_on=case.today,
            decision=decision,
            next_review_on=case.days_from_today(next_in) if next_in is not None else None,
            reason="schedule",
        ),
    )


def test_only_compliance_officers_erase() -> None:
    """Erasure and retention decisions are made by compliance officers, whatever route the
    instruction came by."""
    given().when(request(TRIAGE, KeyGroup.SUBJECT)).then_not_permitted(
        rules.COMPLIANCE_OFFICER_ONLY
    )
    given(*REQUESTED).when(approve(TRIAGE)).then_not_permitted(rules.COMPLIANCE_OFFICER_ONLY)
    given(*APPROVED).when(execute(TRIAGE)).then_not_permitted(rules.COMPLIANCE_OFFICER_ONLY)


def test_an_erasure_is_requested_approved_by_a_second_person_then_executed() -> None:
    """An erasure is requested by one compliance officer, approved by another, then executed:
    the executed event names the destroyed keys and the recipients to tell."""
    given().when(request(COMPLIANCE, KeyGroup.SUBJECT)).then(
        recorded(ErasureRequested, request_no=1, key_groups=(KeyGroup.SUBJECT,))
    )
    given(*REQUESTED).when(approve(COMPLIANCE)).then_refused(rules.SECOND_PERSON_APPROVES)
    given(*REQUESTED).when(execute(COMPLIANCE)).then_refused(rules.ERASURE_NOT_APPROVED)
    given(*REQUESTED).when(approve(SECOND_COMPLIANCE)).then(recorded(ErasureApproved, request_no=1))
    shared_with_school = (*AT_DISCUSSION, shared(recipients=(standing(SCHOOL),)), *APPROVED)
    given(*shared_with_school).when(execute(COMPLIANCE)).then(
        recorded(
            ErasureExecuted,
            key_groups=(KeyGroup.SUBJECT,),
            key_ids=("key-1",),
            requested_by="co-1",
            approved_by="co-2",
            recipients_to_notify=(agency(SCHOOL),),
        )
    )


def test_one_request_at_a_time_and_each_step_once() -> None:
    """A request is approved once and executed once; another waits until it is executed, and
    names something not yet erased."""
    given(*REQUESTED).when(request(SECOND_COMPLIANCE, KeyGroup.REFERRER)).then_refused(
        rules.ERASURE_REQUEST_OPEN
    )
    given(*APPROVED).when(approve(SECOND_COMPLIANCE)).then_refused(rules.ERASURE_ALREADY_APPROVED)
    given(*EXECUTED).when(execute(COMPLIANCE)).then_refused(rules.ERASURE_ALREADY_EXECUTED)
    given(*EXECUTED).when(approve(SECOND_COMPLIANCE)).then_refused(rules.ERASURE_ALREADY_EXECUTED)
    given(*EXECUTED).when(request(COMPLIANCE, KeyGroup.SUBJECT)).then_refused(
        rules.NOTHING_LEFT_TO_ERASE
    )
    given(*EXECUTED).when(request(COMPLIANCE, KeyGroup.SUBJECT, KeyGroup.REFERRER)).then(
        recorded(ErasureRequested, request_no=2, key_groups=(KeyGroup.REFERRER,))
    )


def test_a_request_names_erasable_groups_of_this_case() -> None:
    """The controller's own reasoning is not erasable, and a request names at least one group;
    approval names a request of this case. The request's instruction refuses them itself, and
    the step refuses them again should an instruction arrive unchecked."""
    for groups in ([KeyGroup.CONTROLLER], [], [KeyGroup.SUBJECT, KeyGroup.SUBJECT]):
        with pytest.raises(ValidationError, match="key_groups"):
            ErasureApplication(
                key_groups=groups, ground=ErasureGround.NO_LONGER_NECESSARY, reason="reason"
            )
    given().when(unchecked_request(KeyGroup.CONTROLLER)).then_invalid("key_groups")
    given().when(unchecked_request()).then_invalid("key_groups")
    given(*REQUESTED).when(approve(SECOND_COMPLIANCE, request_no=3)).then_invalid("request_no")


def test_a_legal_hold_stops_request_approval_and_execution() -> None:
    """A legal hold keeps the case's records as they are: erasure waits until it is lifted."""
    given(legal_hold_placed).when(request(COMPLIANCE, KeyGroup.SUBJECT)).then_refused(
        rules.LEGAL_HOLD_IN_FORCE
    )
    given(*REQUESTED, legal_hold_placed).when(approve(SECOND_COMPLIANCE)).then_refused(
        rules.LEGAL_HOLD_IN_FORCE
    )
    given(*APPROVED, legal_hold_placed).when(execute(COMPLIANCE)).then_refused(
        rules.LEGAL_HOLD_IN_FORCE
    )


def test_erased_personal_data_is_not_captured_again() -> None:
    """Erased personal data of a kind is not recorded again on the case; steps that carry none
    of it go on."""
    erased = given(*EXECUTED)
    erased.when(security_checked).then(recorded(SecurityChecksRecorded))
    erased.and_then(security_checked).when(
        lambda case: case.referral.screen_in(
            case.by(TRIAGE), ScreeningIn(rationale="said more to his teacher")
        )
    ).then_refused(rules.ERASED_DATA_NOT_RECAPTURED)
    erased.and_then(security_checked).when(
        lambda case: case.referral.screen_in(case.by(TRIAGE), ScreeningIn(rationale=None))
    ).then(recorded(ReferralScreenedIn, rationale=None))


def test_a_record_is_reviewed_for_retention_once_it_has_an_outcome() -> None:
    """A record is reviewed for retention once the referral has an outcome: screened out,
    concluded, or referred to alternative support."""
    given().when(review(RetentionDecision.ERASE, None)).then_refused(
        rules.RETENTION_REVIEW_AFTER_OUTCOME
    )
    given(*SCREENED_OUT).when(review(RetentionDecision.ERASE, None, by=TRIAGE)).then_not_permitted(
        rules.COMPLIANCE_OFFICER_ONLY
    )


def test_keeping_a_record_names_its_next_review_and_erasing_it_requests_the_erasure() -> None:
    """A retained record names its next review; a record past its period is erased through an
    erasure request of every erasable group."""
    reviewed = given(*SCREENED_OUT, later(days=730))
    reviewed.when(review(RetentionDecision.RETAIN, None)).then_invalid("next_review_on")
    reviewed.when(review(RetentionDecision.ERASE, 365)).then_invalid("next_review_on")
    reviewed.when(review(RetentionDecision.RETAIN, 365)).then(
        recorded(RetentionReviewed, review_no=1, record_class=RecordClass.SCREENED_OUT)
    )
    reviewed.when(review(RetentionDecision.ERASE, None)).then(
        recorded(RetentionReviewed, decision=RetentionDecision.ERASE),
        recorded(
            ErasureRequested,
            ground=ErasureGround.RETENTION_PERIOD_ENDED,
            key_groups=(KeyGroup.SUBJECT, KeyGroup.THIRD_PARTY, KeyGroup.REFERRER),
        ),
    )
    given(*SCREENED_OUT).when(
        lambda case: case.referral.review_retention(
            case.by(COMPLIANCE),
            RetentionReviewReport(
                reviewed_on=case.today - timedelta(days=1),
                decision=RetentionDecision.ERASE,
                next_review_on=None,
                reason="early",
            ),
        )
    ).then_invalid("reviewed_on")


def test_a_record_under_a_legal_hold_is_not_reviewed_for_erasure() -> None:
    """A legal hold keeps the case's records as they are: deletion, return and erasure wait
    until it is lifted, so a review that would erase is refused whole."""
    held = given(*SCREENED_OUT, legal_hold_placed, later(days=730))
    held.when(review(RetentionDecision.ERASE, None)).then_refused(rules.LEGAL_HOLD_IN_FORCE)
