"""Every console page meets WCAG 2.2 at levels A and AA as far as axe-core can tell, for each
of three kinds of reader: the compliance officer, a partner agency's practitioner and the
MASH's triage officer. A page a role is refused is the GOV.UK error page, checked the same.

axe runs in each page as served, under the console's own Content-Security-Policy: its source
is evaluated through the DevTools protocol, which the policy does not govern (a <script> tag
added to the page would be refused by script-src 'self'), so no context bypasses the policy
and what axe judges is what a reader's browser renders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response, expect

from tests.browser.live_demo import (
    AXE,
    COMPLIANCE_OFFICER,
    MASH_TRIAGE,
    PARTNER_PRACTITIONER,
    LiveDemo,
    new_context,
)

ROLES = (COMPLIANCE_OFFICER, PARTNER_PRACTITIONER, MASH_TRIAGE)
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  const where = (target) => target.map((part) => [].concat(part).join(' >>> ')).join(', ');
  return {
    version: axe.version,
    violations: results.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map((node) => ({target: where(node.target), summary: node.failureSummary})),
    })),
  };
}"""


@dataclass(frozen=True)
class DemoFacts:
    """What the pages are opened on, found through the API as the compliance officer."""

    case_id: str  # the concluded case: every one of the three roles may see it
    case_day: str  # the day of its latest event
    out_of_reach: dict[str, str]  # actor id → a demo case the API refuses them
    register_agency_id: str  # Norfolk Constabulary's


@dataclass
class Readers:
    """One signed-in browser profile per role, kept for the module; a fresh page per test."""

    browser: Browser
    demo: LiveDemo
    contexts: dict[str, BrowserContext] = field(default_factory=dict)

    def signed_in(self, actor_id: str) -> Page:
        if actor_id not in self.contexts:
            context = new_context(self.browser)
            self.demo.sign_in(context, actor_id).close()
            self.contexts[actor_id] = context
        return self.contexts[actor_id].new_page()

    def signed_out(self) -> Page:
        """A page of a profile of its own, without a session."""
        context = new_context(self.browser)
        self.contexts[f"signed-out-{len(self.contexts)}"] = context
        return context.new_page()

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


@pytest.fixture(scope="module")
def facts(live_demo: LiveDemo) -> DemoFacts:
    cases = live_demo.api_json(COMPLIANCE_OFFICER, "/referrals")["items"]
    concluded = next(case["referral_id"] for case in cases if case["stage"] == "concluded")
    history = live_demo.api_json(COMPLIANCE_OFFICER, f"/referrals/{concluded}/history")
    agencies = live_demo.api_json(COMPLIANCE_OFFICER, "/agencies")["agencies"]
    out_of_reach = {}
    for actor_id in ROLES:
        for case in cases:
            path = f"/referrals/{case['referral_id']}/history"
            if live_demo.api_get(actor_id, path).status_code == 403:
                out_of_reach[actor_id] = case["referral_id"]
                break
    return DemoFacts(
        case_id=concluded,
        case_day=max(event["occurred_at"] for event in history["events"])[:10],
        out_of_reach=out_of_reach,
        register_agency_id=next(
            agency["agency_id"] for agency in agencies if agency["name"] == "Norfolk Constabulary"
        ),
    )


@pytest.fixture(scope="module")
def readers(browser: Browser, live_demo: LiveDemo) -> Iterator[Readers]:
    kept = Readers(browser, live_demo)
    yield kept
    kept.close()


@dataclass(frozen=True)
class Visit:
    """How to reach a page as `actor_id`; returns the page and the HTTP status it came with."""

    demo: LiveDemo
    facts: DemoFacts
    readers: Readers
    actor_id: str

    def open(self, path: str) -> tuple[Page, int]:
        page = self.readers.signed_in(self.actor_id)
        return page, _status(page.goto(self.demo.url(path)))

    def sign_in_page(self) -> tuple[Page, int]:
        page = self.readers.signed_out()
        return page, _status(page.goto(self.demo.url("/console/sign-in")))

    def sign_in_with_an_error(self) -> tuple[Page, int]:
        page, _ = self.sign_in_page()
        page.fill("#token", "vtr_not-a-token-anyone-was-given")
        return page, _submit(page, "Sign in")

    def cases_filtered(self) -> tuple[Page, int]:
        page, _ = self.open("/console/cases")
        page.select_option("#stage", "concluded")
        page.check("#overdue")
        return page, _submit(page, "Apply filters")

    def timeline(self) -> tuple[Page, int]:
        return self.open(f"/console/cases/{self.facts.case_id}")

    def timeline_revealed(self) -> tuple[Page, int]:
        page, _ = self.timeline()
        page.fill("#purpose", "Checking the record for a subject access request")
        return page, _submit(page, "Reveal sealed content")

    def timeline_with_an_error(self) -> tuple[Page, int]:
        page, _ = self.timeline()
        page.fill("#purpose", "why not")
        return page, _submit(page, "Reveal sealed content")

    def forbidden(self) -> tuple[Page, int]:
        """A case the API refuses this person, or else a form that is not their session's."""
        refused = self.facts.out_of_reach.get(self.actor_id)
        if refused is not None:
            return self.open(f"/console/cases/{refused}")
        page, _ = self.timeline()
        reveal_form = f"form[action='/console/cases/{self.facts.case_id}']"
        page.locator(f"{reveal_form} input[name=csrf_token]").evaluate(
            "input => { input.value = 'not-this-sessions-token'; }"
        )
        page.fill("#purpose", "Checking the record for a subject access request")
        return page, _submit(page, "Reveal sealed content")

    def signed_out_page(self) -> tuple[Page, int]:
        page = self.readers.signed_out()
        self.demo.sign_in(page.context, self.actor_id).close()
        page.goto(self.demo.url("/console/"))
        return page, _submit(page, "Sign out")


OK, REFUSED = 200, 403
# Each page, how to reach it, and what it may answer: the compliance officer sees every page;
# another role may be refused one (the GOV.UK error page, checked like any other).
PAGES: dict[str, tuple[Callable[[Visit], tuple[Page, int]], set[int], set[int]]] = {
    "sign-in": (Visit.sign_in_page, {OK}, {OK}),
    "sign-in-error": (Visit.sign_in_with_an_error, {401}, {401}),
    "home": (lambda visit: visit.open("/console/"), {OK}, {OK}),
    "cases": (lambda visit: visit.open("/console/cases"), {OK}, {OK}),
    "cases-filtered": (Visit.cases_filtered, {OK}, {OK}),
    "timeline": (Visit.timeline, {OK}, {OK}),
    "timeline-revealed": (Visit.timeline_revealed, {OK}, {OK, REFUSED}),
    "timeline-error": (Visit.timeline_with_an_error, {422}, {422}),
    "as-it-stood": (
        lambda visit: visit.open(
            f"/console/cases/{visit.facts.case_id}/as-it-stood?on={visit.facts.case_day}"
        ),
        {OK},
        {OK, REFUSED},
    ),
    "registers": (lambda visit: visit.open("/console/registers"), {OK}, {OK, REFUSED}),
    "register": (
        lambda visit: visit.open(f"/console/agencies/{visit.facts.register_agency_id}/register"),
        {OK},
        {OK, REFUSED},
    ),
    "obligations": (lambda visit: visit.open("/console/obligations"), {OK}, {OK, REFUSED}),
    "worklist": (lambda visit: visit.open("/console/worklist"), {OK}, {OK, REFUSED}),
    "access-log": (lambda visit: visit.open("/console/access-log"), {OK}, {OK, REFUSED}),
    "integrity": (lambda visit: visit.open("/console/integrity"), {OK}, {OK, REFUSED}),
    "forbidden": (Visit.forbidden, {REFUSED}, {REFUSED}),
    "not-found": (lambda visit: visit.open("/console/no-such-page"), {404}, {404}),
    "signed-out": (Visit.signed_out_page, {OK}, {OK}),
}


@pytest.mark.parametrize("page_name", PAGES)
@pytest.mark.parametrize("actor_id", ROLES)
def test_the_page_has_no_wcag_22_aa_violations(
    live_demo: LiveDemo, facts: DemoFacts, readers: Readers, actor_id: str, page_name: str
) -> None:
    reach, officer_answers, other_answers = PAGES[page_name]
    page, status = reach(Visit(live_demo, facts, readers, actor_id))
    try:
        expected = officer_answers if actor_id == COMPLIANCE_OFFICER else other_answers
        assert status in expected, f"{page_name} as {actor_id} answered {status}: {page.url}"
        if status == REFUSED:
            expect(page.locator("#refusal")).to_be_visible()  # the GOV.UK error page
        if status in {401, 422}:
            expect(page.locator(".govuk-error-summary")).to_be_visible()
        found = run_axe(page)
        assert not found["violations"], describe(found, f"{page_name} as {actor_id}", page, status)
    finally:
        page.close()


@cache
def axe_source() -> str:
    assert AXE.is_file(), f"axe-core is not at {AXE}: run `make` (npm ci installs it)"
    return AXE.read_text(encoding="utf-8")


def run_axe(page: Page) -> dict[str, Any]:
    page.evaluate(axe_source())
    found: dict[str, Any] = page.evaluate(RUN_AXE, WCAG_22_AA)
    return found


def describe(found: dict[str, Any], what: str, page: Page, status: int) -> str:
    count = len(found["violations"])
    heading = f"{what} ({page.url}, HTTP {status}): {count} WCAG 2.2 A/AA violation(s)"
    lines = [f"{heading} found by axe-core {found['version']}:"]
    for violation in found["violations"]:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            summary = "\n        ".join(str(node["summary"]).splitlines())
            lines.append(f"    {node['target']}\n        {summary}")
    return "\n".join(lines)


def _submit(page: Page, button: str) -> int:
    with page.expect_navigation() as navigated:
        page.get_by_role("button", name=button, exact=True).click()
    return _status(navigated.value)


def _status(response: Response | None) -> int:
    assert response is not None, "the page was not loaded from the service"
    return response.status


def test_the_checker_finds_violations_planted_in_a_page(
    live_demo: LiveDemo, readers: Readers
) -> None:
    """Guards the guard: axe runs with these tags in these pages, and reports what it finds."""
    page = readers.signed_out()
    page.goto(live_demo.url("/console/sign-in"))
    page.evaluate(
        """() => {
          const main = document.querySelector('main');
          const image = document.createElement('img');
          image.src = '/console/assets/images/favicon.svg';
          const faint = document.createElement('p');
          faint.textContent = 'Hard to read';
          faint.style.color = '#d8d8d8';
          main.append(image, faint);
        }"""
    )
    found = run_axe(page)
    assert {violation["id"] for violation in found["violations"]} == {
        "image-alt",
        "color-contrast",
    }
    page.close()
