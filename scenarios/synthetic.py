"""A synthetic year of information sharing: agencies, cases and disclosures, all invented.

Each case is a script of timed steps through the real ledger commands; the scripts run
merged in time order, so business time only moves forward. The same seed gives the same
year. Some attempts are refused on purpose (an agency without a valid protocol signature,
a recipient who was never invited), so the registers hold refused attempts too.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any, Protocol
from uuid import UUID, uuid4

from aggregates.errors import DomainError
from commands.agency import LapseIsp, RegisterAgency, SignIsp
from commands.application import ReferralLedger, command_model
from commands.context import Actor, Issued, Outcome
from commands.intake import ReceiveReferral
from events.vocabulary import Role

CHILD_SHARE = 0.6
SCREENED_OUT_SHARE = 0.1
CONSENT_SOUGHT_SHARE = 0.3
CONSENT_GIVEN_SHARE = 0.6
RELIES_ON_CONSENT_SHARE = 0.5
SPECIAL_CATEGORY_SHARE = 0.5
SENSITIVE_SHARE = 0.3
UNINVITED_RECIPIENT_SHARE = 0.1
WITHHELD_SHARE = 0.25
APPENDIX_C_SHARE = 0.3


class MovableClock(Protocol):
    moment: datetime


@dataclass(frozen=True)
class Partner:
    """An invented agency and the one person who acts for it."""

    name: str
    agency_type: str
    actor: Actor


def _partner(name: str, agency_type: str, actor_id: str, role: Role) -> Partner:
    return Partner(name, agency_type, Actor.for_agency(actor_id, role, name))


POLICE = _partner("Norfolk Constabulary", "police", "syn-police", Role.POLICE)
CHILDRENS = _partner(
    "Norfolk Children's Services",
    "children_and_young_people_services",
    "syn-cs",
    Role.CHILDRENS_SERVICES,
)
ADULTS = _partner(
    "Norfolk Adult Social Services",
    "adult_and_community_services",
    "syn-ass",
    Role.ADULT_SOCIAL_SERVICES,
)
PARTNERS = (
    _partner(
        "Norfolk Probation Service", "probation_service", "syn-probation", Role.PARTNER_AGENCY
    ),
    _partner("Riverside Academy", "education", "syn-school", Role.PARTNER_AGENCY),
    _partner("Norfolk Community Mental Health", "mental_health", "syn-mh", Role.PARTNER_AGENCY),
    _partner(
        "Broadland Housing",
        "housing_or_registered_social_landlord",
        "syn-housing",
        Role.PARTNER_AGENCY,
    ),
)
MENTORS = _partner(
    "Hope Mentoring Trust", "non_governmental_organisation", "syn-ngo", Role.PARTNER_AGENCY
)
RECOVERY = _partner(
    "Norfolk Recovery Partnership", "drug_and_alcohol_services", "syn-recovery", Role.PARTNER_AGENCY
)
EVERY_AGENCY = (POLICE, CHILDRENS, ADULTS, *PARTNERS, MENTORS, RECOVERY)
TRIAGE = Actor.for_agency("syn-triage", Role.MASH_TRIAGE, "Norfolk MASH")
CHAIR = Actor.for_agency("syn-chair", Role.MEETING_CHAIR, "Norfolk MASH")

ORDINARY = ("education", "housing", "family_and_relationships", "risk_assessment")
SPECIAL = ("police_intelligence", "mental_health", "criminal_history", "beliefs")
POLICE_BASES = ["uk.part3-s35-law-enforcement", "uk.part3-sch8-safeguarding", "uk.ctsa2015-s38"]
PUBLIC_TASK_BASES = ["uk.public-task-art6-1e", "uk.sch1-para18-safeguarding", "uk.ctsa2015-s38"]
CONSENT_BASES = ["uk.consent-art6-1a", "uk.explicit-consent-art9-2a"]
HANDLING_ADVICE = ("Restricted case file only.", "Store with the case; do not forward.")
RISK = {
    "nature_and_pattern_of_behaviour": "Invented pattern.",
    "nature_of_risk": "Invented risk.",
    "who_is_at_risk": ["subject"],
    "factors_reducing_risk": "Invented factors.",
    "medical_explanation": "unknown",
}
PRINCIPLES = ("power_to_share", "necessary", "relevant", "proportionate", "non_discriminatory")
JUSTIFICATIONS = (
    "power_to_share",
    "necessity",
    "relevance",
    "proportionality",
    "non_discrimination",
)


@dataclass
class Year:
    """What the generator made, for tests and reports."""

    agencies: dict[str, UUID] = field(default_factory=dict)
    referrals: list[UUID] = field(default_factory=list)
    disclosures: int = 0
    refused: int = 0


@dataclass(frozen=True)
class Step:
    at: datetime
    run: Callable[[], object]


class _World:
    """The ledger, the clock and the agencies every case shares."""

    def __init__(self, ledger: ReferralLedger, clock: MovableClock, seed: int) -> None:
        self.ledger = ledger
        self.clock = clock
        self.seed = seed
        self.year = Year()

    def id_of(self, partner: Partner) -> str:
        return str(self.year.agencies[partner.name])

    def register_agencies(self, before: datetime) -> None:
        self.clock.moment = before
        for partner in EVERY_AGENCY:
            command = RegisterAgency.model_validate(
                {"name": partner.name, "agency_type": partner.agency_type}
            )
            outcome = self.ledger.register_agency(command, Issued(TRIAGE, uuid4()))
            self.year.agencies[partner.name] = outcome.aggregate_id

    def isp_history(self, start: date) -> Iterator[Step]:
        """The mentors sign, lapse mid-year and sign again; recovery signs for a while."""
        yield self._at(start, partial(self._sign, MENTORS, start, None))
        lapsed = start + timedelta(days=150)
        yield self._at(lapsed, partial(self._lapse, MENTORS, lapsed))
        resigned = start + timedelta(days=240)
        yield self._at(resigned, partial(self._sign, MENTORS, resigned, None))
        signed, ends = start + timedelta(days=60), start + timedelta(days=300)
        yield self._at(signed, partial(self._sign, RECOVERY, signed, ends))

    @staticmethod
    def _at(day: date, run: Callable[[], object]) -> Step:
        return Step(datetime.combine(day, time(8), tzinfo=UTC), run)

    def _sign(self, partner: Partner, effective_from: date, until: date | None) -> None:
        agency_id = self.year.agencies[partner.name]
        command = SignIsp(
            expected_version=self.ledger.agency(agency_id).version,
            isp_version="NCCSP ISP v4",
            effective_from=effective_from,
            effective_until=until,
            signatory_position="Chief Executive",
        )
        self.ledger.sign_isp(agency_id, command, Issued(TRIAGE, uuid4()))

    def _lapse(self, partner: Partner, lapsed_on: date) -> None:
        agency_id = self.year.agencies[partner.name]
        command = LapseIsp(
            expected_version=self.ledger.agency(agency_id).version,
            lapsed_on=lapsed_on,
            reason="Not renewed",
        )
        self.ledger.lapse_isp(agency_id, command, Issued(TRIAGE, uuid4()))


class _Case:
    """One referral's script; later steps read what earlier steps recorded."""

    def __init__(self, world: _World, number: int, start: datetime) -> None:
        self.world = world
        self.rng = random.Random(world.seed * 1000 + number)  # noqa: S311 (invented data)
        self.start = start
        self.referral_id = uuid4()
        self.version = 0
        self.child = self.rng.random() < CHILD_SHARE
        self.social = CHILDRENS if self.child else ADULTS
        self.invited: list[Partner] = []
        self.consent_given = False

    def script(self) -> Iterator[Step]:
        yield from self._triage()
        if self.screened_out:
            return
        yield from self._strategy_discussion()
        if not self.vtr_appropriate:
            return
        yield from self._strategy_meeting()
        yield from self._review()

    # -- stages --------------------------------------------------------------------------

    def _triage(self) -> Iterator[Step]:
        yield Step(self.start, self._receive)
        yield Step(self._hours(1), partial(self._send, "record_security_checks", TRIAGE))
        self.screened_out = self.rng.random() < SCREENED_OUT_SHARE
        if self.screened_out:
            reasons = {"reasons": ["clearly_not_vulnerable"]}
            yield Step(self._hours(2), partial(self._send, "screen_out", TRIAGE, reasons))
            return
        yield Step(self._hours(2), partial(self._send, "screen_in", TRIAGE))
        schedule = {
            "scheduled_for": self._hours(53).isoformat(),
            "lead_officer": POLICE.actor.actor_id,
            "social_care_service": self.social.actor.role.value,
            "social_care_representative": self.social.actor.actor_id,
        }
        yield Step(
            self._hours(3),
            partial(self._send, "schedule_strategy_discussion", POLICE.actor, schedule),
        )

    def _strategy_discussion(self) -> Iterator[Step]:
        after = self._hours(54)
        police = POLICE.actor
        yield Step(
            after, partial(self._send, "consult_referrer", police, {"involvement": "consulted"})
        )
        yield Step(
            after, partial(self._send, "record_risk_assessment", police, {"assessment": RISK})
        )
        yield Step(after, partial(self._consent_decision, "preliminary_assessment"))
        yield Step(after, partial(self._disclose, POLICE, [self.social], "strategy_discussion"))
        yield Step(after, partial(self._disclose, self.social, [POLICE], "strategy_discussion"))
        outcome = self.rng.choices(
            ["vtr_appropriate", "alternative_support", "exit"], [65, 20, 15]
        )[0]
        self.vtr_appropriate = outcome == "vtr_appropriate"
        decision: dict[str, Any] = {"outcome": outcome}
        if self.vtr_appropriate:
            decision["vtr_category"] = "Mixed or unclear"
        else:
            decision["reasons"] = "Support better met elsewhere."
        yield Step(after, partial(self._send, "conclude_strategy_discussion", police, decision))
        yield Step(after, partial(self._send, "sign_mash_decision", police, {"capacity": "police"}))
        social = {"capacity": self.social.actor.role.value}
        yield Step(after, partial(self._send, "sign_mash_decision", self.social.actor, social))

    def _strategy_meeting(self) -> Iterator[Step]:
        self.meeting = self._hours(24 * 9 + 1)
        convene = {"meeting_at": self.meeting.isoformat(), "chair": CHAIR.actor_id}
        yield Step(self._hours(56), partial(self._send, "convene_strategy_meeting", CHAIR, convene))
        others = self.rng.sample([*PARTNERS, MENTORS, RECOVERY], 3)
        for partner in (POLICE, self.social, *others):
            yield Step(self._hours(57), partial(self._invite, partner))
        held = self.meeting + timedelta(minutes=5)
        statement = {"statement_version": "appendix-c/2018"}
        yield Step(held, partial(self._send, "read_confidentiality_statement", CHAIR, statement))
        yield Step(held, partial(self._consent_decision, "panel"))
        for _ in range(self.rng.randint(2, 4)):
            yield Step(held + timedelta(minutes=10), self._disclose_at_meeting)
        if self.rng.random() < WITHHELD_SHARE:
            yield Step(held + timedelta(minutes=20), self._withhold)
        if self.rng.random() < APPENDIX_C_SHARE:
            yield Step(held + timedelta(minutes=30), self._appendix_c)
        yield Step(held + timedelta(minutes=40), self._conclude_meeting)

    def _review(self) -> Iterator[Step]:
        review_on = (self.meeting + timedelta(days=35)).date()
        reviewed = datetime.combine(review_on, time(11), tzinfo=UTC)
        discloser = self.rng.choice(self.invited)
        recipient = POLICE if discloser is not POLICE else self.social
        yield Step(reviewed, partial(self._disclose, discloser, [recipient], "review"))
        review = {
            "held_on": review_on.isoformat(),
            "outcome": "conclude",
            "progress_notes": "Done.",
        }
        yield Step(reviewed, partial(self._send, "hold_review", CHAIR, review))

    # -- steps ---------------------------------------------------------------------------

    def _hours(self, hours: int) -> datetime:
        return self.start + timedelta(hours=hours)

    def _receive(self) -> None:
        form = {
            "received_at": (self.start - timedelta(minutes=30)).isoformat(),
            "received_via": "mash_email",
            "referring_agency": self.rng.choice(PARTNERS).name,
            "subject_age_group": "child" if self.child else "adult",
            "subject": {
                "full_name": f"Synthetic Person {self.referral_id.hex[:6]}",
                "address": {"lines": ["1 Invented Road", "Norwich"]},
            },
            "concern": {"reasons_for_referral": "Invented.", "background_and_risk": "Invented."},
            "referrer": {
                "full_name": "Synthetic Referrer",
                "position": "Designated safeguarding lead",
                "contact": {"email": "referrer@invented.example"},
            },
        }
        command = ReceiveReferral.model_validate(form)
        outcome = self.world.ledger.receive_referral(command, Issued(TRIAGE, uuid4()))
        self.referral_id, self.version = outcome.aggregate_id, outcome.version
        self.world.year.referrals.append(self.referral_id)

    def _send(self, handler: str, actor: Actor, fields: dict[str, Any] | None = None) -> None:
        """Issue one ledger command by the name of its method."""
        handle = getattr(self.world.ledger, handler)
        command = command_model(handler).model_validate(
            {"expected_version": self.version, **(fields or {})}
        )
        outcome: Outcome = handle(self.referral_id, command, Issued(actor, uuid4()))
        self.version = outcome.version

    def _attempt(self, handler: str, actor: Actor, fields: dict[str, Any]) -> bool:
        """A command the guidance may refuse; a refusal is recorded by the ledger and counted."""
        try:
            self._send(handler, actor, fields)
        except DomainError:
            self.world.year.refused += 1
            return False
        return True

    def _consent_decision(self, stage: str) -> None:
        seeker = self.social
        seek = self.rng.random() < CONSENT_SOUGHT_SHARE
        approach: dict[str, Any] = {"stage": stage, "seek": seek}
        if seek:
            approach["seeker_agency_id"] = self.world.id_of(seeker)
        else:
            approach["reasons_not_sought"] = ["would_inhibit_support_or_risk_management"]
        self._send("decide_consent_approach", POLICE.actor, approach)
        if not seek or self.consent_given:
            return
        today = self.world.clock.moment.date().isoformat()
        sought = {"seeker_agency_id": self.world.id_of(seeker), "sought_on": today}
        self._send("seek_consent", seeker.actor, sought)
        self.consent_given = self.rng.random() < CONSENT_GIVEN_SHARE
        if self.consent_given:
            given = {
                "given_by": "subject",
                "freely_given": True,
                "informed_of_who_and_why": True,
                "told_can_withdraw": True,
                "given_on": today,
            }
            self._send("record_consent_given", seeker.actor, given)

    def _invite(self, partner: Partner) -> None:
        if self._attempt("invite_agency", CHAIR, {"agency_id": self.world.id_of(partner)}):
            self.invited.append(partner)

    def _disclose_at_meeting(self) -> None:
        discloser = self.rng.choice(self.invited)
        others = [p for p in self.invited if p is not discloser]
        recipients = self.rng.sample(others, self.rng.randint(1, len(others)))
        if self.rng.random() < UNINVITED_RECIPIENT_SHARE:
            outsider = next(p for p in (MENTORS, RECOVERY, *PARTNERS) if p not in self.invited)
            recipients.append(outsider)
        self._disclose(discloser, recipients, "strategy_meeting")

    def _disclose(self, discloser: Partner, recipients: list[Partner], context: str) -> None:
        body = self._disclosure_body(discloser, recipients, context)
        if self._attempt("disclose", discloser.actor, body):
            self.world.year.disclosures += 1

    def _disclosure_body(
        self, discloser: Partner, recipients: list[Partner], context: str
    ) -> dict[str, Any]:
        special = self.rng.random() < SPECIAL_CATEGORY_SHARE
        on_consent = self.consent_given and self.rng.random() < RELIES_ON_CONSENT_SHARE
        if on_consent:
            bases = CONSENT_BASES
        else:
            bases = POLICE_BASES if discloser is POLICE else PUBLIC_TASK_BASES
        recipient_ids = [self.world.id_of(r) for r in recipients]
        body: dict[str, Any] = {
            "context": context,
            "disclosing_agency_id": self.world.id_of(discloser),
            "recipient_agency_ids": recipient_ids,
            "information_category": self.rng.choice(SPECIAL if special else ORDINARY),
            "content": "Invented information.",
            "legal_basis_ids": bases,
            "principles": dict.fromkeys(PRINCIPLES, True),
            "justification": dict.fromkeys(JUSTIFICATIONS, "Invented."),
            "need_to_know": [
                {"agency_id": agency, "needs_to_know": True, "rationale": "Invented."}
                for agency in recipient_ids
            ],
            "particularly_sensitive": self.rng.random() < SENSITIVE_SHARE,
            "handling_advice": self.rng.choice(HANDLING_ADVICE),
        }
        if not on_consent:
            body["public_interest"] = {
                "grounds": ["protection_of_vulnerable_members_of_the_community"],
                "consent_considered": True,
                "overrides_confidentiality_and_privacy": True,
            }
            body["public_interest_reasoning"] = "Invented."
        return body

    def _withhold(self) -> None:
        holder = self.rng.choice(self.invited)
        withheld = {
            "withholding_agency_id": self.world.id_of(holder),
            "information_category": "police_intelligence" if holder is POLICE else "health",
            "reason": "would_prejudice_an_investigation",
        }
        self._send("withhold", holder.actor, withheld)

    def _appendix_c(self) -> None:
        disclosures = self.world.ledger.referral(self.referral_id).state.disclosures
        if not disclosures:
            return
        first = disclosures[0]
        if first.context == "strategy_meeting":
            onward = {
                "disclosure_no": 1,
                "to_bodies": ["MAPPA panel"],
                "official_purpose": "Risk management.",
            }
            self._send("sanction_onward_disclosure", CHAIR, onward)
        owner = next(p for p in EVERY_AGENCY if p.name == first.disclosing_agency.name)
        decision = {"disclosure_no": 1, "decision": self.rng.choice(["approved", "refused"])}
        self._send("decide_subject_discussion", owner.actor, decision)

    def _conclude_meeting(self) -> None:
        conclusion = {
            "outcome": "support_package",
            "review_on": (self.meeting + timedelta(days=35)).date().isoformat(),
            "actions": [
                {"description": "Mentoring sessions", "lead_agency": self.invited[-1].name}
            ],
        }
        self._send("conclude_strategy_meeting", CHAIR, conclusion)


def generate_year(
    ledger: ReferralLedger,
    clock: MovableClock,
    *,
    cases: int = 24,
    start: date = date(2025, 1, 6),
    seed: int = 7,
) -> Year:
    """Record a synthetic year through the ledger, moving `clock` as business time passes."""
    world = _World(ledger, clock, seed)
    begin = datetime.combine(start, time(9), tzinfo=UTC)
    world.register_agencies(begin - timedelta(days=7))
    spacing = timedelta(days=330) / max(cases, 1)
    scripts = [world.isp_history(start)]
    scripts += [_Case(world, n, begin + n * spacing).script() for n in range(cases)]
    _run_in_time_order(scripts, clock)
    return world.year


def _run_in_time_order(scripts: list[Iterator[Step]], clock: MovableClock) -> None:
    queue: list[tuple[datetime, int, Step]] = []
    for index, script in enumerate(scripts):
        first = next(script, None)
        if first is not None:
            queue.append((first.at, index, first))
    heapq.heapify(queue)
    while queue:
        moment, index, step = heapq.heappop(queue)
        clock.moment = max(clock.moment, moment)
        step.run()
        following = next(scripts[index], None)
        if following is not None:
            heapq.heappush(queue, (following.at, index, following))
