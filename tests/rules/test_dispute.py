"""Disputes (section 7): "referred to Head of Safeguarding and D/Superintendent Vulnerable
People's Directorate"."""

from __future__ import annotations

from aggregates import rules
from aggregates.dispute import DisputeReferral, DisputeResolution
from events.dispute import DisputeRaised, DisputeReferred, DisputeResolved
from events.vocabulary import DisputedDecision, DisputeOutcome
from tests.rules.actors import HEAD_OF_SAFEGUARDING, TRIAGE
from tests.rules.harness import Step, given, recorded
from tests.rules.histories import dispute_raised, dispute_referred, dispute_resolved


def refer(dispute_no: int) -> Step:
    return lambda case: case.referral.refer_dispute(
        case.by(TRIAGE),
        DisputeReferral(
            dispute_no=dispute_no, head_of_safeguarding="hos-1", detective_superintendent="ds-1"
        ),
    )


def test_a_dispute_is_raised_one_at_a_time() -> None:
    """ "In the event of any dispute, the matter will be referred" (section 7): one dispute
    open at a time, numbered in turn."""
    given().when(dispute_raised).then(
        recorded(DisputeRaised, dispute_no=1, disputed_decision=DisputedDecision.OTHER)
    )
    given(dispute_raised).when(dispute_raised).then_refused(rules.ONE_OPEN_DISPUTE)
    given(dispute_raised, dispute_referred, dispute_resolved).when(dispute_raised).then(
        recorded(DisputeRaised, dispute_no=2)
    )


def test_a_dispute_is_referred_to_the_two_officers_before_it_is_resolved() -> None:
    """The dispute "will be referred to Head of Safeguarding and D/Superintendent Vulnerable
    People's Directorate" (section 7), who resolve it; referred once, resolved once."""
    given(dispute_raised).when(dispute_resolved).then_refused(
        rules.DISPUTE_REFERRED_BEFORE_RESOLUTION
    )
    given(dispute_raised).when(refer(1)).then(
        recorded(DisputeReferred, dispute_no=1, head_of_safeguarding="hos-1")
    )
    given(dispute_raised, dispute_referred).when(refer(1)).then_refused(
        rules.DISPUTE_ALREADY_REFERRED
    )
    given(dispute_raised, dispute_referred).when(dispute_resolved).then(
        recorded(DisputeResolved, dispute_no=1, outcome=DisputeOutcome.UPHELD)
    )
    resolved = given(dispute_raised, dispute_referred, dispute_resolved)
    resolved.when(dispute_resolved).then_refused(rules.DISPUTE_ALREADY_RESOLVED)
    resolved.when(refer(1)).then_refused(rules.DISPUTE_ALREADY_RESOLVED)


def test_only_a_dispute_of_the_case_is_referred() -> None:
    """A dispute is referred by its number on this referral."""
    given().when(refer(7)).then_invalid("dispute_no")
    given(dispute_raised).when(
        lambda case: case.referral.resolve_dispute(
            case.by(HEAD_OF_SAFEGUARDING),
            DisputeResolution(dispute_no=2, outcome=DisputeOutcome.UPHELD, resolution="r"),
        )
    ).then_invalid("dispute_no")
