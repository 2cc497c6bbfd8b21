"""The reference data sharing decisions rely on: legal bases, categories, statements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from aggregates.legal_bases import ENTRIES
from aggregates.sharing_catalogues import CATEGORIES, STATEMENTS, InformationCategory
from api.access.gate import GatedRoute
from api.http.deps import ActorDep
from api.http.schemas import Day
from api.http.sharing_schemas import LegalBasisEntry

router = APIRouter(tags=["Catalogues"], route_class=GatedRoute)


@router.get("/legal-bases", response_model=list[LegalBasisEntry])
def legal_bases(
    _actor: ActorDep,
    on: Annotated[Day | None, Query(description="Only the entries in force on this day.")] = None,
    catalogue: Annotated[str | None, Query(max_length=60)] = None,
) -> list[LegalBasisEntry]:
    """The dated legal-basis catalogues: Appendix B (DPA 1998) and UK GDPR / DPA 2018."""
    return [
        LegalBasisEntry.of(entry)
        for entry in ENTRIES
        if (on is None or entry.in_force_on(on)) and catalogue in (None, entry.catalogue)
    ]


@router.get("/information-categories")
def information_categories(_actor: ActorDep) -> list[dict[str, object]]:
    """The categories of disclosed information; special ones need a sensitive-data condition."""
    return [_category(category) for category in CATEGORIES.values()]


@router.get("/confidentiality-statements")
def confidentiality_statements(_actor: ActorDep) -> list[dict[str, object]]:
    """The Appendix C statement, one version per legal era, with the days each applies."""
    return [
        {"version": s.version, "valid_from": s.valid_from, "valid_to": s.valid_to, "text": s.text}
        for s in STATEMENTS.values()
    ]


def _category(category: InformationCategory) -> dict[str, object]:
    return {
        "code": category.code,
        "label": category.label,
        "special_category": category.special_category,
    }
