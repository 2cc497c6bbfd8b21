"""The words of the VTR process (guidance sections 2-7 and the referral form, Appendix A).

Codes are stored in events, so a value's spelling is part of the storage contract:
add new members, never rename old ones.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The part a person plays in the process (section 5 and Appendix A).

    The stored values are kept from the first release; in the permission matrix `police` is
    the MASH police lead, `childrens_services` and `adult_social_services` the MASH social
    care leads, `meeting_chair` the panel chair and `partner_agency` an agency practitioner.
    """

    MASH_TRIAGE = "mash_triage"
    MASH_OPERATIONAL_DESK = "mash_operational_desk"
    POLICE = "police"
    CHILDRENS_SERVICES = "childrens_services"
    ADULT_SOCIAL_SERVICES = "adult_social_services"
    MEETING_CHAIR = "meeting_chair"
    MINUTE_TAKER = "minute_taker"
    PARTNER_AGENCY = "partner_agency"
    HEAD_OF_SAFEGUARDING = "head_of_safeguarding"
    DETECTIVE_SUPERINTENDENT = "detective_superintendent"
    COMPLIANCE_OFFICER = "compliance_officer"
    REFERRER = "referrer"
    ADMINISTRATOR = "administrator"
    WITNESS = "witness"  # a partner agency's witness process: reads checkpoints, cosigns


class ReceivedVia(StrEnum):
    """How a referral reached the MASH; out of hours it comes through 101 to the on-call DI."""

    MASH_EMAIL = "mash_email"
    MASH_TELEPHONE = "mash_telephone"
    MASH_FAX = "mash_fax"
    OUT_OF_HOURS_101 = "out_of_hours_101"


class AgeGroup(StrEnum):
    """Decides whether Children's Services or Adult Social Services co-sign Section 2."""

    CHILD = "child"
    ADULT = "adult"
    UNKNOWN = "unknown"


class IndicatorCategory(StrEnum):
    """Section 4: categories of indicators that might suggest vulnerability."""

    EXPRESSED_OPINIONS = "expressed_opinions"
    MATERIAL = "material"
    BEHAVIOUR_AND_BEHAVIOURAL_CHANGES = "behaviour_and_behavioural_changes"
    PERSONAL_HISTORY = "personal_history"


class ScreeningOutReason(StrEnum):
    """Section 5 and Appendix D: why a referral does not continue through the process."""

    MALICIOUS = "malicious"
    MISGUIDED_OR_MISINFORMED = "misguided_or_misinformed"
    COMPROMISES_INVESTIGATION = "compromises_investigation_or_involves_illegality"
    NOT_VULNERABLE = "clearly_not_vulnerable"
    OTHER = "other"


class RiskTarget(StrEnum):
    """Section 5: who is at risk."""

    SUBJECT = "subject"
    PARTICULAR_INDIVIDUALS = "particular_individuals"
    CHILDREN = "children"
    VULNERABLE_ADULTS = "vulnerable_adults"
    WIDER_COMMUNITY = "wider_community"


class RiskCircumstance(StrEnum):
    """Section 5: circumstances in which risk is likely to increase."""

    MENTAL_HEALTH = "mental_health"
    MEDICATION = "medication"
    DRUGS = "drugs"
    ALCOHOL = "alcohol"
    HOUSING = "housing"
    EMPLOYMENT = "employment"
    RELATIONSHIPS = "relationships"
    OTHER = "other"


class MedicalExplanation(StrEnum):
    """Section 5: is there a reasonable medical explanation for the behaviour displayed?"""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class DiscussionOutcome(StrEnum):
    """Section 5: what the strategy discussion decides (Section 2 Yes is VTR appropriate)."""

    VTR_APPROPRIATE = "vtr_appropriate"
    ALTERNATIVE_SUPPORT = "alternative_support"
    EXIT = "exit"


class SignatoryCapacity(StrEnum):
    """The two Section 2 signature boxes: Norfolk Constabulary, and CS or ASS."""

    POLICE = "police"
    CHILDRENS_SERVICES = "childrens_services"
    ADULT_SOCIAL_SERVICES = "adult_social_services"


class SocialCareService(StrEnum):
    """Which social-care service joins the police in the strategy discussion."""

    CHILDRENS_SERVICES = "childrens_services"
    ADULT_SOCIAL_SERVICES = "adult_social_services"


class ReferrerInvolvement(StrEnum):
    """Section 5: the referrer should be consulted, and inviting them considered."""

    CONSULTED = "consulted"
    INVITED_TO_ATTEND = "invited_to_attend"


class FeedbackPoint(StrEnum):
    """When feedback goes to the referrer: after the discussion (s5) and at conclusion (s7)."""

    STRATEGY_DISCUSSION = "strategy_discussion"
    CONCLUSION = "conclusion"


class ContactMethod(StrEnum):
    TELEPHONE = "telephone"
    EMAIL = "email"
    LETTER = "letter"
    IN_PERSON = "in_person"


class MeetingOutcome(StrEnum):
    """Section 5: what the strategy meeting concludes."""

    SUPPORT_PACKAGE = "support_package"
    ALTERNATIVE_SUPPORT = "alternative_support"
    NOT_BEING_DRAWN_IN = "not_being_drawn_in"


class ReviewOutcome(StrEnum):
    CONTINUE = "continue"
    AMEND_PLAN = "amend_plan"
    CONCLUDE = "conclude"


class Forum(StrEnum):
    """Where the decision to leave the process was taken."""

    MASH_TRIAGE = "mash_triage"
    STRATEGY_DISCUSSION = "strategy_discussion"
    STRATEGY_MEETING = "strategy_meeting"
    REVIEW = "review"


class PostExitReviewPoint(StrEnum):
    """Appendix D: review panel decisions at 6 and 12 months."""

    SIX_MONTHS = "six_months"
    TWELVE_MONTHS = "twelve_months"


class PostExitReviewOutcome(StrEnum):
    NO_FURTHER_CONCERN = "no_further_concern"
    NEW_REFERRAL_RECOMMENDED = "new_referral_recommended"


class DisputedDecision(StrEnum):
    SCREENING = "screening"
    STRATEGY_DISCUSSION = "strategy_discussion"
    STRATEGY_MEETING = "strategy_meeting"
    REVIEW = "review"
    CONCLUSION = "conclusion"
    OTHER = "other"


class DisputeOutcome(StrEnum):
    UPHELD = "upheld"
    NOT_UPHELD = "not_upheld"
    WITHDRAWN = "withdrawn"


class Relationship(StrEnum):
    SPOUSE = "spouse"
    PARTNER = "partner"
    PARENT = "parent"
    CARER = "carer"
    CHILD = "child"
    SIBLING = "sibling"
    OTHER = "other"


class AgencyType(StrEnum):
    """Section 5: the agencies that might attend a strategy meeting; and the hub and the
    council that run the process (the MASH, the local authority's compliance staff)."""

    MULTI_AGENCY_SAFEGUARDING_HUB = "multi_agency_safeguarding_hub"
    LOCAL_AUTHORITY = "local_authority"
    POLICE = "police"
    INTELLIGENCE_DIRECTORATE = "intelligence_directorate_special_branch"
    CHILDREN_AND_YOUNG_PEOPLE_SERVICES = "children_and_young_people_services"
    ADULT_AND_COMMUNITY_SERVICES = "adult_and_community_services"
    PROBATION_SERVICE = "probation_service"
    YOUTH_OFFENDING_TEAM = "youth_offending_team"
    EDUCATION = "education"
    DOMESTIC_VIOLENCE_ADVOCATE = "independent_domestic_violence_advocate"
    HEALTH = "health"
    MENTAL_HEALTH = "mental_health"
    HOUSING = "housing_or_registered_social_landlord"
    HOMELESSNESS_TEAM = "homelessness_team"
    DRUG_AND_ALCOHOL_SERVICES = "drug_and_alcohol_services"
    NON_GOVERNMENTAL_ORGANISATION = "non_governmental_organisation"
    COMMUNITY_OR_VOLUNTARY_ORGANISATION = "community_or_voluntary_organisation"


class ConsentStage(StrEnum):
    """Appendix B: consent is discussed at the preliminary assessment and at the panel."""

    PRELIMINARY_ASSESSMENT = "preliminary_assessment"
    PANEL = "panel"


class ConsentNotSoughtReason(StrEnum):
    """Appendix B: reasons why consent may not be sought."""

    HARMS_ENGAGEMENT = "would_harm_engagement_or_relationships"
    INHIBITS_SUPPORT = "would_inhibit_support_or_risk_management"
    AGENCY_HOLDING_NOT_TO_BE_KNOWN = "agency_does_not_wish_holding_known"
    CANNOT_UNDERSTAND_OR_REFUSES = "person_cannot_understand_or_may_refuse"


class ConsentStatus(StrEnum):
    NOT_SOUGHT = "not_sought"
    SOUGHT = "sought"
    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class ConsentGiver(StrEnum):
    SUBJECT = "subject"
    PARENT_OR_CARER = "parent_or_carer"
    APPROPRIATE_PERSON = "appropriate_person"


class SharingContext(StrEnum):
    """Where information was shared."""

    STRATEGY_DISCUSSION = "strategy_discussion"
    STRATEGY_MEETING = "strategy_meeting"
    REVIEW = "review"
    OUTSIDE_MEETING = "outside_meeting"


class PublicInterestGround(StrEnum):
    """Appendix B: the public interest in disclosure."""

    ADMINISTRATION_OF_JUSTICE = "administration_of_justice"
    PUBLIC_SAFETY = "maintaining_public_safety"
    APPREHENSION_OF_OFFENDERS = "apprehension_of_offenders"
    PREVENTION_OF_CRIME_AND_DISORDER = "prevention_of_crime_and_disorder"
    DETECTION_OF_CRIME = "detection_of_crime"
    PROTECTION_OF_VULNERABLE_PEOPLE = "protection_of_vulnerable_members_of_the_community"


class WithholdingReason(StrEnum):
    NOT_NECESSARY = "not_necessary_or_proportionate"
    NO_LEGAL_BASIS = "no_legal_basis"
    WOULD_PREJUDICE_INVESTIGATION = "would_prejudice_an_investigation"
    HOLDING_NOT_TO_BE_KNOWN = "agency_does_not_wish_holding_known"
    OTHER = "other"


class SubjectDiscussionDecision(StrEnum):
    """Appendix C: whether the owner lets its information be discussed with the subject."""

    APPROVED = "approved"
    REFUSED = "refused"


class BasisKind(StrEnum):
    """What kind of legal ground a catalogue entry is (domain.md A12-13)."""

    CONSENT = "consent"
    STATUTORY_GATEWAY = "statutory_gateway"
    PROCESSING_CONDITION = "processing_condition"
    EXEMPTION = "exemption"
    HUMAN_RIGHTS_ARTICLE = "human_rights_article"
    COURT_ORDER = "court_order"
    COMMON_LAW = "common_law"


class SharingAttempt(StrEnum):
    INVITATION = "invitation"
    DISCLOSURE = "disclosure"


class InvolvementEndReason(StrEnum):
    """Why an agency is no longer involved with the person (section 8)."""

    PROCESS_CONCLUDED = "process_concluded"
    REFERRED_TO_ALTERNATIVE_SUPPORT = "referred_to_alternative_support"
    ROLE_IN_RISK_MANAGEMENT_ENDED = "role_in_risk_management_ended"
    OTHER = "other"


class DisposalMethod(StrEnum):
    """How a recipient disposed of shared information: secure deletion, or return (section 8)."""

    DELETED = "deleted"
    RETURNED = "returned"


class LegalHoldGround(StrEnum):
    """Why a case's records must be kept unchanged for now."""

    LITIGATION = "litigation"
    CRIMINAL_PROCEEDINGS = "criminal_proceedings"
    STATUTORY_INQUIRY_OR_REVIEW = "statutory_inquiry_or_review"
    REGULATOR_INVESTIGATION = "regulator_investigation"
    SUBJECT_ACCESS_REQUEST = "subject_access_request"
    COMPLAINT_OR_DISPUTE = "complaint_or_dispute"


class ErasureGround(StrEnum):
    """The legal ground for erasing a case's personal data."""

    NO_LONGER_NECESSARY = "uk_gdpr_art_17_1_a_no_longer_necessary"
    CONSENT_WITHDRAWN = "uk_gdpr_art_17_1_b_consent_withdrawn"
    OBJECTION_UPHELD = "uk_gdpr_art_17_1_c_objection_upheld"
    UNLAWFULLY_PROCESSED = "uk_gdpr_art_17_1_d_unlawfully_processed"
    LEGAL_OBLIGATION = "uk_gdpr_art_17_1_e_legal_obligation"
    LAW_ENFORCEMENT_ERASURE = "dpa_2018_s47_law_enforcement_erasure"
    RETENTION_PERIOD_ENDED = "retention_schedule_period_ended"


class RecordClass(StrEnum):
    """How a referral ended, which decides how long its record is kept (retention schedule)."""

    SCREENED_OUT = "screened_out"
    CONCLUDED = "concluded"
    ALTERNATIVE_SUPPORT = "alternative_support"


class RetentionDecision(StrEnum):
    RETAIN = "retain"
    ERASE = "erase"


class MeetingKind(StrEnum):
    """The multi-agency meetings of the process; section 6's rules (the confidentiality
    statement, minutes, action points) apply to all of them (domain.md A12 item 6)."""

    STRATEGY_DISCUSSION = "strategy_discussion"
    STRATEGY_MEETING = "strategy_meeting"
    REVIEW = "review"
    CASE_CONFERENCE = "case_conference"


class PoliceRank(StrEnum):
    """Ranks of the police service of England and Wales, lowest first."""

    CONSTABLE = "constable"
    SERGEANT = "sergeant"
    INSPECTOR = "inspector"
    CHIEF_INSPECTOR = "chief_inspector"
    SUPERINTENDENT = "superintendent"
    CHIEF_SUPERINTENDENT = "chief_superintendent"
    ASSISTANT_CHIEF_CONSTABLE = "assistant_chief_constable"
    DEPUTY_CHIEF_CONSTABLE = "deputy_chief_constable"
    CHIEF_CONSTABLE = "chief_constable"


# Section 5: the police attendee at a strategy meeting is "at least of Inspector rank".
INSPECTOR_AND_ABOVE = frozenset(list(PoliceRank)[list(PoliceRank).index(PoliceRank.INSPECTOR) :])


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"
