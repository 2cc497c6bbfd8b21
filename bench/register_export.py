"""Exporting a large disclosure register: rows per second, against reading the rows raw.

Seeding: referrals are brought to their strategy discussion through ledger commands; then
each takes a batch of disclosures through the Referral aggregate's own `disclose` (every
rule checked, every event sealed and stored as usual) and one save per referral, so a
100,000-disclosure log builds in minutes rather than hours of single commands. The
register projection is then rebuilt from that log.

Measured in alternating rounds, all over the same rows of one agency's register:
- raw: a single SQL query streaming the stored row texts, nothing parsed (the baseline);
- csv and json: `GET /agencies/{id}/disclosure-register` from a live server, read to the end;
- as_of: the same register folded from the log as of now (`?as_of=`), JSON.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote
from uuid import UUID, uuid4

import psycopg

from aggregates.referral import Referral
from aggregates.sharing import AgencyStanding, DisclosureParties, InformationDisclosure
from api.bootstrap import Runtime
from api.settings import Settings
from bench.http_load import LiveServer
from bench.workload import (
    BENCH_CAST,
    CHILDRENS,
    COMPLIANCE,
    DISCUSSION_AT,
    FORM,
    POLICE,
    TRIAGE,
    Measured,
)
from commands.application import ReferralLedger
from commands.context import Actor
from events.base import AuditEnvelope
from events.forms import (
    AgencyRef,
    NeedToKnow,
    PublicInterestBalance,
    SharingJustification,
    SharingPrinciples,
)
from events.vocabulary import PublicInterestGround, SharingContext
from projections.register_rows import RegisterQuery
from scenarios import builder, steps
from scenarios.builder import BusinessTime, Scenario
from scenarios.drivers import LedgerDriver

POLICE_AGENCY = Actor.for_agency(POLICE.actor_id, POLICE.role, "Bench Constabulary")
PER_REFERRAL = 100
CATEGORIES = ("police_intelligence", "risk_assessment", "education", "mental_health")
BASES = ("uk.public-task-art6-1e", "uk.sch1-para18-safeguarding", "uk.ctsa2015-s38")


@dataclass(frozen=True)
class RegisterFigures:
    disclosures: int
    register_rows: int
    seed_seconds: float
    rebuild: list[Measured]  # the register's rows rebuilt, per round
    case_rebuild: list[Measured]  # the case view's events rebuilt from the same log
    rounds: dict[str, list[Measured]]


def seed_register(runtime: Runtime, disclosures: int) -> UUID:
    """Record `disclosures` between two agencies; returns the police agency's id."""
    ledger = runtime.ledger
    police = register_agency_ref(ledger, "Bench Constabulary", "police")
    childrens = register_agency_ref(
        ledger, "Bench Children's Services", "children_and_young_people_services"
    )
    remaining = disclosures
    while remaining > 0:
        batch = min(PER_REFERRAL, remaining)
        referral_id = at_strategy_discussion(ledger)
        referral = ledger.referral(referral_id)
        disclose_back_and_forth(referral, (police, childrens), batch)
        ledger.save(referral)
        remaining -= batch
    return police.agency_id


def disclose_back_and_forth(
    referral: Referral, agencies: tuple[AgencyRef, AgencyRef], count: int
) -> None:
    """`count` disclosures on the referral, the police and children's services in turn,
    each through the aggregate's own rules and sealing (saved by the caller)."""
    police, childrens = agencies
    for number in range(count):
        outward = number % 2 == 0
        discloser, recipient = (police, childrens) if outward else (childrens, police)
        actor = POLICE_AGENCY if outward else CHILDRENS
        referral.disclose(
            audit_for(actor, number),
            disclosure(discloser, recipient, number),
            parties=disclosure_parties(discloser, recipient, number),
        )


def measure_register(
    settings: Settings, runtime: Runtime, disclosures: int, rounds: int
) -> RegisterFigures:
    started = time.perf_counter()
    police = seed_register(runtime, disclosures)
    seed_seconds = time.perf_counter() - started
    rebuild, case_rebuild = _rebuild_rounds(runtime, rounds)
    _vacuum(settings)
    # Every row here is the police's (disclosed or received), so its register counts them.
    rows = sum(1 for _ in runtime.projections.register.exported(RegisterQuery(police), "json"))
    rebuild = [Measured(rows, measured.seconds) for measured in rebuild]
    server = LiveServer(settings, [COMPLIANCE])
    token = server.tokens[COMPLIANCE.actor_id]
    as_of = quote(runtime.ledger.clock.now().isoformat())
    path = f"/agencies/{police}/disclosure-register"
    measured: dict[str, list[Measured]] = {"raw": [], "csv": [], "json": [], "as_of": []}
    try:
        for _ in range(rounds):
            measured["raw"].append(_raw_read(settings, police, rows))
            measured["csv"].append(_fetch(server.port, token, f"{path}?format=csv", rows))
            measured["json"].append(_fetch(server.port, token, path, rows))
            measured["as_of"].append(_fetch(server.port, token, f"{path}?as_of={as_of}", rows))
    finally:
        server.close()
    return RegisterFigures(disclosures, rows, seed_seconds, rebuild, case_rebuild, measured)


def _rebuild_rounds(runtime: Runtime, rounds: int) -> tuple[list[Measured], list[Measured]]:
    """The register and the case view each dropped and rebuilt from the same log, in
    alternating rounds (the register's rows are counted by the caller)."""
    register: list[Measured] = []
    case_view: list[Measured] = []
    projections = runtime.projections
    for _ in range(rounds):
        for view, rebuilt, worker in (
            (projections.register, register, "disclosure_register"),
            (projections.case_view, case_view, "case_view"),
        ):
            view.clear()
            started = time.perf_counter()
            applied = projections.workers[worker].catch_up()
            rebuilt.append(Measured(applied, time.perf_counter() - started))
    return register, case_view


def register_agency_ref(ledger: ReferralLedger, name: str, agency_type: str) -> AgencyRef:
    agency_id = LedgerDriver(ledger).take(
        "register_agency", None, {"name": name, "agency_type": agency_type}, TRIAGE
    )
    return ledger.agency(agency_id).state.ref


def bench_scenario(ledger: ReferralLedger) -> Scenario:
    # The bench's ledger keeps system time; its steps name their times, so the scenario's
    # clock resolves nothing and only has to be one.
    return Scenario(LedgerDriver(ledger), BENCH_CAST, BusinessTime(DISCUSSION_AT))


def at_strategy_discussion(ledger: ReferralLedger) -> UUID:
    case = bench_scenario(ledger).case(steps.referral_received(FORM))
    scheduled = steps.discussion_scheduled(scheduled_for=DISCUSSION_AT.isoformat())
    return case.then(builder.to_screened_in(), scheduled).referral_id


def audit_for(actor: Actor, number: int) -> AuditEnvelope:
    return AuditEnvelope(
        actor_id=actor.actor_id,
        actor_role=actor.role,
        actor_agency=actor.agency,
        actor_agency_id=actor.agency_id,
        occurred_at=DISCUSSION_AT + timedelta(hours=1, seconds=number),
        command_id=uuid4(),
    )


def disclosure_parties(
    discloser: AgencyRef, recipient: AgencyRef, number: int
) -> DisclosureParties:
    return DisclosureParties(
        disclosed_at=DISCUSSION_AT + timedelta(hours=1, seconds=number),
        disclosing_agency=discloser,
        recipients=[AgencyStanding(recipient, may_share=True)],
    )


def disclosure(discloser: AgencyRef, recipient: AgencyRef, number: int) -> InformationDisclosure:
    return InformationDisclosure(
        context=SharingContext.STRATEGY_DISCUSSION,
        disclosing_agency_id=discloser.agency_id,
        recipient_agency_ids=(recipient.agency_id,),
        information_category=CATEGORIES[number % len(CATEGORIES)],
        content="Synthetic benchmark disclosure.",
        legal_basis_ids=BASES,
        principles=SharingPrinciples(
            power_to_share=True,
            necessary=True,
            relevant=True,
            proportionate=True,
            non_discriminatory=True,
        ),
        justification=SharingJustification(
            power_to_share="Bench.",
            necessity="Bench.",
            relevance="Bench.",
            proportionality="Bench.",
            non_discrimination="Bench.",
        ),
        need_to_know=(
            NeedToKnow(agency_id=recipient.agency_id, needs_to_know=True, rationale="Bench."),
        ),
        public_interest=PublicInterestBalance(
            grounds=[PublicInterestGround.PROTECTION_OF_VULNERABLE_PEOPLE],
            consent_considered=True,
            overrides_confidentiality_and_privacy=True,
        ),
        public_interest_reasoning="Bench.",
        particularly_sensitive=number % 3 == 0,
        handling_advice="Store with the case file.",
        purpose="vtr_process",
    )


def _vacuum(settings: Settings) -> None:
    """What autovacuum does after a bulk change, done now, so the exports are measured on the
    register as a running service keeps it: the rebuilding rounds leave a dead copy of every
    row, no statistics and no visibility map (which index-only reads need)."""
    where = settings.postgres_connection(settings.pg_database)
    with psycopg.connect(**where, autocommit=True) as connection:  # type: ignore[arg-type]
        connection.execute("VACUUM ANALYZE vtr_disclosure_register")
        connection.execute("VACUUM ANALYZE vtr_sharing_refusals")


def _raw_read(settings: Settings, agency_id: UUID, expected: int) -> Measured:
    """The baseline: the stored row texts of the agency's register, one query, no parsing."""
    agency = str(agency_id)
    started = time.perf_counter()
    count = 0
    connection = psycopg.connect(**settings.postgres_connection(settings.pg_database))  # type: ignore[arg-type]
    with connection, connection.cursor(name="raw_register") as cursor:
        cursor.execute(
            "SELECT row FROM vtr_disclosure_register "
            "WHERE disclosing_agency_id = %s OR recipient_agency_id = %s "
            "ORDER BY position, recipient_no",
            (agency, agency),
        )
        for (text,) in cursor:
            count += bool(text)
    _check(count, expected, "raw")
    return Measured(count, time.perf_counter() - started)


def _fetch(port: int, token: str, path: str, expected: int) -> Measured:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"{path}: {response.status} {body[:200]!r}")
    elapsed = time.perf_counter() - started
    rows = (
        body.count(b"\r\n") - 2  # the marking line and the header
        if b"format=csv" in path.encode()
        else body.count(b'"recipient_no":')
    )
    _check(rows, expected, path)
    return Measured(rows, elapsed)


def _check(rows: int, expected: int, what: str) -> None:
    if rows != expected:
        raise RuntimeError(f"{what}: read {rows} rows, expected {expected}")
