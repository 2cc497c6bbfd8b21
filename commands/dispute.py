"""Commands of the conclusion of the process, post-exit reviews and disputes."""

from __future__ import annotations

from aggregates.dispute import DisputeGrounds, DisputeReferral, DisputeResolution
from commands.base import ChangeReferral


class RaiseDispute(DisputeGrounds, ChangeReferral):
    """A disagreement with a decision on the case, to be referred under section 7."""


class ReferDispute(DisputeReferral, ChangeReferral):
    """Refer a dispute to the Head of Safeguarding and the D/Superintendent (section 7)."""


class ResolveDispute(DisputeResolution, ChangeReferral):
    """Record how the Head of Safeguarding and the D/Superintendent resolved a dispute."""
