"""No erasure can name the controller's key group, even past the API's validation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from aggregates.erasure import ErasureApplication
from aggregates.errors import InvalidInstructionError
from events.erasure import ErasureRequested
from events.personal import ERASABLE_GROUPS, KeyGroup
from events.vocabulary import ErasureGround, Role
from tests.unit.referral_story import Story


@given(st.lists(st.sampled_from(list(KeyGroup)), min_size=1, unique=True))
def test_a_request_naming_the_controllers_group_is_refused_and_records_nothing(
    groups: list[KeyGroup],
) -> None:
    story = Story()
    story.referral.collect_events()  # the receipt, recorded before
    dpo = story.by("dpo-1", Role.COMPLIANCE_OFFICER)
    if KeyGroup.CONTROLLER in groups:
        with pytest.raises(ValidationError, match="key_groups"):
            ErasureApplication(
                key_groups=groups, ground=ErasureGround.NO_LONGER_NECESSARY, reason="x"
            )
        # Should an unchecked instruction ever reach the step, the step refuses it too.
        unchecked = ErasureApplication.model_construct(
            key_groups=groups, ground=ErasureGround.NO_LONGER_NECESSARY, reason="x"
        )
        with pytest.raises(InvalidInstructionError) as refusal:
            story.referral.request_erasure(dpo, unchecked)
        assert refusal.value.field == "key_groups"
        assert story.referral.collect_events() == []
        return
    story.referral.request_erasure(
        dpo,
        ErasureApplication(key_groups=groups, ground=ErasureGround.NO_LONGER_NECESSARY, reason="x"),
    )
    (requested,) = story.referral.collect_events()
    assert isinstance(requested, ErasureRequested)
    assert requested.key_groups == tuple(g for g in ERASABLE_GROUPS if g in groups)
