"""No erasure can name the controller's key group, even past the API's validation."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from events.erasure import ErasureRequested
from events.personal import CONTROLLER_NOT_ERASABLE, ERASABLE_GROUPS, KeyGroup
from tests.rules import harness, histories
from tests.rules.actors import COMPLIANCE
from tests.rules.test_erasure import request

CONCLUDED = harness.given(*histories.CONCLUDED)


@given(st.lists(st.sampled_from(list(KeyGroup)), min_size=1))
def test_a_request_naming_the_controllers_group_is_refused_and_records_nothing(
    groups: list[KeyGroup],
) -> None:
    outcome = CONCLUDED.when(request(COMPLIANCE, *groups))
    if KeyGroup.CONTROLLER in groups:
        outcome.then_invalid("key_groups", CONTROLLER_NOT_ERASABLE)
        return
    erasable = tuple(group for group in ERASABLE_GROUPS if group in groups)
    outcome.then(harness.recorded(ErasureRequested, key_groups=erasable))
