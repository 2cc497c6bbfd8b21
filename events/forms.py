"""Structured values inside events: the sections of the referral form and other records.

They are shared by events and by the commands that carry them in. What a command brings in
is held to the text rules of `InputText` and must be distinct where it is a set of choices;
a stored event is validated again every time it is read and must read whatever it holds, so
outside a command the rules are deliberately generous (they only ever applied on the way in).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, TypeVar
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    StrictBool,
    StringConstraints,
)
from pydantic_core import PydanticCustomError, core_schema

from events.vocabulary import (
    AgencyType,
    BasisKind,
    IndicatorCategory,
    MedicalExplanation,
    PublicInterestGround,
    Relationship,
    RiskCircumstance,
    RiskTarget,
)

_validating_input: ContextVar[bool] = ContextVar("validating_input", default=False)


@contextmanager
def validating_input() -> Iterator[None]:
    """Apply the input rules to what is validated inside (commands do, for their whole body).

    A context variable rather than a pydantic validation context: FastAPI validates a body
    without one, and stored events and projection rows that hold these values are validated
    again on every read, from many places, none of which should have to opt out.
    """
    token = _validating_input.set(True)
    try:
        yield
    finally:
        _validating_input.reset(token)


BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Characters that show nothing although they are not whitespace or format characters.
BLANK_LOOKING = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
VARIATION_SELECTORS = (range(0xFE00, 0xFE10), range(0xE0100, 0xE01F0))
LINE_ENDS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n"}


@dataclass(frozen=True)
class InputText:
    """Annotation: the text rules for input, one line or a narrative of several.

    Text comes in as Unicode NFC, with no control characters (a narrative keeps its line
    feeds and tabs; its CR LF, CR and Unicode line and paragraph separators become LF),
    no bidirectional embedding, override or isolate characters (they make a record display
    other than it reads), and something visible in it. Errors name the character's code
    point, never the text. (An unpaired surrogate, which could not be stored, is refused by
    any length limit already.)
    """

    multiline: bool

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            self.check,
            core_schema.no_info_before_validator_function(self.normalise, handler(source)),
        )

    def normalise(self, value: Any) -> Any:
        """Runs before the length limits, so they count the text as it will be kept."""
        if not _validating_input.get() or not isinstance(value, str):
            return value
        if self.multiline:
            for line_end, line_feed in LINE_ENDS.items():
                value = value.replace(line_end, line_feed)
        return unicodedata.normalize("NFC", value)

    def check(self, value: str) -> str:
        if not _validating_input.get():
            return value
        allowed = "\n\t" if self.multiline else ""
        for character in value:
            kind = unicodedata.category(character)
            if (kind == "Cc" and character not in allowed) or kind in {"Zl", "Zp"}:
                raise _text_error(
                    "control_character",
                    "must not contain control characters"
                    + (" other than line feeds and tabs" if self.multiline else " or line breaks"),
                    character,
                )
            if character in BIDI_CONTROLS:
                raise _text_error(
                    "bidi_control",
                    "must not contain bidirectional embedding, override or isolate characters",
                    character,
                )
        if all(map(_invisible, value)):
            raise PydanticCustomError(
                "text_invisible_only", "must contain visible characters, not only blank ones"
            )
        return value


def _text_error(kind: str, message: str, character: str) -> PydanticCustomError:
    return PydanticCustomError(
        f"text_{kind}",
        f"{message} (found {{code_point}})",
        {"code_point": f"U+{ord(character):04X}"},
    )


def _invisible(character: str) -> bool:
    return (
        character.isspace()
        or unicodedata.category(character) in {"Cc", "Cf", "Zs", "Zl", "Zp"}
        or character in BLANK_LOOKING
        or any(ord(character) in selectors for selectors in VARIATION_SELECTORS)
    )


ONE_LINE = InputText(multiline=False)
MULTI_LINE = InputText(multiline=True)

Line = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), ONE_LINE
]
Narrative = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000), MULTI_LINE
]
Postcode = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16), ONE_LINE
]
RoughDate = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), ONE_LINE
]

Choice = TypeVar("Choice")


def _distinct(choices: list[Choice]) -> list[Choice]:
    if _validating_input.get() and len(set(choices)) != len(choices):
        raise PydanticCustomError("choices_repeated", "names a choice more than once")
    return choices


# A set of answers from one list of the form: each at most once (the caller caps the length).
Choices = Annotated[list[Choice], AfterValidator(_distinct)]


class ValueObject(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        hide_input_in_errors=True,
        str_strip_whitespace=True,
        str_max_length=20_000,
    )


class Address(ValueObject):
    """A postal address: its lines in order, and the postcode where known."""

    lines: list[Line] = Field(min_length=1, max_length=8)
    postcode: Postcode | None = None


class SubjectDetails(ValueObject):
    """Referral form: full name, other known names, date and place of birth, full address."""

    full_name: Line
    other_names: list[Line] = Field(default_factory=list, max_length=20)
    date_of_birth: date | None = None
    place_of_birth: Line | None = None
    address: Address


class RelatedPerson(ValueObject):
    """A spouse, partner, parent, child or sibling named on the form (a third party)."""

    relationship: Relationship
    full_name: Line
    date_of_birth: date | None = None
    address: Line | None = None
    details: Narrative | None = None


class ChronologyEntry(ValueObject):
    """One entry of the background chronology; `when` is free text because dates are often rough."""

    when: RoughDate
    what: Narrative


class ReferralConcern(ValueObject):
    """Referral form: reasons for referral, background and risk issues, section 4 indicators."""

    reasons_for_referral: Narrative
    background_and_risk: Narrative
    chronology: list[ChronologyEntry] = Field(default_factory=list, max_length=200)
    indicators_observed: Choices[IndicatorCategory] = Field(
        default_factory=list, max_length=len(IndicatorCategory)
    )


class ReferrerContact(ValueObject):
    """How to reach the referrer (referral form: Tel no, Mobile, Email)."""

    telephone: Line | None = None
    mobile: Line | None = None
    email: Line | None = None


class ReferrerDetails(ValueObject):
    """Referral form: the referrer's full name and position, contact details and address."""

    full_name: Line
    position: Line
    contact: ReferrerContact
    address: Address | None = None


class RiskAssessment(ValueObject):
    """Section 5: what the risk assessment of the strategy discussion should include."""

    nature_and_pattern_of_behaviour: Narrative
    nature_of_risk: Narrative
    who_is_at_risk: Choices[RiskTarget] = Field(min_length=1, max_length=len(RiskTarget))
    who_is_at_risk_details: Narrative | None = None
    circumstances_increasing_risk: Choices[RiskCircumstance] = Field(
        default_factory=list, max_length=len(RiskCircumstance)
    )
    circumstances_details: Narrative | None = None
    factors_reducing_risk: Narrative
    medical_evidence: Narrative | None = None
    medical_explanation: MedicalExplanation
    medical_explanation_reasoning: Narrative | None = None


class PlannedAction(ValueObject):
    """One action of a support package: which partner leads it, and by when."""

    action_no: int = Field(ge=1)
    lead_agency: Line
    due_on: date | None = None


class ActionDescription(ValueObject):
    """What an action involves; narrative about the subject, so it is stored sealed."""

    action_no: int = Field(ge=1)
    description: Narrative


class SupportAction(ValueObject):
    """An action as agreed at a meeting; the process numbers it and keeps its text sealed."""

    description: Narrative
    lead_agency: Line
    due_on: date | None = None


class AgencyRef(ValueObject):
    """An agency as it stood when an event named it: its name and type are kept with it."""

    agency_id: UUID
    name: str
    agency_type: AgencyType


class LegalBasisRef(ValueObject):
    """A legal-basis catalogue entry as relied on; replay never looks it up again."""

    entry_id: str
    catalogue: str
    catalogue_version: str
    kind: BasisKind
    regime: str
    citation: str


class SharingPrinciples(ValueObject):
    """Section 3: the principles the disclosing agency answered for this disclosure."""

    power_to_share: StrictBool
    necessary: StrictBool
    relevant: StrictBool
    proportionate: StrictBool
    non_discriminatory: StrictBool


class SharingJustification(ValueObject):
    """The reasoning behind each answered principle; narrative, so stored sealed."""

    power_to_share: Narrative
    necessity: Narrative
    relevance: Narrative
    proportionality: Narrative
    non_discrimination: Narrative


class NeedToKnow(ValueObject):
    """Why one recipient needs to know (section 3)."""

    agency_id: UUID
    needs_to_know: StrictBool
    rationale: Narrative


class PublicInterestBalance(ValueObject):
    """Appendix B: the public-interest balance, where consent is not the basis."""

    grounds: Choices[PublicInterestGround] = Field(
        min_length=1, max_length=len(PublicInterestGround)
    )
    consent_considered: StrictBool
    overrides_confidentiality_and_privacy: StrictBool
