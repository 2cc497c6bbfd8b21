"""A refused attempt to share, kept on record without what would have been shared."""

from __future__ import annotations

from uuid import UUID

from events.base import DomainEvent
from events.forms import AgencyRef
from events.vocabulary import SharingAttempt


class SharingRefused(DomainEvent):
    """Who tried to invite or disclose, to whom, when, and the rule that refused it."""

    TOPIC = "vtr.refusal.SharingRefused"

    referral_id: UUID
    attempted: SharingAttempt
    disclosing_agency: AgencyRef | None
    recipients: list[AgencyRef]
    information_category: str | None
    rule: str
    rule_text: str
