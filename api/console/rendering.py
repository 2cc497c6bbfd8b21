"""Pages from templates: one Jinja2 environment, autoescaped, with the words the pages use
for the record's values (dates in UK time, the process's names for its steps)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.access.marking import MARKING_AS_WRITTEN, PROTECTIVE_MARKING
from api.console.sessions import ConsoleSession
from events.base import UK_TIME

TEMPLATES = Path(__file__).parent / "templates"
# Pages hold case data: no browser or proxy may keep them, so the back button after sign-out
# shows nothing.
NO_STORE = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


def _words(value: object) -> str:
    """`strategy_discussion` → "strategy discussion"; `ReferralScreenedIn` → "Referral
    screened in"."""
    text = str(value)
    if "_" in text or text.islower():
        return text.replace("_", " ")
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text)
    return spaced[:1] + spaced[1:].lower()


def _when(value: object) -> str:
    """A moment in UK time, as people read it: "10 Feb 2026, 14:00"."""
    if value in (None, ""):
        return "—"
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.astimezone(UK_TIME).strftime("%-d %b %Y, %H:%M")


def _day(value: object) -> str:
    if value in (None, ""):
        return "—"
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return day.strftime("%-d %b %Y")


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(words=_words, when=_when, day=_day)
    environment.globals.update(
        protective_marking=PROTECTIVE_MARKING,
        marking_as_written=MARKING_AS_WRITTEN,
    )
    return environment


ENVIRONMENT = _environment()


def page(
    request: Request,
    template: str,
    session: ConsoleSession | None,
    *,
    status: int = 200,
    case_data: bool = True,
    **context: Any,
) -> HTMLResponse:
    """A rendered page; `case_data` pages carry the protective marking."""
    html = ENVIRONMENT.get_template(template).render(
        request_path=request.url.path,
        session=session,
        signed_in=session is not None,
        case_data=case_data,
        csrf_token=session.csrf_token if session else "",
        **context,
    )
    headers = {**NO_STORE, "Protective-Marking": PROTECTIVE_MARKING} if case_data else NO_STORE
    return HTMLResponse(html, status_code=status, headers=headers)
