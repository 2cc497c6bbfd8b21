"""A case as the ledger knew it at a past moment: what had been recorded by then."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from aggregates.errors import InvalidInstructionError
from commands.application import ReferralLedger
from commands.errors import ReferralNotFoundError
from events.base import DomainEvent


def as_it_stood(
    ledger: ReferralLedger, referral_id: UUID, as_of: datetime, *, reveal: bool = False
) -> list[tuple[int, DomainEvent]]:
    """The referral's events recorded by `as_of`: a moment in the future is refused (the
    ledger cannot know it), one before the referral was received finds no referral."""
    refuse_future("as_of", as_of, ledger.clock.now())
    events = ledger.history(referral_id, reveal=reveal)
    recorded = [(p, event) for p, event in events if event.audit.occurred_at <= as_of]
    if not recorded:
        raise ReferralNotFoundError(referral_id)
    return recorded


def refuse_future(name: str, moment: datetime, now: datetime) -> None:
    """A moment to read the record at must have passed: the ledger cannot know the future."""
    if moment > now:
        raise InvalidInstructionError(name, f"{name} is in the future: give a past moment.")
