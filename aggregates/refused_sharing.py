"""A refused attempt to share: its own small aggregate, one event, never changed.

Keeping refusals apart from the referral means recording one does not move the referral's
version, so the caseworker's next change is not made stale by their own refusal.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from aggregates.base import Aggregate
from aggregates.errors import Rule
from events.base import AuditEnvelope, DomainEvent
from events.forms import AgencyRef
from events.sharing import SharingRefused
from events.vocabulary import SharingAttempt


class RefusedSharing(Aggregate):
    def __init__(self, event: SharingRefused) -> None:
        super().__init__()
        self.event = event
        self._pending.append(event)

    @property
    def id(self) -> UUID:
        return self.event.originator_id

    @property
    def version(self) -> int:
        return self.event.originator_version

    def _apply(self, event: DomainEvent) -> None:
        raise TypeError(f"a refused attempt is never changed, not even by {event.TOPIC}")

    @classmethod
    def record(
        cls,
        refusal_id: UUID,
        audit: AuditEnvelope,
        *,
        referral_id: UUID,
        attempted: SharingAttempt,
        disclosing_agency: AgencyRef | None,
        recipients: Sequence[AgencyRef],
        information_category: str | None,
        rule: Rule,
    ) -> RefusedSharing:
        return cls(
            SharingRefused(
                originator_id=refusal_id,
                originator_version=1,
                audit=audit,
                referral_id=referral_id,
                attempted=attempted,
                disclosing_agency=disclosing_agency,
                recipients=list(recipients),
                information_category=information_category,
                rule=rule.code,
                rule_text=rule.text,
            )
        )
