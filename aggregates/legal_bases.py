"""The legal bases an agency may rely on to share information, as two dated catalogues.

`vtr-appendix-b` is the guidance's own Appendix B (Data Protection Act 1998 era); its entries
stop on 24 May 2018. `uk-gdpr-dpa2018` holds today's equivalents (UK GDPR and the Data
Protection Act 2018, domain.md §B3). Every entry is dated, so a disclosure is checked against
the entries in force on the day it happened, and records the entry and catalogue version it
relied on: replay never applies today's rules to yesterday's decision.

Entries are data: add entries or a new catalogue version; never change a published entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from aggregates.errors import InvalidInstructionError
from events.forms import LegalBasisRef
from events.vocabulary import BasisKind


@dataclass(frozen=True, slots=True)
class LegalBasis:
    entry_id: str
    catalogue: str
    catalogue_version: str
    kind: BasisKind
    regime: str
    citation: str
    text: str
    valid_from: date
    valid_to: date | None
    special_category: bool = False

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def as_relied_on(self) -> LegalBasisRef:
        return LegalBasisRef(
            entry_id=self.entry_id,
            catalogue=self.catalogue,
            catalogue_version=self.catalogue_version,
            kind=self.kind,
            regime=self.regime,
            citation=self.citation,
        )


DPA_1998_STARTS = date(2000, 3, 1)
DPA_1998_ENDS = date(2018, 5, 24)
DPA_2018_STARTS = date(2018, 5, 25)
APPENDIX_B = ("vtr-appendix-b", "1998.1")
CURRENT = ("uk-gdpr-dpa2018", "2026.1")


def _appendix_b(
    entry: str,
    kind: BasisKind,
    citation: str,
    text: str,
    *,
    special: bool = False,
    valid_from: date = DPA_1998_STARTS,
    valid_to: date = DPA_1998_ENDS,
    regime: str = "DPA 1998",
) -> LegalBasis:
    return LegalBasis(
        f"app-b.{entry}", *APPENDIX_B, kind, regime, citation, text, valid_from, valid_to, special
    )


def _current(
    entry: str,
    kind: BasisKind,
    citation: str,
    text: str,
    *,
    special: bool = False,
    valid_from: date = DPA_2018_STARTS,
    regime: str = "UK GDPR / DPA 2018",
) -> LegalBasis:
    return LegalBasis(
        f"uk.{entry}", *CURRENT, kind, regime, citation, text, valid_from, None, special
    )


K = BasisKind
ENTRIES: tuple[LegalBasis, ...] = (
    # The guidance's Appendix B, Data Protection Act 1998 era.
    _appendix_b(
        "consent",
        K.CONSENT,
        "DPA 1998 Sch. 2 para. 1; Sch. 3 para. 1",
        "Informed consent (explicit for sensitive personal data): freely given, based on "
        "clear information about who shares and why, capable of being withdrawn.",
        special=True,
    ),
    _appendix_b(
        "cda1998-s115",
        K.STATUTORY_GATEWAY,
        "Crime and Disorder Act 1998, s.115",
        "Power to share information where behaviour or risk indicates crime or disorder.",
        regime="Statute",
        valid_from=date(1998, 9, 30),
    ),
    _appendix_b(
        "dpa1998-s29",
        K.EXEMPTION,
        "DPA 1998, s.29",
        "Exemption from the non-disclosure provisions where necessary for the prevention "
        "or detection of crime, or the apprehension or prosecution of offenders.",
    ),
    _appendix_b(
        "children-act",
        K.STATUTORY_GATEWAY,
        "Children Act 1989; Children Act 2004",
        "Disclosure between social services and the police for Children Act functions, "
        "where the public interest in the child's welfare overrides confidentiality.",
        regime="Statute",
    ),
    _appendix_b(
        "no-secrets",
        K.STATUTORY_GATEWAY,
        "No Secrets (2000), statutory guidance under LASSA 1970, s.7",
        "Disclosure between social services and the police to safeguard a vulnerable adult.",
        regime="Statutory guidance",
        valid_from=date(2000, 3, 20),
        valid_to=date(2015, 3, 31),
    ),
    _appendix_b(
        "cja2003-mappa",
        K.STATUTORY_GATEWAY,
        "Criminal Justice Act 2003, ss.325-327",
        "Public protection: the individual is managed under MAPPA.",
        regime="Statute",
        valid_from=date(2005, 4, 4),
    ),
    _appendix_b(
        "oma2007-s14",
        K.STATUTORY_GATEWAY,
        "Offender Management Act 2007, s.14",
        "Offender management: the individual is a recent offender.",
        regime="Statute",
        valid_from=date(2008, 3, 31),
    ),
    _appendix_b(
        "court-order",
        K.COURT_ORDER,
        "An order of a court",
        "Disclosure required by an order issued by a court.",
        regime="Court",
    ),
    _appendix_b(
        "sch2-vital-interests",
        K.PROCESSING_CONDITION,
        "DPA 1998 Sch. 2 para. 4",
        "To protect the vital interests of the data subject: serious harm, or life or death.",
    ),
    _appendix_b(
        "sch3-vital-interests",
        K.PROCESSING_CONDITION,
        "DPA 1998 Sch. 3 para. 3",
        "To protect vital interests (sensitive personal data).",
        special=True,
    ),
    _appendix_b(
        "sch2-administration-of-justice",
        K.PROCESSING_CONDITION,
        "DPA 1998 Sch. 2 para. 5(a)",
        "For the administration of justice.",
    ),
    _appendix_b(
        "sch3-administration-of-justice",
        K.PROCESSING_CONDITION,
        "DPA 1998 Sch. 3 para. 7(1)(a)",
        "For the administration of justice (sensitive personal data).",
        special=True,
    ),
    _appendix_b(
        "sch2-legitimate-interests",
        K.PROCESSING_CONDITION,
        "DPA 1998 Sch. 2 para. 6(1)",
        "Legitimate interests of the controller or recipients, except where the disclosure "
        "causes unwarranted prejudice to the person of concern.",
    ),
    _appendix_b(
        "sch3-medical-purposes",
        K.PROCESSING_CONDITION,
        "DPA 1998 Sch. 3 para. 8",
        "Medical purposes, by a health professional or a person owing an equivalent duty.",
        special=True,
    ),
    _appendix_b(
        "sch3-unlawful-act",
        K.PROCESSING_CONDITION,
        "SI 2000/417, para. 1",
        "Prevention or detection of any unlawful act, in the substantial public interest.",
        special=True,
    ),
    _appendix_b(
        "sch3-confidential-counselling",
        K.PROCESSING_CONDITION,
        "SI 2000/417, para. 4",
        "Confidential counselling, advice or support, in the substantial public interest, "
        "where seeking consent would prejudice the service.",
        special=True,
    ),
    _appendix_b(
        "sch3-police-functions",
        K.PROCESSING_CONDITION,
        "SI 2002/2905, para. 2",
        "Exercise of functions conferred on a constable by any rule of law.",
        special=True,
    ),
    _appendix_b(
        "hra-art2",
        K.HUMAN_RIGHTS_ARTICLE,
        "Human Rights Act 1998, Sch. 1 Art. 2",
        "Right to life.",
        regime="HRA 1998",
    ),
    _appendix_b(
        "hra-art3",
        K.HUMAN_RIGHTS_ARTICLE,
        "Human Rights Act 1998, Sch. 1 Art. 3",
        "Right to be free from torture or inhuman or degrading treatment.",
        regime="HRA 1998",
    ),
    _appendix_b(
        "common-law-public-interest",
        K.COMMON_LAW,
        "Common-law duty of confidentiality",
        "The public interest in disclosure overrides the duty of confidentiality.",
        regime="Common law",
    ),
    # Today's equivalents: UK GDPR and the Data Protection Act 2018.
    _current(
        "consent-art6-1a",
        K.CONSENT,
        "UK GDPR Art. 6(1)(a)",
        "Consent; rarely the right basis for public safeguarding, kept as a quality test.",
    ),
    _current(
        "explicit-consent-art9-2a",
        K.CONSENT,
        "UK GDPR Art. 9(2)(a)",
        "Explicit consent for special category data.",
        special=True,
    ),
    _current(
        "public-task-art6-1e",
        K.PROCESSING_CONDITION,
        "UK GDPR Art. 6(1)(e), Art. 6(3)",
        "Public task: performance of a task in the public interest or in official authority.",
    ),
    _current(
        "legal-obligation-art6-1c",
        K.PROCESSING_CONDITION,
        "UK GDPR Art. 6(1)(c)",
        "Compliance with a legal obligation.",
    ),
    _current(
        "vital-interests-art6-1d",
        K.PROCESSING_CONDITION,
        "UK GDPR Art. 6(1)(d)",
        "Vital interests of the data subject or another person.",
    ),
    _current(
        "vital-interests-art9-2c",
        K.PROCESSING_CONDITION,
        "UK GDPR Art. 9(2)(c)",
        "Vital interests where the subject cannot give consent.",
        special=True,
    ),
    _current(
        "sch1-para6-statutory",
        K.PROCESSING_CONDITION,
        "DPA 2018 Sch. 1 para. 6",
        "Statutory and government purposes.",
        special=True,
    ),
    _current(
        "sch1-para10-unlawful-acts",
        K.PROCESSING_CONDITION,
        "DPA 2018 Sch. 1 para. 10",
        "Preventing or detecting unlawful acts.",
        special=True,
    ),
    _current(
        "sch1-para17-counselling",
        K.PROCESSING_CONDITION,
        "DPA 2018 Sch. 1 para. 17",
        "Counselling.",
        special=True,
    ),
    _current(
        "sch1-para18-safeguarding",
        K.PROCESSING_CONDITION,
        "DPA 2018 Sch. 1 para. 18",
        "Safeguarding of children and of individuals at risk.",
        special=True,
    ),
    _current(
        "health-social-care-art9-2h",
        K.PROCESSING_CONDITION,
        "UK GDPR Art. 9(2)(h); DPA 2018 Sch. 1 para. 2",
        "Health or social care purposes, under professional secrecy.",
        special=True,
    ),
    _current(
        "part3-s35-law-enforcement",
        K.PROCESSING_CONDITION,
        "DPA 2018 Part 3, ss.31 and 35",
        "Law-enforcement processing by a competent authority, lawful and fair.",
        regime="DPA 2018 Part 3",
    ),
    _current(
        "part3-sch8-safeguarding",
        K.PROCESSING_CONDITION,
        "DPA 2018 Sch. 8 para. 4",
        "Sensitive law-enforcement processing to safeguard children and individuals at risk.",
        special=True,
        regime="DPA 2018 Part 3",
    ),
    _current(
        "sch2-para2-crime",
        K.EXEMPTION,
        "DPA 2018 Sch. 2 Part 1 para. 2",
        "Exemption for crime and taxation: general.",
    ),
    _current(
        "cda1998-s115",
        K.STATUTORY_GATEWAY,
        "Crime and Disorder Act 1998, s.115",
        "Power to share information for the purposes of the Act (still needs a UK GDPR basis).",
        regime="Statute",
    ),
    _current(
        "children-act-1989-s47",
        K.STATUTORY_GATEWAY,
        "Children Act 1989, s.47",
        "Local authority's duty to investigate where a child may suffer significant harm.",
        regime="Statute",
    ),
    _current(
        "children-act-2004-s11",
        K.STATUTORY_GATEWAY,
        "Children Act 2004, s.11",
        "Duty to safeguard and promote the welfare of children.",
        regime="Statute",
    ),
    _current(
        "care-act-2014-s42",
        K.STATUTORY_GATEWAY,
        "Care Act 2014, s.42",
        "Safeguarding enquiries for adults at risk.",
        regime="Statute",
        valid_from=date(2015, 4, 1),
    ),
    _current(
        "care-act-2014-s45",
        K.STATUTORY_GATEWAY,
        "Care Act 2014, s.45",
        "Supply of information to a Safeguarding Adults Board.",
        regime="Statute",
        valid_from=date(2015, 4, 1),
    ),
    _current(
        "ctsa2015-s38",
        K.STATUTORY_GATEWAY,
        "Counter-Terrorism and Security Act 2015, s.38",
        "Co-operation of panel partners, including the sharing of information.",
        regime="Statute",
        valid_from=date(2015, 4, 12),
    ),
    _current(
        "cja2003-mappa",
        K.STATUTORY_GATEWAY,
        "Criminal Justice Act 2003, ss.325-327",
        "Public protection under MAPPA.",
        regime="Statute",
    ),
    _current(
        "oma2007-s14",
        K.STATUTORY_GATEWAY,
        "Offender Management Act 2007, s.14",
        "Disclosure for offender-management purposes.",
        regime="Statute",
    ),
    _current(
        "court-order",
        K.COURT_ORDER,
        "An order of a court",
        "Disclosure required by an order issued by a court.",
        regime="Court",
    ),
    _current(
        "hra-art2",
        K.HUMAN_RIGHTS_ARTICLE,
        "Human Rights Act 1998, Sch. 1 Art. 2",
        "Right to life.",
        regime="HRA 1998",
    ),
    _current(
        "hra-art3",
        K.HUMAN_RIGHTS_ARTICLE,
        "Human Rights Act 1998, Sch. 1 Art. 3",
        "Right to be free from torture or inhuman or degrading treatment.",
        regime="HRA 1998",
    ),
    _current(
        "common-law-public-interest",
        K.COMMON_LAW,
        "Common-law duty of confidentiality",
        "The public interest in disclosure overrides the duty of confidentiality.",
        regime="Common law",
    ),
)
LEGAL_BASES = MappingProxyType({entry.entry_id: entry for entry in ENTRIES})
if len(LEGAL_BASES) != len(ENTRIES):
    raise RuntimeError("two legal-basis entries share an id")


def cited(entry_ids: Sequence[str]) -> list[LegalBasis]:
    """The catalogue entries a step cites, each once, in the order cited; unknown ones are an
    invalid `legal_basis_ids`."""
    unknown = [entry for entry in entry_ids if entry not in LEGAL_BASES]
    if not entry_ids or unknown:
        raise InvalidInstructionError(
            "legal_basis_ids", f"Cite entries of the legal-basis catalogue; unknown: {unknown}."
        )
    return [LEGAL_BASES[entry] for entry in dict.fromkeys(entry_ids)]


def in_force_on(day: date) -> list[LegalBasis]:
    return [entry for entry in ENTRIES if entry.in_force_on(day)]
