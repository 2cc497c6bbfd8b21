"""Histories with consent in force, and withdrawn, at the strategy discussion (Appendix B)."""

from __future__ import annotations

from aggregates.consent import WithdrawnConsent
from events.vocabulary import ConsentStage
from tests.rules.actors import CHILDRENS_REP, CHILDRENS_SERVICES, agency
from tests.rules.harness import Step
from tests.rules.histories import AT_DISCUSSION, consent_given, consent_sought, consent_to_be_sought

WITHDRAWN: Step = lambda case: case.referral.record_consent_withdrawn(  # noqa: E731
    case.by(CHILDRENS_REP), WithdrawnConsent(withdrawn_on=case.today, notes=None)
)
CONSENT_GIVEN = (
    *AT_DISCUSSION,
    consent_to_be_sought(ConsentStage.PRELIMINARY_ASSESSMENT, agency(CHILDRENS_SERVICES)),
    consent_sought(agency(CHILDRENS_SERVICES)),
    consent_given,
)
CONSENT_WITHDRAWN = (*CONSENT_GIVEN, WITHDRAWN)
