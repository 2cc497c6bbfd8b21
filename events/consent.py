"""Events of consent to sharing: whether to seek it, sought, given, refused, withdrawn (guidance
section 3, Appendix B)."""

from __future__ import annotations

from datetime import date

from events.base import DomainEvent
from events.forms import (
    AgencyRef,
)
from events.personal import SubjectData
from events.vocabulary import (
    ConsentGiver,
    ConsentNotSoughtReason,
    ConsentStage,
)


class ConsentApproachDecided(DomainEvent):
    """Whether consent is to be sought and by whom, decided at one of the two stages."""

    TOPIC = "vtr.referral.ConsentApproachDecided"

    stage: ConsentStage
    seek: bool
    seeker_agency: AgencyRef | None
    reasons_not_sought: tuple[ConsentNotSoughtReason, ...]
    notes: SubjectData[str | None]


class ConsentSought(DomainEvent):
    TOPIC = "vtr.referral.ConsentSought"
    EFFECTIVE = "sought_on"

    stage: ConsentStage
    seeker_agency: AgencyRef
    sought_on: date


class ConsentGiven(DomainEvent):
    """Valid only if freely given, informed of who shares and why, and withdrawable."""

    TOPIC = "vtr.referral.ConsentGiven"
    EFFECTIVE = "given_on"

    given_by: ConsentGiver
    freely_given: bool
    informed_of_who_and_why: bool
    told_can_withdraw: bool
    given_on: date
    notes: SubjectData[str | None]


class ConsentRefused(DomainEvent):
    TOPIC = "vtr.referral.ConsentRefused"
    EFFECTIVE = "refused_on"

    refused_on: date
    notes: SubjectData[str | None]


class ConsentWithdrawn(DomainEvent):
    TOPIC = "vtr.referral.ConsentWithdrawn"
    EFFECTIVE = "withdrawn_on"

    withdrawn_on: date
    notes: SubjectData[str | None]
