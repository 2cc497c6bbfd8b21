"""Erasure by key destruction, and retention review: steps of compliance officers.

An erasure is requested by one compliance officer, approved by another, then executed: the
ledger destroys the data keys named on `ErasureExecuted` right after recording it. No step
runs while a legal hold is in force. The aggregate never sees a key, only key ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from pydantic import Field, StrictInt, field_validator

from aggregates import rules
from aggregates.calendar import uk_date
from aggregates.errors import (
    InvalidInstructionError,
    NotPermittedError,
    ProcessRuleViolationError,
)
from aggregates.instructions import Instruction
from aggregates.referral_base import ReferralBase, business_day, must_follow, not_after, not_before
from aggregates.referral_state import ErasureRequest, Stage
from events.base import AuditEnvelope
from events.erasure import ErasureApproved, ErasureExecuted, ErasureRequested, RetentionReviewed
from events.forms import Choices, Line
from events.personal import CONTROLLER_NOT_ERASABLE, ERASABLE_GROUPS, KeyGroup
from events.vocabulary import ErasureGround, RecordClass, RetentionDecision, Role


class ErasureApplication(Instruction):
    """Ask for the case's personal data of these key groups to be erased (needs approval).

    The reason is the controller's and outlives the erasure: it should hold no more personal
    data than the justification needs."""

    key_groups: Choices[KeyGroup] = Field(
        default_factory=lambda: list(ERASABLE_GROUPS),
        min_length=1,
        max_length=len(KeyGroup),
    )
    ground: ErasureGround
    reason: Line

    @field_validator("key_groups")
    @classmethod
    def _erasable(cls, key_groups: list[KeyGroup]) -> list[KeyGroup]:
        if KeyGroup.CONTROLLER in key_groups:
            raise ValueError(CONTROLLER_NOT_ERASABLE)
        return key_groups


class ErasureApproval(Instruction):
    """A second compliance officer approves an erasure request."""

    request_no: StrictInt = Field(ge=1)


class ErasureExecution(Instruction):
    """Destroy the data keys of an approved request; the erased data can never be read again."""

    request_no: StrictInt = Field(ge=1)


class RetentionReviewReport(Instruction):
    """Review the case's record under the retention schedule: retain until a next review, or
    erase (which raises an erasure request for a second person to approve)."""

    reviewed_on: date
    decision: RetentionDecision
    next_review_on: date | None = None
    reason: Line


class ErasureSteps(ReferralBase):
    """Request, approve and execute erasure; review retention."""

    def request_erasure(self, audit: AuditEnvelope, application: ErasureApplication) -> None:
        self._require_compliance_officer(audit)
        remaining = self._erasable_now(application.key_groups)
        self._record(
            ErasureRequested(
                **self._header(audit),
                request_no=len(self.state.erasure_requests) + 1,
                key_groups=tuple(remaining),
                ground=application.ground,
                reason=application.reason,
            )
        )

    def approve_erasure(self, audit: AuditEnvelope, approval: ErasureApproval) -> None:
        request = self._erasure_request(approval.request_no)
        self._require_compliance_officer(audit)
        self._require(request.executed_at is None, rules.ERASURE_ALREADY_EXECUTED)
        self._require(request.approved_by is None, rules.ERASURE_ALREADY_APPROVED)
        self._require(self.state.legal_hold is None, rules.LEGAL_HOLD_IN_FORCE)
        self._require(audit.actor_id != request.requested_by, rules.SECOND_PERSON_APPROVES)
        self._record(ErasureApproved(**self._header(audit), request_no=approval.request_no))

    def execute_erasure(
        self,
        audit: AuditEnvelope,
        execution: ErasureExecution,
        *,
        key_ids: Mapping[KeyGroup, str],
    ) -> None:
        """Record the erasure of the request's groups; `key_ids` are the case's stored keys."""
        request = self._erasure_request(execution.request_no)
        self._require_compliance_officer(audit)
        self._require(request.executed_at is None, rules.ERASURE_ALREADY_EXECUTED)
        self._require(request.approved_by is not None, rules.ERASURE_NOT_APPROVED)
        self._require(self.state.legal_hold is None, rules.LEGAL_HOLD_IN_FORCE)
        assert request.approved_by is not None  # noqa: S101 (checked by the rule above)
        self._record(
            ErasureExecuted(
                **self._header(audit),
                request_no=execution.request_no,
                key_groups=tuple(request.key_groups),
                key_ids=tuple(key_ids[group] for group in request.key_groups if group in key_ids),
                ground=request.ground,
                requested_by=request.requested_by,
                approved_by=request.approved_by,
                recipients_to_notify=tuple(self._recipients()),
            )
        )

    def _erasable_now(self, key_groups: Sequence[KeyGroup]) -> list[KeyGroup]:
        """The named groups an erasure may be requested for now, or the rule refusing it."""
        self._require(self.state.legal_hold is None, rules.LEGAL_HOLD_IN_FORCE)
        self._require(self._open_erasure() is None, rules.ERASURE_REQUEST_OPEN)
        if KeyGroup.CONTROLLER in key_groups:
            raise InvalidInstructionError("key_groups", CONTROLLER_NOT_ERASABLE)
        groups = [group for group in ERASABLE_GROUPS if group in set(key_groups)]
        if not groups:
            raise InvalidInstructionError("key_groups", "Name at least one key group to erase.")
        remaining = [group for group in groups if group not in self.state.erased_groups]
        self._require(bool(remaining), rules.NOTHING_LEFT_TO_ERASE)
        return remaining

    def review_retention(self, audit: AuditEnvelope, review: RetentionReviewReport) -> None:
        self._require_compliance_officer(audit)
        record_class, outcome_on = self.record_outcome()
        not_before(review.reviewed_on, outcome_on, "reviewed_on", "the referral's outcome")
        not_after(review.reviewed_on, business_day(audit), "reviewed_on", "today")
        if review.decision is RetentionDecision.RETAIN:
            must_follow(review.next_review_on, review.reviewed_on, "next_review_on", "the review")
        elif review.next_review_on is not None:
            raise InvalidInstructionError(
                "next_review_on", "A record to be erased has no next review date."
            )
        else:
            # Refused whole, before the review is recorded: a refused step records nothing.
            self._erasable_now(ERASABLE_GROUPS)
        self._record(
            RetentionReviewed(
                **self._header(audit),
                review_no=self.state.retention_reviews + 1,
                record_class=record_class,
                reviewed_on=review.reviewed_on,
                decision=review.decision,
                next_review_on=review.next_review_on,
                reason=review.reason,
            )
        )
        if review.decision is RetentionDecision.ERASE:
            erase_all = ErasureApplication(
                key_groups=list(ERASABLE_GROUPS),
                ground=ErasureGround.RETENTION_PERIOD_ENDED,
                reason=review.reason,
            )
            self.request_erasure(audit, erase_all)

    def record_outcome(self) -> tuple[RecordClass, date]:
        """The referral's retention class and the day its outcome was reached."""
        closure, screening = self.state.closure, self.state.screening
        if closure is not None:
            kind = closure.kind
            record_class = (
                RecordClass.CONCLUDED if kind == "concluded" else RecordClass.ALTERNATIVE_SUPPORT
            )
            return record_class, closure.closed_on
        if self.state.stage is Stage.SCREENED_OUT and screening is not None:
            return RecordClass.SCREENED_OUT, uk_date(screening.decided_at)
        raise ProcessRuleViolationError(rules.RETENTION_REVIEW_AFTER_OUTCOME, self.state.stage)

    def _require_compliance_officer(self, audit: AuditEnvelope) -> None:
        if audit.actor_role is not Role.COMPLIANCE_OFFICER:
            raise NotPermittedError(rules.COMPLIANCE_OFFICER_ONLY)

    def _open_erasure(self) -> ErasureRequest | None:
        return next((r for r in self.state.erasure_requests if r.executed_at is None), None)

    def _erasure_request(self, request_no: int) -> ErasureRequest:
        for request in self.state.erasure_requests:
            if request.request_no == request_no:
                return request
        raise InvalidInstructionError(
            "request_no", f"This referral has no erasure request number {request_no}."
        )
