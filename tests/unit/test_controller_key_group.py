"""No erasure can name the controller's key group, even past the API's validation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from aggregates.erasure import ErasureApplication
from events.erasure import ErasureRequested
from events.personal import CONTROLLER_NOT_ERASABLE, ERASABLE_GROUPS, KeyGroup
from events.vocabulary import ErasureGround
from tests.rules import harness, histories
from tests.rules.actors import COMPLIANCE
from tests.rules.test_erasure import request, unchecked_request

CONCLUDED = harness.given(*histories.CONCLUDED)


@given(st.lists(st.sampled_from(list(KeyGroup)), min_size=1, unique=True))
def test_a_request_naming_the_controllers_group_is_refused_and_records_nothing(
    groups: list[KeyGroup],
) -> None:
    if KeyGroup.CONTROLLER in groups:
        with pytest.raises(ValidationError, match="key_groups"):
            ErasureApplication(
                key_groups=groups, ground=ErasureGround.NO_LONGER_NECESSARY, reason="reason"
            )
        # Should an unchecked instruction ever reach the step, the step refuses it too.
        CONCLUDED.when(unchecked_request(*groups)).then_invalid(
            "key_groups", CONTROLLER_NOT_ERASABLE
        )
        return
    erasable = tuple(group for group in ERASABLE_GROUPS if group in groups)
    CONCLUDED.when(request(COMPLIANCE, *groups)).then(
        harness.recorded(ErasureRequested, key_groups=erasable)
    )
