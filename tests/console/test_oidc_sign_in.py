"""Signing in to the console through the council's identity provider: the authorisation code
flow with PKCE, state bound to the browser, a nonce checked, and the API's own verifier
deciding who the person is."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx2 as httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from aggregates.agency import agency_id_for
from api.http.app import create_app
from api.settings import Settings
from tests.conftest import make_settings
from tests.console.console_client import Browser
from tests.console.identity_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    ISSUER,
    KEY_ID,
    Provider,
    serving,
)
from tests.support import FixedClock, register_in_directory


@pytest.fixture(scope="module")
def provider_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def provider(provider_key: rsa.RSAPrivateKey) -> Iterator[Provider]:
    claims = {
        "sub": "idp-user-7",
        "vtr_roles": ["compliance_officer"],
        "vtr_agency": str(agency_id_for("Norfolk County Council")),
    }
    with serving(Provider(provider_key, claims)) as running:
        yield running


@pytest.fixture
def oidc_app(
    tmp_path: Path,
    request: pytest.FixtureRequest,
    provider: Provider,
    provider_key: rsa.RSAPrivateKey,
    clock: FixedClock,
) -> Iterator[FastAPI]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider_key.public_key()))
    keys = tmp_path / "jwks.json"
    keys.write_text(json.dumps({"keys": [{**public, "kid": KEY_ID, "use": "sig"}]}))
    settings: Settings
    for settings in make_settings(
        "sqlite",
        tmp_path,
        request,
        oidc_issuer=ISSUER,
        oidc_audience=CLIENT_ID,
        oidc_jwks_file=keys,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_authorization_endpoint=f"{provider.base}/authorize",
        oidc_token_endpoint=f"{provider.base}/token",
        public_url="https://testserver",
    ):
        yield create_app(settings, clock=clock)


@pytest.fixture
def browser(oidc_app: FastAPI) -> Iterator[Browser]:
    with Browser(oidc_app) as opened:
        register_in_directory(opened.client, "Norfolk County Council")
        yield opened


def to_provider_and_back(browser: Browser, next_page: str) -> str:
    """Start the sign-in at the console, let the provider answer; the callback's path."""
    started = browser.get("/console/sign-in/oidc", next=next_page)
    assert started.status_code == 303
    asked = parse_qs(urlsplit(started.headers["location"]).query)
    assert asked["code_challenge_method"] == ["S256"]
    assert asked["client_id"] == [CLIENT_ID]
    assert asked["redirect_uri"] == ["https://testserver/console/sign-in/callback"]
    answered = httpx.get(started.headers["location"], follow_redirects=False, timeout=10)
    assert answered.status_code == 303
    back = urlsplit(answered.headers["location"])
    return f"{back.path}?{back.query}"


def test_the_providers_sign_in_opens_a_session_as_the_person_it_names(
    browser: Browser,
) -> None:
    assert "Sign in with your council account" in browser.get("/console/sign-in").text
    callback = to_provider_and_back(browser, "/console/cases")
    signed_in = browser.get(callback)
    assert signed_in.status_code == 303, signed_in.text
    assert signed_in.headers["location"] == "/console/cases"
    cases = browser.get("/console/cases")
    assert cases.status_code == 200
    assert "idp-user-7" in cases.text
    assert browser.get(callback).status_code == 401  # a code and a state are used once


def test_a_callback_this_browser_did_not_start_signs_nobody_in(
    browser: Browser, oidc_app: FastAPI
) -> None:
    """Login CSRF: an attacker's own code and state, delivered to the victim's browser."""
    with Browser(oidc_app) as attacker:
        callback = to_provider_and_back(attacker, "/console/")
    refused = browser.get(callback)
    assert refused.status_code == 401
    assert browser.session_cookie is None
    assert browser.get("/console/cases").status_code == 303


def test_a_tampered_state_or_a_wrong_nonce_is_refused(browser: Browser, provider: Provider) -> None:
    callback = to_provider_and_back(browser, "/console/")
    assert browser.get(callback.replace("state=", "state=x")).status_code == 401
    provider.nonce_override = "not-the-nonce-we-sent"
    refused = browser.get(to_provider_and_back(browser, "/console/"))
    assert refused.status_code == 401
    assert browser.session_cookie is None


def test_a_person_the_api_would_refuse_is_refused_here(
    browser: Browser, provider: Provider
) -> None:
    provider.claims["vtr_agency"] = str(agency_id_for("An agency not in the directory"))
    refused = browser.get(to_provider_and_back(browser, "/console/"))
    assert refused.status_code == 401
    assert "not accepted by this service" in refused.text
    assert browser.session_cookie is None
