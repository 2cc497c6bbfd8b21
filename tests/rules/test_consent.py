"""Consent (Appendix B): decided at each stage, then sought, given, refused or withdrawn."""

from __future__ import annotations

from aggregates import rules
from aggregates.consent import ConsentApproach, RefusedConsent, WithdrawnConsent
from events.consent import (
    ConsentApproachDecided,
    ConsentGiven,
    ConsentRefused,
    ConsentSought,
    ConsentWithdrawn,
)
from events.vocabulary import ConsentStage, ConsentStatus
from tests.rules.actors import CHILDRENS_REP, CHILDRENS_SERVICES, INSPECTOR, SCHOOL, agency
from tests.rules.harness import Step, given, recorded
from tests.rules.histories import (
    AT_DISCUSSION,
    AT_MEETING,
    CONCLUDED,
    SCREENED_IN,
    consent,
    consent_given,
    consent_not_to_be_sought,
    consent_sought,
    consent_to_be_sought,
)

PRELIMINARY = ConsentStage.PRELIMINARY_ASSESSMENT
CHILDRENS = agency(CHILDRENS_SERVICES)
DECIDED_TO_SEEK = (*AT_DISCUSSION, consent_to_be_sought(PRELIMINARY, CHILDRENS))
SOUGHT = (*DECIDED_TO_SEEK, consent_sought(CHILDRENS))


def given_with(attestations: tuple[bool, bool, bool]) -> Step:
    return lambda case: case.referral.record_consent_given(
        case.by(CHILDRENS_REP),
        consent(
            case.today,
            freely=attestations[0],
            informed=attestations[1],
            withdrawable=attestations[2],
        ),
    )


REFUSED: Step = lambda case: case.referral.record_consent_refused(  # noqa: E731
    case.by(CHILDRENS_REP), RefusedConsent(refused_on=case.today, notes=None)
)
WITHDRAWN: Step = lambda case: case.referral.record_consent_withdrawn(  # noqa: E731
    case.by(CHILDRENS_REP), WithdrawnConsent(withdrawn_on=case.today, notes=None)
)


def test_consent_is_sought_only_once_this_stage_decided_to_seek_it() -> None:
    """ "Before any agency/group seeks consent from the person of concern this must be discussed
    at both the preliminary assessment and multi-agency panel stages and a decision made on
    whether consent is to be sought and by whom" (Appendix B)."""
    given(*AT_DISCUSSION).when(consent_sought(CHILDRENS)).then_refused(rules.CONSENT_DECISION_FIRST)
    given(*AT_DISCUSSION, consent_not_to_be_sought(PRELIMINARY)).when(
        consent_sought(CHILDRENS)
    ).then_refused(rules.CONSENT_NOT_TO_BE_SOUGHT)
    given(*DECIDED_TO_SEEK).when(consent_sought(agency(SCHOOL))).then_refused(
        rules.CONSENT_SEEKER_AS_DECIDED
    )
    given(*DECIDED_TO_SEEK).when(consent_sought(CHILDRENS)).then(
        recorded(ConsentSought, stage=PRELIMINARY, seeker_agency=CHILDRENS)
    )


def test_the_panel_decides_again_for_itself() -> None:
    """The decision is made "at both the preliminary assessment and multi-agency panel stages"
    (Appendix B): from the strategy meeting on, the panel's decision governs."""
    given(*AT_MEETING[:-1], consent_to_be_sought(PRELIMINARY, CHILDRENS), AT_MEETING[-1]).when(
        consent_sought(CHILDRENS)
    ).then_refused(rules.CONSENT_DECISION_FIRST)
    given(*AT_MEETING, consent_to_be_sought(ConsentStage.PANEL, CHILDRENS)).when(
        consent_sought(CHILDRENS)
    ).then(recorded(ConsentSought, stage=ConsentStage.PANEL))


def test_each_stage_decides_in_its_own_time_and_says_why_not() -> None:
    """The preliminary assessment decides before the meeting, the panel at it; a decision not
    to seek consent gives Appendix B's reasons ("There may be reasons why consent cannot be
    obtained")."""
    given(*SCREENED_IN).when(consent_to_be_sought(PRELIMINARY, CHILDRENS)).then(
        recorded(ConsentApproachDecided, stage=PRELIMINARY, seek=True, seeker_agency=CHILDRENS)
    )
    given(*SCREENED_IN).when(consent_to_be_sought(ConsentStage.PANEL, CHILDRENS)).then_refused(
        rules.wrong_stage(
            "The panel decision on consent",
            "awaiting_strategy_discussion",
            "once the strategy meeting is convened, while support is delivered",
        )
    )
    given(*CONCLUDED).when(consent_to_be_sought(ConsentStage.PANEL, CHILDRENS)).then_refused(
        rules.wrong_stage(
            "The panel decision on consent",
            "concluded",
            "once the strategy meeting is convened, while support is delivered",
        )
    )
    given(*SCREENED_IN).when(
        lambda case: case.referral.decide_consent_approach(
            case.by(INSPECTOR), ConsentApproach(stage=PRELIMINARY, seek=False), None
        )
    ).then_invalid("reasons_not_sought")
    given(*SCREENED_IN).when(
        lambda case: case.referral.decide_consent_approach(
            case.by(INSPECTOR), ConsentApproach(stage=PRELIMINARY, seek=True), None
        )
    ).then_invalid("seeker_agency_id")


def test_valid_consent_is_free_informed_and_withdrawable() -> None:
    """ "For consent to be valid it must be: freely given; based on clear information provided
    to the person of who will be involved in the sharing ... and the purpose; capable of being
    withdrawn" (Appendix B)."""
    given(*SOUGHT).when(given_with((True, False, True))).then_refused(rules.CONSENT_VALIDITY)
    given(*SOUGHT).when(consent_given).then(
        recorded(
            ConsentGiven, freely_given=True, informed_of_who_and_why=True, told_can_withdraw=True
        )
    )


def test_consent_is_given_or_refused_only_once_sought_and_withdrawn_only_once_given() -> None:
    """Consent is obtained from the person (Appendix B) after it was sought; "capable of being
    withdrawn" applies to consent that was given."""
    given(*DECIDED_TO_SEEK).when(consent_given).then_refused(rules.CONSENT_NOT_SOUGHT)
    given(*DECIDED_TO_SEEK).when(REFUSED).then_refused(rules.CONSENT_NOT_SOUGHT)
    given(*SOUGHT).when(WITHDRAWN).then_refused(rules.CONSENT_NOT_GIVEN)
    given(*SOUGHT).when(REFUSED).then(recorded(ConsentRefused))
    withdrawn = given(*SOUGHT, consent_given).and_then(WITHDRAWN)
    assert withdrawn.turn().referral.state.consent_status is ConsentStatus.WITHDRAWN
    given(*SOUGHT, consent_given).when(WITHDRAWN).then(recorded(ConsentWithdrawn))


def test_consent_already_given_is_not_sought_again() -> None:
    """Once the person has consented there is nothing more to seek (Appendix B)."""
    given(*SOUGHT, consent_given).when(consent_sought(CHILDRENS)).then_refused(
        rules.CONSENT_ALREADY_GIVEN
    )
