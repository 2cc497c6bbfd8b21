"""Registering a partner agency's witness: the one administrative command of proving the
record. It changes no referral or agency; the key is kept with the checkpoints."""

from __future__ import annotations

from pydantic import Field, field_validator

from commands.base import Command
from events.forms import Line
from events.integrity.note import SIG_COSIGNATURE_V1, NoteError, VerifierKey


class RegisterWitness(Command):
    """Register a partner agency's witness key: from now on its cosignatures of the log's
    checkpoints are accepted and served with them."""

    agency: Line = Field(description="The agency the witness checks the log for.")
    key: Line = Field(
        description="The witness's public cosigning key (vkey), as `python -m api "
        "new-witness-key` prints it."
    )

    @field_validator("key")
    @classmethod
    def _a_cosigning_key(cls, value: str) -> str:
        try:
            key = VerifierKey.parse(value)
        except NoteError as error:
            raise ValueError(f"not a verifier key ({error.problem})") from None
        if key.signature_type != SIG_COSIGNATURE_V1:
            raise ValueError("not a witness's cosigning key: make one with new-witness-key")
        return value
