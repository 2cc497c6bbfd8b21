"""Property (issue 13, acceptance 2): whatever was recorded, and in whatever order, the case,
its history and who knew what read `as_of` the moment each step was recorded exactly as they
read live right after it.

Each example is a fresh service on an SQLite store, driven over HTTP. Hypothesis draws the
script: the process moved on, disclosures (different disclosers, recipients, categories,
legal bases and contexts, some refused by a rule and recorded as refused attempts), consent
sought, given and withdrawn, withholdings, invitations, the end of agencies' involvement,
complete and partial disposal confirmations, legal holds, an erasure at some point,
arbitrary and stale commands (refused, recording nothing), and the clock moved between
steps by microseconds to weeks. After every step, accepted or refused, the live reads are
captured at the clock's moment; at the end each moment is read back `as_of`, written in one
of several offsets.

The live knowledge read is itself the knowledge fold as of now, so for knowledge this says
that nothing recorded after a moment leaks into it (and that the folds agree), not that the
fold is right.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx2 as httpx
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from aggregates.referral_state import ReferralState, Stage
from api.bootstrap import Runtime
from api.http.app import create_app
from api.settings import Settings
from events.vocabulary import ConsentStatus
from scenarios import builder, steps
from scenarios.http_driver import ACCEPTED
from scenarios.step import Step
from tests.api_client import Api
from tests.integration.test_process_properties import arbitrary, sensible
from tests.sharing_support import (
    ADULTS,
    AGENCY_TYPES,
    CHILDRENS,
    MENTORS,
    POLICE,
    SCHOOL,
    sharing_record,
)
from tests.support import ACTORS, FixedClock, referral_form, write_token_table

DISCLOSERS = (POLICE, POLICE, CHILDRENS, SCHOOL)  # the school only once involved
# The agencies the cast has someone acting for. The mentoring trust has signed no ISP, so
# what is shared with it is refused (and the refused attempt recorded): drawn less often.
RECIPIENTS = (POLICE, CHILDRENS, ADULTS, SCHOOL)
AGENCIES = (*RECIPIENTS, MENTORS)
CATEGORIES = ("education", "risk_assessment", "police_intelligence", "mental_health")
BASES = (
    *[steps.PUBLIC_TASK] * 3,
    ("uk.public-task-art6-1e", "uk.health-social-care-art9-2h", "uk.children-act-1989-s47"),
    ("uk.legal-obligation-art6-1c", "uk.children-act-2004-s11"),  # no special-category condition
    steps.ON_EXPLICIT_CONSENT,  # consent is never in force here: refused
)
CONTEXT_OF_STAGE = {
    Stage.STRATEGY_DISCUSSION: "strategy_discussion",
    Stage.STRATEGY_MEETING: "strategy_meeting",
    Stage.SUPPORT_AND_REVIEW: "review",
}
BEFORE_THE_MEETING = {
    Stage.AWAITING_STRATEGY_DISCUSSION,
    Stage.STRATEGY_DISCUSSION,
    Stage.AWAITING_SECTION_2_SIGNATURES,
    Stage.AWAITING_STRATEGY_MEETING,
}
CONTEXTS = ("strategy_discussion", "strategy_meeting", "review", "outside_meeting")
KEY_GROUPS = ("subject", "third_party", "referrer")
# Weighted: the process and sharing come up most; an erasure, also drawn after the first
# moves (after which most steps are refused), least.
MOVES = (
    *["process"] * 6,
    *["disclose"] * 5,
    *["confirm_disposal"] * 4,  # an agency's involvement ended first, while none is owed
    *["end_involvement"] * 2,
    *["consent"] * 2,
    "withhold",
    "invite",
    "statement",
    "legal_hold",
    "erase",
    *["arbitrary"] * 2,
)
CLOCK_MOVES = st.one_of(
    st.just(timedelta(0)),
    st.integers(1, 999_999).map(lambda n: timedelta(microseconds=n)),
    st.integers(1, 59).map(lambda n: timedelta(seconds=n)),
    st.integers(1, 180).map(lambda n: timedelta(minutes=n)),
    st.integers(1, 48).map(lambda n: timedelta(hours=n)),
    st.integers(1, 45).map(lambda n: timedelta(days=n)),
)
SHOWN = {  # what the statistics count, to see that the scripts reach it
    "InformationDisclosed",
    "DisclosureWithheld",
    "AgencyInvitedToStrategyMeeting",
    "AgencyInvolvementEnded",
    "DisposalConfirmed",
    "LegalHoldPlaced",
    "ErasureExecuted",
    "StrategyMeetingConvened",
    "ProcessConcluded",
    "ConsentGiven",
}
# The offsets the `as_of` moments are written in (the same instants whichever).
ZONES = (UTC, ZoneInfo("Europe/London"), timezone(-timedelta(hours=9, minutes=30)))
CASE_READER, KNOWLEDGE_READER = "triage-1", "dpo-1"


@dataclass(frozen=True)
class Moment:
    """What the ledger answered live right after one step, and when that step was taken."""

    at: datetime
    step: str
    log_position: int
    case: dict[str, Any]
    history: list[dict[str, Any]]
    knowledge: list[dict[str, Any]]


@contextmanager
def fresh_service() -> Iterator[tuple[Api, FixedClock]]:
    """A service of its own for one example: a new SQLite store, the test tokens, a clock."""
    with tempfile.TemporaryDirectory(prefix="vtr-as-of-") as directory:
        root = Path(directory)
        write_token_table(root / "tokens.json")
        config = Settings(store="sqlite", data_dir=root / "data", tokens_file=root / "tokens.json")
        clock = FixedClock()
        with TestClient(create_app(config, clock=clock)) as client:
            yield Api(client), clock


class Script:
    """One referral taken step by step over HTTP, each step a second after the clock's last
    move, with the live reads captured after each."""

    def __init__(self, api: Api, clock: FixedClock) -> None:
        self.api, self.clock = api, clock
        self.scenario = api.scenario()
        self.driver = api.driver()
        self.referral_id: UUID | None = None
        self.moments: list[Moment] = []

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.api.client.app.state.runtime  # type: ignore[attr-defined]
        return runtime

    @property
    def state(self) -> ReferralState:
        """The referral as the ledger has it now: what the next move is drawn for."""
        assert self.referral_id is not None
        state: ReferralState = self.runtime.ledger.referral(self.referral_id).state
        return state

    @property
    def version(self) -> int:
        assert self.referral_id is not None
        return self.api.versions[self.referral_id]

    def take(self, step: Step, label: str) -> bool:
        """Take the step; whether it was accepted. A refused step must have recorded nothing
        but, for a refused attempt to share, the refusal itself."""
        self.clock.advance(seconds=1)
        body, actor = self.scenario.concrete(step)
        response = self.driver.request(step.command, self.referral_id, body, actor)
        accepted = response.status_code in ACCEPTED
        note(f"{label}: {step.command} by {actor.actor_id} -> {response.status_code}")
        if self.referral_id is None:
            assert accepted, response.text
            self.referral_id = UUID(response.json()["referral_id"])
        refusal = not accepted and "refused_attempt_id" in response.json()
        now = self.read(label, refusal)
        if accepted:
            self.check_recorded_now(now)
        elif self.moments:
            self.check_recorded_nothing(step, response, now)
        self.moments.append(now)
        return accepted

    def read(self, label: str, refusal: bool) -> Moment:
        """The case, its history and its knowledge live, with the case view caught up with
        the log, and the register too after a refused attempt was recorded (the knowledge
        reads refused attempts from it)."""
        assert self.referral_id is not None
        position = self.runtime.ledger.recorder.max_notification_id() or 0
        case = self.api.case(self.referral_id, after=position)
        if refusal:
            sharing_record(self.api, self.referral_id)
        answer = self.api.client.get(
            f"/referrals/{self.referral_id}/knowledge", headers=self.api.headers(KNOWLEDGE_READER)
        )
        assert answer.status_code == 200, answer.text
        return Moment(
            at=self.clock.now(),
            step=label,
            log_position=position,
            case=case,
            history=self.api.history(self.referral_id),
            knowledge=answer.json()["agencies"],
        )

    def check_recorded_now(self, now: Moment) -> None:
        before = self.moments[-1].history if self.moments else []
        added = now.history[len(before) :]
        assert now.history[: len(before)] == before, "an accepted step rewrote the history"
        assert added, "an accepted step recorded nothing"
        assert {datetime.fromisoformat(e["occurred_at"]) for e in added} == {now.at}

    def check_recorded_nothing(self, step: Step, response: httpx.Response, now: Moment) -> None:
        before = self.moments[-1]
        assert response.headers["content-type"] == "application/problem+json", response.text
        assert (now.case, now.history) == (before.case, before.history), (
            f"refused {step.command} changed the referral"
        )
        if "refused_attempt_id" in response.json():
            assert now.log_position == before.log_position + 1, "one refused attempt recorded"
        else:
            assert now.log_position == before.log_position, f"refused {step.command} recorded"
            assert now.knowledge == before.knowledge

    def as_of(self, path: str, moment: datetime, by: str, zone: tzinfo) -> Any:
        answer = self.api.client.get(
            f"/referrals/{self.referral_id}{path}",
            params={"as_of": moment.astimezone(zone).isoformat()},
            headers=self.api.headers(by),
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    def check_every_moment(self, zone: tzinfo) -> None:
        """Each captured moment, read `as_of` (written in `zone`), answers as it did live."""
        for number, moment in enumerate(self.moments):
            where = f"moment {number} ({moment.step}) at {moment.at.isoformat()}"
            assert self.as_of("", moment.at, CASE_READER, zone)["case"] == moment.case, where
            events = self.as_of("/history", moment.at, CASE_READER, zone)["events"]
            assert events == moment.history, where
            known = self.as_of("/knowledge", moment.at, KNOWLEDGE_READER, zone)["agencies"]
            assert known == moment.knowledge, where


# -- the moves ---------------------------------------------------------------------------


def disclosure(data: st.DataObject, state: ReferralState) -> Step:
    discloser = data.draw(st.sampled_from(DISCLOSERS), label="discloser")
    others = [agency for agency in RECIPIENTS if agency != discloser]
    recipients = data.draw(
        st.lists(st.sampled_from(others), min_size=1, max_size=3, unique=True),
        label="recipients",
    )
    if data.draw(st.integers(0, 5), label="to the trust too") == 3:
        recipients.append(MENTORS)
    fitting = CONTEXT_OF_STAGE.get(state.stage, "outside_meeting")
    context = data.draw(st.sampled_from([*[fitting] * 8, *CONTEXTS]), label="context")
    return steps.disclosed(
        discloser,
        recipients,
        context=context,
        category=data.draw(st.sampled_from(CATEGORIES), label="category"),
        bases=data.draw(st.sampled_from(BASES), label="legal bases"),
    )


def involvement_ending(data: st.DataObject, state: ReferralState) -> Step:
    """Mostly of an agency that received something here and is still involved (its
    obligations are raised), sometimes of any agency."""
    ended = set(state.involvement_ended)
    received = {r.name for d in state.disclosures for r in d.recipients if r.agency_id not in ended}
    agency = data.draw(st.sampled_from([*sorted(received) * 4, *AGENCIES]), label="ending")
    return steps.involvement_ended(steps.agency_ref(agency), "role_in_risk_management_ended")


def disposal(data: st.DataObject, state: ReferralState) -> Step:
    """A confirmation of one of the obligations (mostly by the agency owing it), or, while
    there are none, an agency's involvement ending (which raises them)."""
    if not state.obligations:
        return involvement_ending(data, state)
    every = [(o.obligation_no, o.agency.name) for o in state.obligations]
    owed = [(o.obligation_no, o.agency.name) for o in state.obligations if not o.discharged_on]
    number, agency = data.draw(st.sampled_from([*owed * 3, *every]), label="obligation")
    step = steps.disposal_confirmed(agency, number).but(
        complete=data.draw(st.booleans(), label="complete"),
        method=data.draw(st.sampled_from(["deleted", "returned"])),
    )
    if data.draw(st.integers(0, 4), label="someone else") == 2:
        step = step.taken_by(ACTORS[data.draw(st.sampled_from(["school-1", "cs-1", "dpo-1"]))])
    return step


def erasure(script: Script, data: st.DataObject) -> None:
    """Requested by one compliance officer, approved by another, executed (each may be
    refused: a request still open, nothing left to erase); a legal hold is lifted first."""
    if script.state.legal_hold is not None:
        script.take(steps.legal_hold_lifted(), "legal hold lifted for the erasure")
    groups = data.draw(
        st.lists(st.sampled_from(KEY_GROUPS), min_size=1, unique=True), label="erase"
    )
    script.take(steps.erasure_requested().but(key_groups=groups), "erasure requested")
    number = len(script.state.erasure_requests)
    script.take(steps.erasure_approved(number), "erasure approved")
    script.take(steps.erasure_executed(number), "erasure executed")


def consent(data: st.DataObject, state: ReferralState) -> Step:
    """The next step of consent for its status, so that sharing on consent is sometimes
    lawful: decided (children's services to seek it), sought, given or refused, withdrawn."""
    stage = "preliminary_assessment" if state.stage in BEFORE_THE_MEETING else "panel"
    decided = steps.consent_approach_decided(stage, CHILDRENS)
    sought = steps.consent_sought(CHILDRENS)
    given, refused = steps.consent_given(), steps.consent_refused()
    following = {
        ConsentStatus.NOT_SOUGHT: [decided, sought],
        ConsentStatus.SOUGHT: [given, given, refused],
        ConsentStatus.GIVEN: [steps.consent_withdrawn()],
    }
    step: Step = data.draw(st.sampled_from(following.get(state.consent_status, [sought, decided])))
    return step


def furthest_mostly(data: st.DataObject, options: list[Any]) -> Any:
    """The option that keeps the case going furthest (the first), three times in four."""
    if data.draw(st.integers(0, 3), label="another way") != 2:
        return options[0]
    return data.draw(st.sampled_from(options), label="way")


def move(script: Script, data: st.DataObject, kind: str) -> None:  # noqa: C901 (one branch per kind)
    state, clock = script.state, script.clock
    if kind == "erase":
        erasure(script, data)
        return
    step: Step
    if kind == "process":
        step = sensible(state, lambda options: furthest_mostly(data, options), clock)
    elif kind == "disclose":
        step = disclosure(data, state)
    elif kind == "withhold":
        step = steps.withheld(data.draw(st.sampled_from(DISCLOSERS)), "police_intelligence")
    elif kind == "invite":
        step = steps.agency_invited(data.draw(st.sampled_from(AGENCIES), label="invited"))
    elif kind == "statement":
        step = steps.confidentiality_statement_read()
    elif kind == "end_involvement":
        step = involvement_ending(data, state)
    elif kind == "confirm_disposal":
        step = disposal(data, state)
    elif kind == "consent":
        step = consent(data, state)
    elif kind == "legal_hold":
        step = steps.legal_hold_placed() if state.legal_hold is None else steps.legal_hold_lifted()
    else:
        step = arbitrary(data, clock)
    if data.draw(st.integers(0, 14), label="stale") == 7:  # not a bound: drawn as often as any
        step = step.but(expected_version=script.version - 1)
    script.take(step, kind)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_every_moment_reads_as_of_as_it_read_live(data: st.DataObject) -> None:
    with fresh_service() as (api, clock):
        api.scenario().register(AGENCY_TYPES)
        script = Script(api, clock)
        form = referral_form(received_at="2026-03-02T08:00:00Z")
        script.take(steps.referral_received(form), "received")
        # To the strategy discussion, where the police tell the school what they know.
        for step in [*builder.to_strategy_discussion(), steps.disclosed(POLICE, [SCHOOL])]:
            assert isinstance(step, Step)
            assert script.take(step, "way in")
        before = data.draw(st.integers(8, 16), label="moves before any erasure")
        erased = data.draw(st.sampled_from([True, True, False]), label="erased")
        after = data.draw(st.integers(0, 5), label="moves after it") if erased else 0
        for kind in [*[None] * before, *(["erase"] if erased else []), *[None] * after]:
            clock.moment += data.draw(CLOCK_MOVES, label="clock moves on")
            move(script, data, kind or data.draw(st.sampled_from(MOVES), label="move"))
        clock.advance(days=1)
        script.check_every_moment(data.draw(st.sampled_from(ZONES), label="as_of written in"))
        recorded = {entry["event"] for entry in script.moments[-1].history}
        for reached in sorted(recorded & SHOWN):
            event(f"recorded: {reached}")
        refused = {r["rule"] for a in script.moments[-1].knowledge for r in a["refused"]}
        event(f"refused attempts recorded: {bool(refused)}")
        event(f"moments: {len(script.moments) // 10 * 10}+")
