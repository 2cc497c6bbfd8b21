"""What a step of the process is told, declared once.

Each stage's module declares, beside its steps, the instruction every step takes: its fields
are the command's fields. A command (`commands/<stage>.py`) is its step's instruction plus the
version the change was decided on, so a field is written once, in the instruction, and the
step reads it from the command it is handed.
"""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    StringConstraints,
    model_validator,
)

from events.forms import ONE_LINE, validating_input

StaffRef = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$", max_length=64),
    Field(description="A staff identifier from the identity directory, never a person's name."),
]
AgencyName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), ONE_LINE
]


class Instruction(BaseModel):
    """Input: its text, nested values included, is held to the rules of `InputText`; numbers
    and flags must come as JSON numbers and booleans (`StrictInt`, `StrictBool`), never as
    strings; every list is capped (tests/unit/test_command_input.py checks all three)."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", hide_input_in_errors=True, str_strip_whitespace=True
    )

    @model_validator(mode="wrap")
    @classmethod
    def _as_input(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        with validating_input():
            return handler(data)
