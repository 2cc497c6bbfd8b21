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
POST_EXIT_REVIEWS_IN_ORDER = Rule(
    "post-exit-reviews-in-order",
    "The 6-month post-exit review comes before the 12-month one, and each happens once.",
)


def wrong_stage(step: str, stage: str, allowed: str) -> Rule:
    """The rule for a step attempted at a stage that does not allow it."""
    return Rule(
        "step-not-allowed-at-this-stage",
        f"{step} is allowed only {allowed}; this referral is at stage '{stage}'.",
    )
