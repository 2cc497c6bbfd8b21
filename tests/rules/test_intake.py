"""Intake and MASH triage (section 5): security checks, further information, screening."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from pydantic import ValidationError

from aggregates import rules
from aggregates.errors import InvalidInstructionError
from aggregates.intake import InformationReturn, ReferralForm, ScreeningIn, ScreeningOut
from aggregates.referral import Referral
from events.forms import Address, ReferralConcern, ReferrerContact, ReferrerDetails, SubjectDetails
from events.intake import (
    FurtherInformationRequested,
    FurtherInformationReturned,
    ReferralScreenedIn,
    ReferralScreenedOut,
    SecurityChecksRecorded,
)
from events.vocabulary import AgeGroup, ReceivedVia, ScreeningOutReason
from tests.rules.actors import DESK, TRIAGE
from tests.rules.harness import RECEIVED_AT, audit, given, recorded
from tests.rules.histories import (
    SCREENED_IN,
    further_information_requested,
    meeting_convened,
    security_checked,
)


def test_security_checks_come_before_screening() -> None:
    """ "The MASH Triage area will carry out an initial screening process and ensure relevant
    security checks are completed" (section 5): no screening before the checks."""
    given().when(
        lambda case: case.referral.screen_in(case.by(TRIAGE), ScreeningIn(rationale=None))
    ).then_refused(rules.SECURITY_CHECKS_BEFORE_SCREENING)


def test_security_checks_are_recorded_once_during_triage() -> None:
    """MASH triage "ensure[s] relevant security checks are completed" (section 5): once."""
    given().when(security_checked).then(recorded(SecurityChecksRecorded))
    given(security_checked).when(security_checked).then_refused(rules.SECURITY_CHECKS_ONCE)


def test_security_checks_belong_to_triage() -> None:
    """Security checks are part of the MASH triage's initial screening (section 5), not of
    later stages."""
    refusal = (
        given(*SCREENED_IN)
        .when(security_checked)
        .then_refused(
            rules.wrong_stage(
                "Recording security checks", "awaiting_strategy_discussion", "during MASH triage"
            )
        )
    )
    assert refusal.stage == "awaiting_strategy_discussion"


def test_further_information_passes_the_referral_to_the_operational_desk() -> None:
    """ "Should further information be required the referral will be passed to the MASH
    Operational Desk" (section 5); screening waits until the information is returned."""
    given(security_checked).when(further_information_requested).then(
        recorded(FurtherInformationRequested, request_no=1, information_needed="attendance")
    )
    waiting = given(security_checked, further_information_requested)
    waiting.when(
        lambda case: case.referral.screen_in(case.by(TRIAGE), ScreeningIn(rationale=None))
    ).then_refused(rules.FURTHER_INFORMATION_OUTSTANDING)
    waiting.when(further_information_requested).then_refused(rules.FURTHER_INFORMATION_OUTSTANDING)
    waiting.when(
        lambda case: case.referral.return_further_information(
            case.by(DESK), InformationReturn(information_summary="82%")
        )
    ).then(recorded(FurtherInformationReturned, request_no=1, information_summary="82%"))


def test_only_an_outstanding_request_is_answered() -> None:
    """The Operational Desk returns information only when triage asked for it (section 5)."""
    given().when(
        lambda case: case.referral.return_further_information(
            case.by(DESK), InformationReturn(information_summary="unasked")
        )
    ).then_refused(rules.NO_FURTHER_INFORMATION_REQUESTED)


def test_screening_in_sends_the_referral_to_the_strategy_discussion() -> None:
    """A referral that passes the initial screening continues to the PREVENT Strategy
    Discussion (section 5, Appendix D)."""
    given(security_checked).when(
        lambda case: case.referral.screen_in(case.by(TRIAGE), ScreeningIn(rationale="vulnerable"))
    ).then(recorded(ReferralScreenedIn, rationale="vulnerable"))


def test_screening_out_names_the_section_5_reasons() -> None:
    """ "A referral should not continue through the VTR process if: it is malicious or
    misguided ... would compromise or interfere with ongoing investigations ... it is clear
    the person is not vulnerable" (section 5); an 'other' reason is given in words, and each
    reason is named once."""
    with pytest.raises(ValidationError, match="names a choice more than once"):
        ScreeningOut(reasons=[ScreeningOutReason.MALICIOUS, ScreeningOutReason.MALICIOUS])
    given(security_checked).when(
        lambda case: case.referral.screen_out(
            case.by(TRIAGE), ScreeningOut(reasons=[ScreeningOutReason.MALICIOUS])
        )
    ).then(recorded(ReferralScreenedOut, reasons=(ScreeningOutReason.MALICIOUS,)))
    given(security_checked).when(
        lambda case: case.referral.screen_out(
            case.by(TRIAGE), ScreeningOut(reasons=[ScreeningOutReason.OTHER], other_reason=None)
        )
    ).then_invalid("other_reason")


def test_a_screened_referral_is_not_screened_again() -> None:
    """Screening is the MASH triage's decision at intake (section 5); once made, the referral
    has left triage."""
    given(*SCREENED_IN).when(
        lambda case: case.referral.screen_in(case.by(TRIAGE), ScreeningIn(rationale=None))
    ).then_refused(
        rules.wrong_stage("Screening", "awaiting_strategy_discussion", "during MASH triage")
    )


def test_no_strategy_meeting_during_triage() -> None:
    """Only a case confirmed appropriate at the strategy discussion "should proceed to a
    strategy meeting" (section 5): the meeting cannot be convened during triage."""
    refusal = (
        given()
        .when(meeting_convened)
        .then_refused(
            rules.wrong_stage(
                "Convening the strategy meeting",
                "triage",
                "once the Section 2 decision (Yes) is signed and before the meeting concludes",
            )
        )
    )
    assert "Convening the strategy meeting" in str(refusal)


def receive(**changes: object) -> Referral:
    fields: dict[str, object] = {
        "received_at": RECEIVED_AT,
        "received_via": ReceivedVia.MASH_EMAIL,
        "on_call_detective_inspector": None,
        "referring_agency": "Greenfield High School",
        "subject_age_group": AgeGroup.CHILD,
        "subject": SubjectDetails(full_name="Subject", address=Address(lines=["1 Road"])),
        "partner_and_parents": [],
        "children_and_siblings": [],
        "concern": ReferralConcern(reasons_for_referral="r", background_and_risk="b"),
        "referrer": ReferrerDetails(full_name="Ref", position="DSL", contact=ReferrerContact()),
        **changes,
    }
    return Referral.receive(
        uuid4(),
        audit(TRIAGE, RECEIVED_AT),
        ReferralForm(**fields),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"received_via": ReceivedVia.OUT_OF_HOURS_101}, "on_call_detective_inspector"),
        ({"on_call_detective_inspector": "di-1"}, "on_call_detective_inspector"),
        (
            {
                "subject": SubjectDetails(
                    full_name="S", address=Address(lines=["1 Road"]), date_of_birth=date(2026, 3, 3)
                )
            },
            "subject.date_of_birth",
        ),
    ],
)
def test_only_an_out_of_hours_referral_names_an_inspector_and_no_one_is_born_after_it(
    changes: dict[str, object], field: str
) -> None:
    """ "For out of hour's assistance please ring ... 101 ... The enquiry should be directed to
    the on call Detective Inspector" (section 5): a 101 referral names that inspector, others
    none; and a date of birth cannot follow the receipt."""
    with pytest.raises(InvalidInstructionError) as refusal:
        receive(**changes)
    assert refusal.value.field == field


def test_an_out_of_hours_referral_is_received_with_its_inspector() -> None:
    """An out-of-hours referral through 101 is received with the on-call Detective Inspector
    who took it (section 5)."""
    referral = receive(
        received_via=ReceivedVia.OUT_OF_HOURS_101, on_call_detective_inspector="di-1"
    )
    (event,) = referral.collect_events()
    assert event.on_call_detective_inspector == "di-1"  # type: ignore[attr-defined]
