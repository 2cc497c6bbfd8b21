"""The rules of the VTR process that the Referral aggregate enforces, in words.

Section numbers refer to the guidance (`shared/reference/vtr-guidance-and-referral.txt`).
"""

from __future__ import annotations

from aggregates.errors import Rule

SECURITY_CHECKS_BEFORE_SCREENING = Rule(
    "security-checks-before-screening",
    "Security checks must be recorded before the referral is screened: MASH triage ensures "
    "the relevant security checks are completed (section 5).",
)
SECURITY_CHECKS_ONCE = Rule(
    "security-checks-once", "Security checks have already been recorded for this referral."
)
FURTHER_INFORMATION_OUTSTANDING = Rule(
    "further-information-outstanding",
    "The referral is with the MASH Operational Desk for further information; record the "
    "information returned before this step.",
)
NO_FURTHER_INFORMATION_REQUESTED = Rule(
    "no-further-information-requested",
    "There is no outstanding request for further information to return.",
)
REFERRER_CONSULTED_BEFORE_DECISION = Rule(
    "referrer-consulted-before-decision",
    "The referrer must be consulted, or invited to attend, before the strategy discussion "
    "decides (section 5).",
)
RISK_ASSESSMENT_BEFORE_DECISION = Rule(
    "risk-assessment-before-decision",
    "A risk assessment must be recorded before the strategy discussion decides (section 5).",
)
SOCIAL_CARE_SERVICE_FITS_AGE = Rule(
    "social-care-service-fits-age",
    "A child's strategy discussion involves Children's Services and an adult's Adult Social "
    "Services (section 5).",
)
DISCUSSION_NOT_YET_HELD = Rule(
    "discussion-not-yet-held",
    "The strategy discussion's decision can be recorded only once its scheduled time has come.",
)
MEETING_NOT_YET_HELD = Rule(
    "meeting-not-yet-held",
    "The strategy meeting's outcome can be recorded only once the meeting's time has come.",
)
SIGNATURE_FROM_DISCUSSION_SERVICE = Rule(
    "signature-from-discussion-service",
    "The social-care Section 2 signature must come from the service that took part in the "
    "strategy discussion.",
)
SIGNATURE_ONCE_PER_BOX = Rule(
    "signature-once-per-box", "This Section 2 signature has already been given."
)
TWO_DISTINCT_SIGNATORIES = Rule(
    "two-distinct-signatories",
    "The two Section 2 signatures (Norfolk Constabulary, and Children's Services or Adult "
    "Social Services) must come from two different people.",
)
FEEDBACK_AFTER_DECISION = Rule(
    "feedback-after-decision",
    "The referrer can be told the outcome of the strategy discussion only once the Section 2 "
    "decision is signed by both signatories.",
)
FEEDBACK_AFTER_CONCLUSION = Rule(
    "feedback-after-conclusion",
    "The referrer can be given feedback on the conclusion only once the process has concluded "
    "or the person was referred to alternative support (section 7).",
)
FEEDBACK_ONCE = Rule("feedback-once", "The referrer has already been notified of this outcome.")
NO_EXIT_AGREED = Rule(
    "exit-must-be-agreed",
    "The process can be concluded only after the strategy discussion, the strategy meeting or a "
    "review agreed that the VTR process is not applicable (section 7).",
)
NO_ALTERNATIVE_SUPPORT_AGREED = Rule(
    "alternative-support-must-be-agreed",
    "A referral to alternative support needs a decision for it: screening out, the strategy "
    "discussion or the strategy meeting (section 5, Appendix D).",
)
NO_CONCLUSION_WITH_OPEN_DISPUTE = Rule(
    "no-conclusion-with-open-dispute",
    "The process cannot be concluded while a dispute on it is unresolved (section 7).",
)
ONE_OPEN_DISPUTE = Rule(
    "one-open-dispute", "A dispute is already open on this referral; resolve it first."
)
DISPUTE_REFERRED_BEFORE_RESOLUTION = Rule(
    "dispute-referred-before-resolution",
    "A dispute must be referred to the Head of Safeguarding and the D/Superintendent, "
    "Vulnerable People's Directorate, before it is resolved (section 7).",
)
DISPUTE_ALREADY_REFERRED = Rule(
    "dispute-already-referred", "This dispute has already been referred."
)
DISPUTE_ALREADY_RESOLVED = Rule("dispute-already-resolved", "This dispute is already resolved.")
POST_EXIT_REVIEW_AFTER_EXIT = Rule(
    "post-exit-review-after-exit",
    "Post-exit reviews at 6 and 12 months follow a conclusion or a referral to alternative "
    "support (Appendix D).",
)
POST_EXIT_REVIEW_NOT_YET_DUE = Rule(
    "post-exit-review-not-yet-due",
    "A post-exit review falls due 6 or 12 months after the exit (Appendix D): record it on "
    "or after its due date, or say why it was held early (early_reason).",
)
POST_EXIT_REVIEWS_IN_ORDER = Rule(
    "post-exit-reviews-in-order",
    "The 6-month post-exit review comes before the 12-month one, and each happens once.",
)

NO_ISP_SIGNATURE_TO_LAPSE = Rule(
    "no-isp-signature-to-lapse", "The agency has no valid protocol signature on that day to lapse."
)
ISP_SIGNATURE_REQUIRED = Rule(
    "isp-signature-required",
    "Drug and alcohol services, non-governmental organisations and community or voluntary "
    "groups may be invited, or receive information, only while their signature of the "
    "Information Sharing Protocol is valid (section 5).",
)
ALREADY_INVITED = Rule("already-invited", "This agency is already invited to the strategy meeting.")
STATEMENT_BEFORE_MEETING_SHARING = Rule(
    "confidentiality-statement-first",
    "Information is shared at a strategy meeting only after the chair has read the "
    "confidentiality statement at that meeting (section 6, Appendix C).",
)
SHARING_WHILE_CASE_OPEN = Rule(
    "sharing-while-case-open",
    "Information is shared only for the VTR process, while the case is open in it (section 8).",
)
DISCLOSING_AGENCY_ONLY = Rule(
    "disclosing-agency-decides",
    "Each agency decides on sharing its own information: the person deciding must act for the "
    "disclosing agency (section 3).",
)
SECTION_3_PRINCIPLES = Rule(
    "section-3-principles",
    "Information is shared only where there is a power to share and it is necessary, relevant, "
    "proportionate and non-discriminatory (section 3).",
)
NEED_TO_KNOW = Rule(
    "need-to-know",
    "Each recipient must need to know the information to make informed assessments and "
    "decisions (section 3).",
)
LEGAL_GATEWAY_WITHOUT_CONSENT = Rule(
    "legal-gateway-without-consent",
    "Without consent, a disclosure needs a statutory gateway, a processing condition, an "
    "exemption or a court order (section 3, Appendix B).",
)
PUBLIC_INTEREST_MUST_OVERRIDE = Rule(
    "public-interest-must-override",
    "Without consent, the public interest must be found to override the duty of "
    "confidentiality and the right to private life, with consent considered (Appendix B).",
)
SPECIAL_CATEGORY_CONDITION = Rule(
    "sensitive-data-condition",
    "Sensitive information (health, offences, intelligence, beliefs) needs a condition for "
    "sensitive data: DPA 1998 Sch. 3, or UK GDPR Art. 9 with DPA 2018 Sch. 1 (Appendix B).",
)
CONSENT_NOT_IN_FORCE = Rule(
    "consent-not-in-force",
    "A disclosure that relies on consent needs consent given and not withdrawn (Appendix B).",
)
CONSENT_DECISION_FIRST = Rule(
    "consent-decision-first",
    "Before anyone seeks consent, this stage (preliminary assessment or panel) must decide "
    "whether consent is to be sought and by whom (Appendix B).",
)
CONSENT_NOT_TO_BE_SOUGHT = Rule(
    "consent-not-to-be-sought", "This stage decided that consent is not to be sought."
)
CONSENT_SEEKER_AS_DECIDED = Rule(
    "consent-sought-by-decided-agency",
    "Consent is sought by the agency this stage decided should seek it (Appendix B).",
)
CONSENT_ALREADY_GIVEN = Rule("consent-already-given", "Consent has already been given.")
CONSENT_NOT_SOUGHT = Rule(
    "consent-must-be-sought", "Consent can be given or refused only once it has been sought."
)
CONSENT_NOT_GIVEN = Rule("consent-not-given", "Only consent that was given can be withdrawn.")
CONSENT_VALIDITY = Rule(
    "consent-validity",
    "Consent is valid only if freely given, based on clear information about who shares and "
    "why, and capable of being withdrawn (Appendix B).",
)
ONWARD_FOR_MEETING_INFORMATION = Rule(
    "onward-disclosure-of-meeting-information",
    "Onward disclosure is sanctioned for information shared at a meeting (Appendix C).",
)
OWNER_DECIDES_SUBJECT_DISCUSSION = Rule(
    "owner-decides-subject-discussion",
    "Only the owner of the information may approve discussing it with the subject (Appendix C).",
)


RECIPIENT_NO_LONGER_INVOLVED = Rule(
    "recipient-no-longer-involved",
    "Information is not shared with an agency whose involvement with the person has ended "
    "(section 8).",
)
AGENCY_NOT_INVOLVED = Rule(
    "agency-not-involved",
    "Only an agency involved in the case (invited to it, or a recipient of information shared "
    "in it) can end its involvement.",
)
INVOLVEMENT_ALREADY_ENDED = Rule(
    "involvement-already-ended", "This agency's involvement with the case has already ended."
)
OBLIGATION_ALREADY_DISCHARGED = Rule(
    "obligation-already-discharged",
    "This obligation was discharged: the recipient has confirmed deleting or returning all of it.",
)
RECIPIENT_CONFIRMS_DISPOSAL = Rule(
    "recipient-confirms-disposal",
    "Each receiving agency answers for the secure deletion or return of what it received: the "
    "confirmation must come from that agency (section 8).",
)
LEGAL_HOLD_IN_FORCE = Rule(
    "legal-hold-in-force",
    "A legal hold is in force on this case: its records must be kept as they are, so deletion, "
    "return and erasure wait until the hold is lifted.",
)
ONE_LEGAL_HOLD = Rule("one-legal-hold", "A legal hold is already in force on this case.")
NO_LEGAL_HOLD = Rule("no-legal-hold", "No legal hold is in force on this case.")
COMPLIANCE_OFFICER_ONLY = Rule(
    "compliance-officer-only",
    "Erasure and retention decisions are made by compliance officers.",
)
ERASURE_REQUEST_OPEN = Rule(
    "erasure-request-open",
    "An erasure request for this case is still open: approve and execute it first.",
)
ERASURE_NOT_APPROVED = Rule(
    "erasure-needs-approval",
    "An erasure is executed only after a second compliance officer has approved it.",
)
ERASURE_ALREADY_APPROVED = Rule(
    "erasure-already-approved", "This erasure request has already been approved."
)
ERASURE_ALREADY_EXECUTED = Rule(
    "erasure-already-executed", "This erasure request has already been executed."
)
SECOND_PERSON_APPROVES = Rule(
    "second-person-approves-erasure",
    "The person who requested an erasure cannot approve it: a second person must.",
)
NOTHING_LEFT_TO_ERASE = Rule(
    "nothing-left-to-erase",
    "Every key group this request names has already been erased.",
)
ERASED_DATA_NOT_RECAPTURED = Rule(
    "erased-data-not-recaptured",
    "This case's personal data of that kind was erased; a step may not record new personal "
    "data of that kind (leave the free-text fields empty).",
)
RETENTION_REVIEW_AFTER_OUTCOME = Rule(
    "retention-review-after-outcome",
    "A record is reviewed for retention once the referral has an outcome: screened out, "
    "concluded, or referred to alternative support.",
)


def signatory_role(capacity: str) -> Rule:
    return Rule("signatory-role", f"Only a person in the {capacity} role can sign in that box.")


def legal_basis_not_in_force(entry_id: str, day: str) -> Rule:
    return Rule(
        "legal-basis-in-force-on-the-day",
        f"Each legal basis relied on must be in force on the day of the disclosure; "
        f"{entry_id} is not in force on {day} (Appendix B and its successors).",
    )


def wrong_stage(step: str, stage: str, allowed: str) -> Rule:
    """The rule for a step attempted at a stage that does not allow it."""
    return Rule(
        "step-not-allowed-at-this-stage",
        f"{step} is allowed only {allowed}; this referral is at stage '{stage}'.",
    )


# Meetings, minutes and the action plan (section 6)
MEETING_WHILE_OPEN = Rule(
    "meeting-while-open", "Meetings are held while the case is open, not after it has ended."
)
ATTENDANCE_RECORDED_ONCE = Rule(
    "attendance-recorded-once", "This meeting's attendance is already recorded."
)
ATTENDANCE_BEFORE_MINUTES = Rule(
    "attendance-before-minutes",
    "Record who attended the meeting before its minutes or the actions it agreed.",
)
MINUTE_TAKER_DRAFTS = Rule(
    "minute-taker-drafts",
    "The minutes are drafted by the minute-taker the chair provided for this meeting (section 6).",
)
STATEMENT_IN_MINUTES = Rule(
    "statement-in-minutes",
    "The confidentiality statement read at the start of the meeting appears in the minutes "
    "(section 6, Appendix C).",
)
CORRECTIONS_OF_CIRCULATED_MINUTES = Rule(
    "corrections-of-circulated-minutes",
    "A correcting version names minutes that were circulated; before that, draft again.",
)
CHAIR_APPROVES_MINUTES = Rule(
    "chair-approves-minutes", "The minutes are approved by the chair of the meeting."
)
MINUTES_APPROVED_ONCE = Rule("minutes-approved-once", "This version is already approved.")
MINUTES_APPROVED_BEFORE_CIRCULATION = Rule(
    "minutes-approved-before-circulation",
    "Minutes are circulated only once the chair has approved them.",
)
MINUTES_CIRCULATED_ONCE = Rule(
    "minutes-circulated-once",
    "This version is already circulated; a correction is a new version.",
)
MINUTES_NEED_A_RECIPIENT = Rule(
    "minutes-need-a-recipient",
    "The minutes go to the agencies that attended; no agency but the sender attended.",
)
ACTION_OPEN = Rule("action-open", "The action is already done or dropped.")
ACTIONS_CONTINUE_AT_A_REVIEW = Rule(
    "actions-continue-at-a-review",
    "Which actions continue is decided at a review meeting (section 5: a review in the "
    "region of 4-6 weeks).",
)


def police_attendee_rank(ranks: list[str]) -> Rule:
    return Rule(
        "police-attendee-rank",
        "At a strategy meeting the police report on the case through an officer at least of "
        f"Inspector rank (section 5); this service accepts: {', '.join(ranks)}.",
    )
