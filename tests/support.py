"""Shared test helpers: a clock to move by hand, test actors, and synthetic personal data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from fastapi.testclient import TestClient

from aggregates.agency import agency_id_for
from api.access.identity import StoredToken, TokenAgency, TokenTable, digest
from commands.agency import RegisterAgency
from commands.context import Actor, Issued
from events.integrity.keys import new_key_line, write_new_key_file
from events.integrity.note import SIG_ED25519
from events.vocabulary import AgencyType, Role
from scenarios.builder import Cast
from scenarios.step import Part


class FixedClock:
    """Business time that only moves when a test moves it."""

    def __init__(self, moment: datetime | None = None) -> None:
        self.moment = moment or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> datetime:
        self.moment += timedelta(**delta)
        return self.moment


ACTORS = {
    actor.actor_id: actor
    for actor in (
        Actor.for_agency("triage-1", Role.MASH_TRIAGE, "Norfolk MASH"),
        Actor.for_agency("triage-2", Role.MASH_TRIAGE, "Norfolk MASH"),
        Actor.for_agency("desk-1", Role.MASH_OPERATIONAL_DESK, "Norfolk MASH"),
        Actor.for_agency("police-1", Role.POLICE, "Norfolk Constabulary"),
        Actor.for_agency("police-2", Role.POLICE, "Norfolk Constabulary"),
        Actor.for_agency("cs-1", Role.CHILDRENS_SERVICES, "Norfolk Children's Services"),
        Actor.for_agency("ass-1", Role.ADULT_SOCIAL_SERVICES, "Norfolk Adult Social Services"),
        Actor.for_agency("chair-1", Role.MEETING_CHAIR, "Norfolk MASH"),
        Actor.for_agency("hos-1", Role.HEAD_OF_SAFEGUARDING, "Norfolk County Council"),
        Actor.for_agency("school-1", Role.PARTNER_AGENCY, "Greenfield High School"),
        Actor.for_agency("dpo-1", Role.COMPLIANCE_OFFICER, "Norfolk County Council"),
        Actor.for_agency("dpo-2", Role.COMPLIANCE_OFFICER, "Norfolk County Council"),
        Actor.for_agency("admin-1", Role.ADMINISTRATOR, "Norfolk County Council"),
        Actor.for_agency("referrer-1", Role.REFERRER, "Greenfield High School"),
        Actor.for_agency("minutes-1", Role.MINUTE_TAKER, "Norfolk MASH"),
        Actor.for_agency("dsupt-1", Role.DETECTIVE_SUPERINTENDENT, "Norfolk Constabulary"),
        Actor.for_agency("mentor-1", Role.PARTNER_AGENCY, "Hope Mentoring Trust"),
        Actor.for_agency("witness-1", Role.WITNESS, "Norfolk Constabulary"),
    )
}
# Who plays each part of the process in the tests, and who acts for each agency.
TEST_CAST = Cast(
    parts={
        Part.TRIAGE: ACTORS["triage-1"],
        Part.DESK: ACTORS["desk-1"],
        Part.POLICE: ACTORS["police-1"],
        Part.CHILDRENS_SERVICES: ACTORS["cs-1"],
        Part.ADULT_SOCIAL_SERVICES: ACTORS["ass-1"],
        Part.CHAIR: ACTORS["chair-1"],
        Part.HEAD_OF_SAFEGUARDING: ACTORS["hos-1"],
        Part.COMPLIANCE: ACTORS["dpo-1"],
        Part.SECOND_COMPLIANCE: ACTORS["dpo-2"],
    },
    agencies={
        ACTORS[actor_id].agency: ACTORS[actor_id]
        for actor_id in ("police-1", "cs-1", "ass-1", "school-1", "mentor-1")
    },
)
# One person who holds two roles, with a token for each: the same actor id twice.
DUAL_ROLE = (
    Actor.for_agency("dual-1", Role.POLICE, "Norfolk Constabulary"),
    Actor.for_agency("dual-1", Role.CHILDRENS_SERVICES, "Norfolk Children's Services"),
)


def agency(name: str) -> TokenAgency:
    """A token's agency, as the directory identifies it by name."""
    return TokenAgency(agency_id_for(name), name)


def register_in_directory(client: TestClient, *names: str) -> None:
    """Register agencies straight into the running service's directory (as the CLI does)."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    admin = Actor.for_agency("admin-1", Role.ADMINISTRATOR, "Norfolk County Council")
    for name in names:
        command = RegisterAgency(name=name, agency_type=AgencyType.MULTI_AGENCY_SAFEGUARDING_HUB)
        runtime.ledger.register_agency(command, Issued(admin, uuid4()))


def token_for(actor: Actor) -> str:
    return f"vtr_test-{actor.actor_id}-{actor.role.value}"


def new_signing_key_file(path: Path, origin: str = "vtr-ledger.invalid") -> Path:
    """A checkpoint signing key file (the postgres store requires one), made once."""
    if not path.exists():
        write_new_key_file(path, [new_key_line(origin, SIG_ED25519)])
    return path


def write_token_table(path: Path, now: datetime | None = None) -> None:
    """One token per test actor and role, valid for a year from `now`."""
    issued = now or datetime(2026, 1, 1, tzinfo=UTC)
    tokens = [
        StoredToken(
            token_id=f"t-{actor.actor_id}-{actor.role.value}"[:64],
            actor_id=actor.actor_id,
            roles=[actor.role],
            agency_id=actor.agency_id,
            agency=actor.agency,
            token_sha256=digest(token_for(actor)),
            issued_at=issued,
            expires_at=issued + timedelta(days=3650),
        )
        for actor in [*ACTORS.values(), *DUAL_ROLE]
    ]
    path.write_text(TokenTable(tokens=tokens).model_dump_json(), encoding="utf-8")


# Synthetic personal data, distinctive enough to search for in raw stores and logs.
SUBJECT_NAME = "Zebedee Quillfeather"
SUBJECT_ALIAS = "Zeb Marchbanks"
SUBJECT_DOB = "2010-03-14"
SUBJECT_ADDRESS = "17 Larkspur Row"
SUBJECT_POSTCODE = "NR99 7QX"
RELATIVE_NAME = "Ottoline Quillfeather"
REFERRER_NAME = "Petronella Inkwell"
REFERRER_EMAIL = "p.inkwell@school.example"
NARRATIVE = "spoke of the Harrowgate plan to classmates"

PERSONAL_DATA = (
    SUBJECT_NAME,
    "Quillfeather",
    SUBJECT_ALIAS,
    SUBJECT_DOB,
    "14/03/2010",
    SUBJECT_ADDRESS,
    "Larkspur",
    SUBJECT_POSTCODE,
    RELATIVE_NAME,
    REFERRER_NAME,
    "Inkwell",
    REFERRER_EMAIL,
    "Harrowgate",
)


def referral_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "received_at": "2026-03-02T08:15:00Z",
        "received_via": "mash_email",
        "referring_agency": "Greenfield High School",
        "subject_age_group": "child",
        "subject": {
            "full_name": SUBJECT_NAME,
            "other_names": [SUBJECT_ALIAS],
            "date_of_birth": SUBJECT_DOB,
            "place_of_birth": "Norwich",
            "address": {"lines": [SUBJECT_ADDRESS, "Norwich"], "postcode": SUBJECT_POSTCODE},
        },
        "partner_and_parents": [
            {"relationship": "parent", "full_name": RELATIVE_NAME, "details": "Mother"}
        ],
        "children_and_siblings": [],
        "concern": {
            "reasons_for_referral": f"The pupil {NARRATIVE}.",
            "background_and_risk": "Withdrawn from friends since the autumn.",
            "chronology": [{"when": "January 2026", "what": "Posted imagery in a group chat."}],
            "indicators_observed": ["expressed_opinions", "material"],
        },
        "referrer": {
            "full_name": REFERRER_NAME,
            "position": "Designated Safeguarding Lead",
            "contact": {"email": REFERRER_EMAIL, "telephone": "01632 960555"},
        },
    }
    form.update(overrides)
    return form


def find_personal_data(text: str) -> list[str]:
    """The synthetic personal data found in `text` (empty when none leaked)."""
    lowered = text.lower()
    return [marker for marker in PERSONAL_DATA if marker.lower() in lowered]
