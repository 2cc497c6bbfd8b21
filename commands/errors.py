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


_TO_OPERATORS = "an operator must point the service at this ledger's key store, or restore it"


class KeyStoreMismatchError(ApplicationError):
    """The key store is not the one this ledger's events were sealed with (another ledger's,
    an empty one, or one swapped in since startup): no key is looked for in it or made in it.

    The message is for the client and names no location; `for_operators` says where to look
    and what to change. Neither holds personal data or key material."""

    def __init__(self, reason: str, *, location: str, setting: str) -> None:
        super().__init__(
            f"The key store in use is not this ledger's ({reason}): nothing was recorded and "
            f"no sealed data was opened; {_TO_OPERATORS}."
        )
        self.reason = reason
        self.for_operators = (
            f"the key store at {location} belongs to another ledger ({reason}); point "
            f"{setting} at the right one, or restore it"
        )


class DataKeyMissingError(KeyStoreMismatchError):
    """Keys that stored events were sealed under are not in the key store, though it is this
    ledger's: an older copy of it (restored from a backup), or a damaged one. A new key is
    never made in their place: the earlier data would stay unreadable, and data sealed under
    the new key would be unreadable once the right store is back."""

    def __init__(
        self, owner_id: UUID | None, key_ids: list[str], *, location: str, setting: str
    ) -> None:
        plural = len(key_ids) > 1
        keys = f"data key{'s' if plural else ''} {', '.join(key_ids)}"
        whose = "" if owner_id is None else f" of {owner_id}"
        reason = (
            f"{keys}{whose}, which stored events were sealed under, "
            f"{'are' if plural else 'is'} not in it"
        )
        ApplicationError.__init__(
            self,
            f"The key store in use lacks the {keys} that this record's stored events were "
            "sealed under (an older copy of the key store, or another ledger's): nothing was "
            f"recorded, no sealed data was opened and no new key was made; {_TO_OPERATORS}.",
        )
        self.reason = reason
        self.for_operators = (
            f"the key store at {location} lacks the {keys}{whose} that stored events were "
            f"sealed under (an older copy, or another ledger's); point {setting} at the right "
            "one, or restore it"
        )
        self.owner_id = owner_id
        self.key_ids = key_ids
