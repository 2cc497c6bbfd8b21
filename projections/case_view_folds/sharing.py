"""The case view of information sharing: invitations, the confidentiality statement, disclosures
and what was decided about them."""

from __future__ import annotations

from events.sharing import (
    AgencyInvitedToStrategyMeeting,
    ConfidentialityStatementRead,
    DisclosureWithheld,
    InformationDisclosed,
    OnwardDisclosureSanctioned,
    SubjectDiscussionDecided,
)
from projections.case_view import CaseView, Disclosure
from projections.case_view_folds.folding import Folds, agency_of, changed

FOLDS = Folds()


@FOLDS.on(AgencyInvitedToStrategyMeeting)
def _invited(view: CaseView, event: AgencyInvitedToStrategyMeeting) -> CaseView:
    return view.model_copy(
        update={"invited_agencies": (*view.invited_agencies, agency_of(event.agency))}
    )


@FOLDS.on(ConfidentialityStatementRead)
def _statement_read(view: CaseView, event: ConfidentialityStatementRead) -> CaseView:
    if view.strategy_meeting is None:
        return view
    meeting = view.strategy_meeting.model_copy(
        update={"confidentiality_statement_read": event.statement_version}
    )
    return view.model_copy(update={"strategy_meeting": meeting})


@FOLDS.on(InformationDisclosed)
def _disclosed(view: CaseView, event: InformationDisclosed) -> CaseView:
    disclosure = Disclosure(
        disclosure_no=event.disclosure_no,
        disclosing_agency=agency_of(event.disclosing_agency),
        recipients=tuple(agency_of(recipient) for recipient in event.recipients),
        context=event.context,
        information_category=event.information_category,
        disclosed_at=event.disclosed_at,
    )
    return view.model_copy(update={"disclosures": (*view.disclosures, disclosure)})


@FOLDS.on(OnwardDisclosureSanctioned)
def _onward(view: CaseView, event: OnwardDisclosureSanctioned) -> CaseView:
    disclosures = changed(
        view.disclosures, lambda d: d.disclosure_no == event.disclosure_no, onward_sanctioned=True
    )
    return view.model_copy(update={"disclosures": disclosures})


@FOLDS.on(SubjectDiscussionDecided)
def _subject_discussion(view: CaseView, event: SubjectDiscussionDecided) -> CaseView:
    disclosures = changed(
        view.disclosures,
        lambda d: d.disclosure_no == event.disclosure_no,
        subject_discussion=event.decision,
    )
    return view.model_copy(update={"disclosures": disclosures})


FOLDS.recorded_only(DisclosureWithheld)
