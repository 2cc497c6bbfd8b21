"""A batch of consultations appended in one transaction is stored exactly as handed over, on
both stores: every column, in order, awkward text included (the PostgreSQL log hands a batch
to the database as one JSON array)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from api.access.group_commit import GroupCommitLog
from api.access.log import Consultation, ConsultationQuery
from api.bootstrap import open_access_log
from api.settings import Settings

AWKWARD = (
    'O\'Brien "quoted" back\\slash',
    '{"looks": "like JSON"}',
    "Ünïcödé — ✓ 日本",
    "line\nbreak\ttab",
    "%s %(name)s {mark} $1",
)


@pytest.fixture(name="access_log")
def _access_log(settings: Settings) -> Iterator[GroupCommitLog]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # the SQLite log's folder
    log = open_access_log(settings)
    yield log
    log.close()


def consultation(n: int, text: str) -> Consultation:
    return Consultation(
        recorded_at=datetime(2026, 11, 29, 9, tzinfo=UTC) + timedelta(microseconds=n),
        actor_id=f"actor {text}",
        role="police",
        agency=text,
        actor_agency_id=uuid4(),
        credential="api-token",
        token_id=None,
        route="get_case",
        consulted="case",
        referral_id=uuid4() if n % 2 else None,
        agency_id=uuid4(),
        purpose=text,
        break_glass=n % 2 == 1,
        break_glass_reason=text if n % 2 else None,
        beyond_scope=n % 3 == 0,
        revealed=n % 2 == 0,
        filters={"counterpart": text, "period": {"from": "2026-01-01"}, "n": n} if n else {},
        output_format="csv",
        outcome="allowed" if n % 2 else "denied",
        reason=None if n % 2 else text,
        status=200 if n % 2 else 403,
        request_id=uuid4().hex,
        client_request_id=text,
    )


def test_a_batch_is_stored_exactly_and_in_order(access_log: GroupCommitLog) -> None:
    """What the log answers with is what was handed to it, field for field, in the order
    handed over (entry numbers follow it)."""
    handed = [consultation(n, text) for n, text in enumerate(AWKWARD * 2)]
    access_log.store.append_all(handed)
    assert list(access_log.consultations(ConsultationQuery())) == handed
    # Read back in entry-number order: the numbers were given in the order handed over.
    assert [c.request_id for c in handed] == [
        c.request_id for c in access_log.consultations(ConsultationQuery())
    ]
