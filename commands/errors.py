"""Refusals by the write side that are not rules of the process."""

from __future__ import annotations

from uuid import UUID


class ApplicationError(Exception):
    """The command was refused before or while saving; nothing was recorded."""


class ReferralNotFoundError(ApplicationError):
    def __init__(self, referral_id: UUID) -> None:
        super().__init__(f"There is no referral {referral_id}.")
        self.referral_id = referral_id


class AgencyNotFoundError(ApplicationError):
    def __init__(self, agency_id: UUID) -> None:
        super().__init__(f"There is no agency {agency_id}.")
        self.agency_id = agency_id


class StaleVersionError(ApplicationError):
    """The caller decided on an older version of the referral than the one stored."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"It is at version {actual}, not {expected}: reload it and decide again.")
        self.expected = expected
        self.actual = actual


class ConcurrentChangeError(ApplicationError):
    """Someone else changed the referral between loading it and saving this change."""

    def __init__(self) -> None:
        super().__init__(
            "It was changed by someone else at the same moment: reload it and decide again."
        )


class IdempotencyKeyReusedError(ApplicationError):
    """An idempotency key came back with a different command than the one it first named."""

    def __init__(self) -> None:
        super().__init__(
            "This idempotency key was already used for a different command; use a new key."
        )


class AgencyNameTakenError(ApplicationError):
    """The directory already holds an agency of that name (compared without regard to case,
    spacing or Unicode form): two agencies must never be told apart by name alone."""

    def __init__(self, agency_id: UUID) -> None:
        super().__init__(
            f"The directory already holds an agency of that name ({agency_id}); names are unique "
            "whatever their case or spacing."
        )
        self.agency_id = agency_id


class ErasedCaseError(ApplicationError):
    """A retry of a command on a case whose personal data was erased since: it is not
    recorded again, because that would record the erased data again."""

    def __init__(self, referral_id: UUID) -> None:
        super().__init__(
            f"This idempotency key was used for referral {referral_id}, whose personal data "
            "has since been erased; the command is not recorded again."
        )
        self.referral_id = referral_id
