"""A synthetic year of information sharing: agencies, cases and disclosures, all invented.

Each case goes along the process's paths (`scenarios.builder`), and what is shared on the way
is taken as the catalogue's steps (`scenarios.steps`) between them. A case's script says what
it does and how much business time passes in between; the scripts run merged in time order,
so business time only moves forward. The same seed gives the same year. Some attempts are
refused on purpose (an agency without a valid protocol signature, a recipient who was never
invited), so the registers hold refused attempts too.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any
from uuid import UUID

from commands.application import ReferralLedger
from commands.context import Actor
from events.vocabulary import Role
from scenarios import builder, steps
from scenarios.builder import Case, Cast, Later, MovableClock, Scenario, Scene
from scenarios.drivers import LedgerDriver
from scenarios.step import ActingFor, FromNow, Part, Step, today

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
# Minutes are drafted this many days after the meeting (local policy: within five working
# days), so some are late; and an action is done on time, late, or not at all.
MINUTES_DELAY_DAYS = (1, 1, 2, 3, 4, 8, 12)
ACTION_DONE_SHARE = 0.6


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
HUB = _partner("Norfolk MASH", "multi_agency_safeguarding_hub", "syn-hub", Role.MASH_TRIAGE)
EVERY_AGENCY = (POLICE, CHILDRENS, ADULTS, *PARTNERS, MENTORS, RECOVERY, HUB)
TRIAGE = Actor.for_agency("syn-triage", Role.MASH_TRIAGE, HUB.name)
CHAIR = Actor.for_agency("syn-chair", Role.MEETING_CHAIR, HUB.name)
MINUTE_TAKER = Actor.for_agency("syn-minutes", Role.MINUTE_TAKER, HUB.name)
SYNTHETIC_CAST = Cast(
    parts={
        Part.TRIAGE: TRIAGE,
        Part.POLICE: POLICE.actor,
        Part.CHILDRENS_SERVICES: CHILDRENS.actor,
        Part.ADULT_SOCIAL_SERVICES: ADULTS.actor,
        Part.CHAIR: CHAIR,
    },
    agencies={partner.name: partner.actor for partner in EVERY_AGENCY},
)

ORDINARY = ("education", "housing", "family_and_relationships", "risk_assessment")
SPECIAL = ("police_intelligence", "mental_health", "criminal_history", "beliefs")
POLICE_BASES = ("uk.part3-s35-law-enforcement", "uk.part3-sch8-safeguarding", "uk.ctsa2015-s38")
HANDLING_ADVICE = ("Restricted case file only.", "Store with the case; do not forward.")


@dataclass
class Year:
    """What the generator made, for tests and reports."""

    agencies: dict[str, UUID] = field(default_factory=dict)
    referrals: list[UUID] = field(default_factory=list)
    disclosures: int = 0
    refused: int = 0
    minutes_circulated: int = 0
    actions: int = 0


Beat = Later | Callable[[], object]
"""What a script does next: lets its business time move on (`Later`), or acts now."""


def generate_year(
    ledger: ReferralLedger,
    clock: MovableClock,
    *,
    cases: int = 24,
    start: date = date(2025, 1, 6),
    seed: int = 7,
) -> Year:
    """Record a synthetic year through the ledger, moving `clock` as business time passes."""
    scenario = Scenario(LedgerDriver(ledger), SYNTHETIC_CAST, clock)
    begin = datetime.combine(start, time(9), tzinfo=UTC)
    scenario.at(begin - timedelta(days=7))
    year = Year(agencies=scenario.register({p.name: p.agency_type for p in EVERY_AGENCY}))
    spacing = timedelta(days=330) / max(cases, 1)
    signing = datetime.combine(start, time(8), tzinfo=UTC)
    scripts = [(signing, _mentors_protocol(scenario)), (signing, _recovery_protocol(scenario))]
    scripts += [
        (begin + number * spacing, _Case(scenario, ledger, year, seed, number).script())
        for number in range(cases)
    ]
    _run_in_time_order(scripts, clock)
    return year


def _mentors_protocol(scenario: Scenario) -> Iterator[Beat]:
    """The mentors sign the Information Sharing Protocol, let it lapse mid-year, sign again."""
    yield partial(scenario.take, steps.isp_signed(MENTORS.name))
    yield Later(days=150)
    yield partial(scenario.take, steps.isp_lapsed(MENTORS.name))
    yield Later(days=90)
    yield partial(scenario.take, steps.isp_signed(MENTORS.name))


def _recovery_protocol(scenario: Scenario) -> Iterator[Beat]:
    """The recovery partnership signs for a while: from day 60 until day 300."""
    yield Later(days=60)
    yield partial(scenario.take, steps.isp_signed(RECOVERY.name).but(effective_until=today(240)))


class _Case:
    """One referral's script: along the process's paths, sharing on the way; later beats read
    what earlier ones recorded."""

    case: Case  # received by the script's first beat

    def __init__(
        self, scenario: Scenario, ledger: ReferralLedger, year: Year, seed: int, number: int
    ) -> None:
        self.scenario = scenario
        self.ledger = ledger
        self.year = year
        self.number = number
        self.rng = random.Random(seed * 1000 + number)  # noqa: S311 (invented data)
        self.child = self.rng.random() < CHILD_SHARE
        self.social = CHILDRENS if self.child else ADULTS
        self.social_care = Part.CHILDRENS_SERVICES if self.child else Part.ADULT_SOCIAL_SERVICES
        self.come: list[Scene] = []  # how far along the process's paths the case has come
        self.invited: list[Partner] = []
        self.consent_given = False
        self.vtr_appropriate = False

    def script(self) -> Iterator[Beat]:
        yield self._receive
        yield Later(hours=1)
        if self.rng.random() < SCREENED_OUT_SHARE:
            yield from self._along(builder.to_screened_out())
            return
        yield from self._along(builder.to_screened_in())
        yield Later(hours=2)
        yield from self._along(builder.to_strategy_discussion(self.social_care))
        yield Later(hours=51)
        yield from self._strategy_discussion()
        if not self.vtr_appropriate:
            return
        yield Later(days=7)
        yield from self._strategy_meeting()
        yield from self._minuted()
        yield from self._review()

    # -- stages --------------------------------------------------------------------------

    def _along(self, path: list[Scene]) -> Iterator[Beat]:
        """The rest of one of the process's paths, from as far as the case has come on it."""
        for scene in builder.onward(path, self.come):
            yield scene if isinstance(scene, Later) else partial(self._take, scene)
        self.come = path

    def _strategy_discussion(self) -> Iterator[Beat]:
        """Two days on, the discussion: consent considered, police and social care share,
        the decision made and signed."""
        yield from self._along(builder.to_ready_to_decide(self.social_care))
        yield partial(self._consent_decision, "preliminary_assessment")
        yield partial(self._disclose, POLICE, [self.social], "strategy_discussion")
        yield partial(self._disclose, self.social, [POLICE], "strategy_discussion")
        outcome = self.rng.choices(
            ["vtr_appropriate", "alternative_support", "exit"], [65, 20, 15]
        )[0]
        self.vtr_appropriate = outcome == "vtr_appropriate"
        yield from self._along(builder.to_signed(outcome, self.social_care))

    def _strategy_meeting(self) -> Iterator[Beat]:
        """A week on, the meeting: agencies invited (one may not have a valid protocol
        signature), the confidentiality statement read, sharing among those at the table,
        and a support package agreed."""
        yield from self._along(builder.to_strategy_meeting(self.social_care))
        others = self.rng.sample([*PARTNERS, MENTORS, RECOVERY], 3)
        for partner in (POLICE, self.social, *others):
            yield partial(self._invite, partner)
        yield Later(minutes=5)
        yield partial(self._take, steps.confidentiality_statement_read())
        yield partial(self._consent_decision, "panel")
        yield Later(minutes=5)
        for _ in range(self.rng.randint(2, 4)):
            yield self._disclose_at_meeting
        yield Later(minutes=10)
        if self.rng.random() < WITHHELD_SHARE:
            yield self._withhold
        yield Later(minutes=10)
        if self.rng.random() < APPENDIX_C_SHARE:
            yield self._appendix_c
        yield Later(minutes=10)
        yield from self._along(builder.to_support(self.social_care))

    def _minuted(self) -> Iterator[Beat]:
        """The meeting as section 6 records it: attendance (the police by an Inspector), one
        or two actions, the minutes drafted some days on (late now and then), approved and
        circulated to those present; then the actions done, late, or left open."""
        present = [(p.actor.actor_id, p.name, "inspector" if p is POLICE else None)
                   for p in self.invited]  # fmt: skip
        self._take(
            steps.meeting_scheduled("strategy_meeting", MINUTE_TAKER.actor_id, FromNow(hours=-1))
        )
        if not self.case.attempt(steps.attendance_recorded(1, present)):
            return
        leads = self.rng.sample(self.invited, self.rng.randint(1, min(2, len(self.invited))))
        for lead in leads:
            due = today(self.rng.randint(14, 40))
            self._take(steps.action_agreed(1, lead.name, lead.actor.actor_id, due))
        self.year.actions += len(leads)
        yield Later(days=self.rng.choice(MINUTES_DELAY_DAYS))
        self._take(steps.minutes_drafted(1, MINUTE_TAKER, list(range(1, len(leads) + 1))))
        self._take(steps.minutes_approved(1))
        if self.case.attempt(steps.minutes_circulated(1, HUB.name)):
            self.year.minutes_circulated += 1
            self.year.disclosures += 1
        yield Later(days=self.rng.randint(10, 50))
        for number, lead in enumerate(leads, start=1):
            if self.rng.random() < ACTION_DONE_SHARE:
                self._take(steps.action_completed(number, ActingFor(lead.name)))

    def _review(self) -> Iterator[Beat]:
        """At the first review an agency reports back, and the review agrees the exit."""
        yield from self._along(builder.to_first_review(self.social_care))
        discloser = self.rng.choice(self.invited)
        recipient = POLICE if discloser is not POLICE else self.social
        yield partial(self._disclose, discloser, [recipient], "review")
        yield from self._along(builder.to_exit_agreed(self.social_care))

    # -- steps ---------------------------------------------------------------------------

    def _receive(self) -> None:
        form: Mapping[str, Any] = {
            **steps.MINIMAL_FORM,
            "received_at": FromNow(hours=-0.5),
            "referring_agency": self.rng.choice(PARTNERS).name,
            "subject_age_group": "child" if self.child else "adult",
            "subject": {
                **steps.MINIMAL_FORM["subject"],
                "full_name": f"Synthetic Person {self.number + 1:04d}",
            },
            "referrer": {**steps.MINIMAL_FORM["referrer"], "full_name": "Synthetic Referrer"},
        }
        self.case = self.scenario.case(steps.referral_received(form))
        self.year.referrals.append(self.case.referral_id)

    def _take(self, step: Step) -> None:
        self.case.then(step)

    def _attempt(self, step: Step) -> bool:
        """A step the guidance may refuse; a refusal is recorded by the ledger and counted."""
        accepted = self.case.attempt(step)
        if not accepted:
            self.year.refused += 1
        return accepted

    def _consent_decision(self, stage: str) -> None:
        seeker = self.social.name
        seek = self.rng.random() < CONSENT_SOUGHT_SHARE
        self._take(steps.consent_approach_decided(stage, seeker if seek else None))
        if not seek or self.consent_given:
            return
        self._take(steps.consent_sought(seeker).taken_by(ActingFor(seeker)))
        self.consent_given = self.rng.random() < CONSENT_GIVEN_SHARE
        if self.consent_given:
            self._take(steps.consent_given("subject").taken_by(ActingFor(seeker)))

    def _invite(self, partner: Partner) -> None:
        if self._attempt(steps.agency_invited(partner.name)):
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
        special = self.rng.random() < SPECIAL_CATEGORY_SHARE
        on_consent = self.consent_given and self.rng.random() < RELIES_ON_CONSENT_SHARE
        bases: tuple[str, ...] = steps.ON_EXPLICIT_CONSENT
        if not on_consent:
            bases = POLICE_BASES if discloser is POLICE else steps.PUBLIC_TASK
        disclosure = steps.disclosed(
            discloser.name,
            [recipient.name for recipient in recipients],
            context=context,
            category=self.rng.choice(SPECIAL if special else ORDINARY),
            bases=bases,
        ).but(
            particularly_sensitive=self.rng.random() < SENSITIVE_SHARE,
            handling_advice=self.rng.choice(HANDLING_ADVICE),
        )
        if self._attempt(disclosure):
            self.year.disclosures += 1

    def _withhold(self) -> None:
        holder = self.rng.choice(self.invited)
        self._take(
            steps.withheld(holder.name, "police_intelligence" if holder is POLICE else "health")
        )

    def _appendix_c(self) -> None:
        """The first disclosure's onward sharing sanctioned (if made at the meeting), and its
        owner's decision on discussing it with the subject."""
        disclosures = self.ledger.referral(self.case.referral_id).state.disclosures
        if not disclosures:
            return
        first = disclosures[0]
        if first.context == "strategy_meeting":
            self._take(steps.onward_disclosure_sanctioned(1))
        decision = self.rng.choice(["approved", "refused"])
        self._take(steps.subject_discussion_decided(first.disclosing_agency.name, 1, decision))


def _run_in_time_order(scripts: list[tuple[datetime, Iterator[Beat]]], clock: MovableClock) -> None:
    """Each script from its start, at business time of its own, merged in time order."""
    queue = [(start, index) for index, (start, _) in enumerate(scripts)]
    heapq.heapify(queue)
    while queue:
        moment, index = heapq.heappop(queue)
        clock.moment = max(clock.moment, moment)
        for beat in scripts[index][1]:
            if isinstance(beat, Later):
                delta = timedelta(days=beat.days, hours=beat.hours, minutes=beat.minutes)
                heapq.heappush(queue, (moment + delta, index))
                break
            beat()
