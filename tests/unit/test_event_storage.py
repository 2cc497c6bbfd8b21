"""The storage contract of events: sealed personal fields, clear envelope, versions."""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import StoredEvent

from events.base import AuditEnvelope
from events.forms import Address, ReferralConcern, ReferrerContact, ReferrerDetails, SubjectDetails
from events.intake import ReferralReceived, ReferralScreenedOut
from events.personal import KeyGroup, Withheld
from events.registry import UnknownEventTopicError
from events.storage import DataKey, EventMapper, EventStorageError
from events.vocabulary import AgeGroup, ReceivedVia, Role, ScreeningOutReason
from tests.support import SUBJECT_ADDRESS, SUBJECT_NAME, find_personal_data


class InMemoryKeys:
    """Data keys held in a dict; destroying one stands in for erasure."""

    def __init__(self) -> None:
        self.keys: dict[str, DataKey | None] = {}
        self.owned: dict[tuple[UUID, KeyGroup], str] = {}

    def keys_for_sealing(
        self, owner_id: UUID, groups: Collection[KeyGroup]
    ) -> Mapping[KeyGroup, DataKey]:
        found = {}
        for group in groups:
            key_id = self.owned.setdefault((owner_id, group), str(uuid4()))
            key = self.keys.setdefault(key_id, DataKey(key_id, AESGCM(os.urandom(32))))
            assert key is not None
            found[group] = key
        return found

    def key_for_opening(self, key_id: str) -> DataKey | None:
        return self.keys[key_id]


AUDIT = AuditEnvelope(
    actor_id="triage-1",
    actor_role=Role.MASH_TRIAGE,
    actor_agency="Norfolk MASH",
    occurred_at=datetime(2026, 3, 2, 10, tzinfo=UTC),
    command_id=uuid4(),
)


def received(referral_id: UUID) -> ReferralReceived:
    return ReferralReceived(
        originator_id=referral_id,
        originator_version=1,
        audit=AUDIT,
        received_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
        received_via=ReceivedVia.MASH_EMAIL,
        on_call_detective_inspector=None,
        referring_agency="Greenfield High School",
        subject_age_group=AgeGroup.CHILD,
        subject=SubjectDetails(full_name=SUBJECT_NAME, address=Address(lines=[SUBJECT_ADDRESS])),
        partner_and_parents=(),
        children_and_siblings=(),
        concern=ReferralConcern(reasons_for_referral="r", background_and_risk="b"),
        referrer=ReferrerDetails(full_name="Ref", position="DSL", contact=ReferrerContact()),
    )


@pytest.fixture
def keys() -> InMemoryKeys:
    return InMemoryKeys()


def test_personal_fields_are_sealed_and_the_envelope_stays_clear(keys: InMemoryKeys) -> None:
    event = received(uuid4())
    stored = EventMapper(keys).to_stored_event(event)
    state = json.loads(stored.state)
    assert find_personal_data(stored.state.decode()) == []
    assert state["referring_agency"] == "Greenfield High School"
    assert state["audit"]["actor_id"] == "triage-1"
    assert set(state["subject"]) == {"$sealed", "ct"}
    assert stored.topic == "vtr.referral.ReferralReceived"


def test_reading_conceals_by_default_and_reveals_on_request(keys: InMemoryKeys) -> None:
    event = received(uuid4())
    mapper = EventMapper(keys)
    stored = mapper.to_stored_event(event)
    concealed = mapper.to_domain_event(stored)
    assert isinstance(concealed, ReferralReceived)
    assert isinstance(concealed.subject, Withheld)
    assert concealed.subject.withheld == "sealed"
    assert concealed.referring_agency == event.referring_agency
    assert mapper.to_revealed_event(stored) == event
    # A reader without keys (the projection worker) can still read every event.
    assert EventMapper(keys=None).to_domain_event(stored) == concealed


def test_a_destroyed_key_reads_as_erased_and_leaves_the_envelope(keys: InMemoryKeys) -> None:
    mapper = EventMapper(keys)
    stored = mapper.to_stored_event(received(uuid4()))
    subject_key = json.loads(stored.state)["subject"]["$sealed"]
    keys.keys[subject_key] = None
    revealed = mapper.to_revealed_event(stored)
    assert isinstance(revealed, ReferralReceived)
    assert revealed.subject == Withheld(withheld="erased", key_id=subject_key)
    assert isinstance(revealed.referrer, ReferrerDetails), "other groups stay readable"
    assert revealed.audit == AUDIT


def test_a_sealed_value_cannot_be_moved_to_another_field_or_event(keys: InMemoryKeys) -> None:
    mapper = EventMapper(keys)
    referral_id = uuid4()
    stored = mapper.to_stored_event(received(referral_id))
    state = json.loads(stored.state)
    state["concern"] = state["subject"]  # same key, wrong slot
    moved = StoredEvent(referral_id, 1, stored.topic, json.dumps(state).encode())
    with pytest.raises(EventStorageError, match="fails its integrity check"):
        mapper.to_revealed_event(moved)
    replayed = StoredEvent(referral_id, 2, stored.topic, stored.state)  # another version
    with pytest.raises(EventStorageError, match="integrity"):
        mapper.to_revealed_event(replayed)


def test_withheld_data_is_never_sealed_again(keys: InMemoryKeys) -> None:
    mapper = EventMapper(keys)
    concealed = mapper.to_domain_event(mapper.to_stored_event(received(uuid4())))
    with pytest.raises(EventStorageError, match="withheld"):
        mapper.to_stored_event(concealed)


def test_personal_data_stays_out_of_repr_and_validation_errors() -> None:
    event = received(uuid4())
    assert find_personal_data(repr(event)) == []
    with pytest.raises(ValueError, match="subject") as error:
        ReferralReceived.model_validate({**event.model_dump(), "subject": SUBJECT_NAME.encode()})
    assert find_personal_data(str(error.value)) == []


def test_class_versions_are_stored_and_old_states_upcast(keys: InMemoryKeys) -> None:
    mapper = EventMapper(keys)
    referral_id = uuid4()
    current = ReferralScreenedOut(
        originator_id=referral_id,
        originator_version=3,
        audit=AUDIT,
        reasons=(ScreeningOutReason.MALICIOUS,),
        other_reason=None,
    )
    stored = mapper.to_stored_event(current)
    assert json.loads(stored.state)["class_version"] == 2
    version_1 = {
        "audit": json.loads(AUDIT.model_dump_json()),
        "reason": "malicious",
        "other_reason": None,
    }
    old = StoredEvent(referral_id, 3, stored.topic, json.dumps(version_1).encode())
    assert mapper.to_domain_event(old) == current


def test_stored_arrays_read_back_as_tuples_so_a_read_event_cannot_be_changed(
    keys: InMemoryKeys,
) -> None:
    """Events recorded when their fields were lists are the same JSON arrays as now."""
    mapper = EventMapper(keys)
    referral_id = uuid4()
    stored_earlier = {
        "audit": json.loads(AUDIT.model_dump_json()),
        "reasons": ["malicious", "clearly_not_vulnerable"],
        "other_reason": None,
        "class_version": 2,
    }
    stored = StoredEvent(
        referral_id, 3, ReferralScreenedOut.TOPIC, json.dumps(stored_earlier).encode()
    )
    event = mapper.to_domain_event(stored)
    assert isinstance(event, ReferralScreenedOut)
    assert event.reasons == (ScreeningOutReason.MALICIOUS, ScreeningOutReason.NOT_VULNERABLE)
    revealed = mapper.to_revealed_event(mapper.to_stored_event(received(referral_id)))
    assert isinstance(revealed, ReferralReceived)
    assert revealed.partner_and_parents == ()


def test_unknown_topics_and_future_versions_are_refused_by_name(keys: InMemoryKeys) -> None:
    mapper = EventMapper(keys)
    with pytest.raises(UnknownEventTopicError, match=r"vtr\.referral\.Nope"):
        mapper.to_domain_event(StoredEvent(uuid4(), 1, "vtr.referral.Nope", b"{}"))
    future = StoredEvent(uuid4(), 1, "vtr.referral.ReferralScreenedOut", b'{"class_version": 3}')
    with pytest.raises(EventStorageError, match="newer than this code"):
        mapper.to_domain_event(future)
