"""Bearer credentials: API tokens with expiry and revocation, and OpenID Connect JWTs from a
configured provider (keys generated here). Every bad credential is a 401; none is logged."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from aggregates.agency import agency_id_for
from api.access.identity import issue_token, read_table, revoke_token
from api.http.app import create_app
from api.logging import configure_logging
from api.settings import Settings
from events.vocabulary import Role
from tests.api.test_cli import cli_env, run
from tests.conftest import make_settings
from tests.support import FixedClock, agency, register_in_directory

ISSUER = "https://idp.norfolk.example/realms/safeguarding"
AUDIENCE = "vtr-ledger"
KEY_ID = "signing-2026"


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def provider_key() -> rsa.RSAPrivateKey:
    return rsa_key()


@pytest.fixture
def oidc_settings(
    tmp_path: Path, request: pytest.FixtureRequest, provider_key: rsa.RSAPrivateKey
) -> Iterator[Settings]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider_key.public_key()))
    keys = tmp_path / "jwks.json"
    keys.write_text(json.dumps({"keys": [{**public, "kid": KEY_ID, "use": "sig"}]}))
    yield from make_settings(
        "sqlite",
        tmp_path,
        request,
        oidc_issuer=ISSUER,
        oidc_audience=AUDIENCE,
        oidc_jwks_file=keys,
    )


def identity_token(key: rsa.RSAPrivateKey, **claims: Any) -> str:
    now = int(time.time())
    body = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "idp-user-7",
        "iat": now,
        "exp": now + 300,
        "vtr_roles": ["mash_triage"],
        "vtr_agency": str(agency_id_for("Norfolk MASH")),
        **claims,
    }
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": KEY_ID})


def cases(client: TestClient, token: str) -> Any:
    return client.get("/referrals", headers={"Authorization": f"Bearer {token}"})


def test_identity_provider_tokens_are_checked_in_full(
    oidc_settings: Settings,
    clock: FixedClock,
    provider_key: rsa.RSAPrivateKey,
    capfd: pytest.CaptureFixture[str],
) -> None:
    configure_logging("json", "DEBUG")
    good = identity_token(provider_key)
    refused = {
        "expired-token": identity_token(provider_key, exp=int(time.time()) - 120),
        "bad-signature": identity_token(rsa_key()),
        "wrong-audience": identity_token(provider_key, aud="another-service"),
        "wrong-issuer": identity_token(provider_key, iss="https://evil.example"),
        "malformed-token": good[:-12] + "." + good[-10:],
        "incomplete-token": identity_token(provider_key, vtr_agency=None),
        # An agency's name is not its identity: only the directory's id is accepted.
        "unknown-agency": identity_token(provider_key, vtr_agency=str(agency_id_for("Nowhere"))),
    }
    named = identity_token(provider_key, vtr_agency="Norfolk MASH")
    with TestClient(create_app(oidc_settings, clock=clock)) as client:
        register_in_directory(client, "Norfolk MASH")
        allowed = cases(client, good)
        by_name = cases(client, named)
        answers = {reason: cases(client, token) for reason, token in refused.items()}
    assert allowed.status_code == 200, allowed.text
    assert (by_name.status_code, by_name.json()["rule"]) == (401, "incomplete-token")
    for reason, answer in answers.items():
        assert (answer.status_code, answer.json()["rule"]) == (401, reason), reason
        assert answer.headers["www-authenticate"] == "Bearer"
    logged = capfd.readouterr()
    for token in [good, *refused.values()]:
        assert token not in logged.out + logged.err
        assert token.split(".")[2] not in logged.out + logged.err


def test_api_tokens_expire_and_can_be_revoked(settings: Settings, clock: FixedClock) -> None:
    table = settings.token_table
    stored, token = issue_token(
        table, "dsl-9", [Role.MASH_TRIAGE], agency("Norfolk MASH"), clock.now(), timedelta(days=1)
    )
    other, other_token = issue_token(
        table, "dsl-10", [Role.MASH_TRIAGE], agency("Norfolk MASH"), clock.now()
    )
    with TestClient(create_app(settings, clock=clock)) as client:
        assert cases(client, token).status_code == 200
        clock.advance(days=2)
        expired = cases(client, token)
        assert (expired.status_code, expired.json()["rule"]) == (401, "expired-token")
        assert cases(client, other_token).status_code == 200
        revoke_token(table, other.token_id, clock.now())  # the service notices the change
        revoked = cases(client, other_token)
        assert (revoked.status_code, revoked.json()["rule"]) == (401, "revoked-token")
        for bad, rule in (("vtr_" + "x" * 43, "unknown-token"), ("hunter2", "malformed-token")):
            answer = cases(client, bad)
            assert (answer.status_code, answer.json()["rule"]) == (401, rule)
        jwt_without_provider = cases(client, "aaa.bbb.ccc")
        assert jwt_without_provider.json()["rule"] == "oidc-not-configured"
    assert stored.token_sha256 not in token


def test_tokens_are_never_accepted_in_urls(settings: Settings, clock: FixedClock) -> None:
    _, token = issue_token(
        settings.token_table, "u-1", [Role.MASH_TRIAGE], agency("MASH"), clock.now()
    )
    with TestClient(create_app(settings, clock=clock)) as client:
        for name in ("access_token", "token", "api_key"):
            answer = client.get("/referrals", params={name: token})
            assert (answer.status_code, answer.json()["rule"]) == (401, "token-in-url")
        both = client.get(
            "/referrals",
            params={"access_token": token},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert both.status_code == 401


def test_administrators_issue_list_and_revoke_tokens_from_the_cli(tmp_path: Path) -> None:
    env = cli_env(VTR_DATA_DIR=str(tmp_path))
    registered = run(
        "register-agency", "--name", "Norfolk Constabulary", "--type", "police", env=env
    )
    assert registered.returncode == 0, registered.stderr
    issued = run(
        "issue-token", "--actor-id", "insp-4", "--role", "police", "--role", "minute_taker",
        "--agency", "Norfolk Constabulary", "--days", "30", env=env,
    )  # fmt: skip
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    (stored,) = read_table(tmp_path / "tokens.json")
    assert (stored.roles, stored.expires_at - stored.issued_at) == (
        [Role.POLICE, Role.MINUTE_TAKER],
        timedelta(days=30),
    )
    listed = run("list-tokens", env=env)
    assert stored.token_id in listed.stdout
    assert token not in listed.stdout
    assert token not in (tmp_path / "tokens.json").read_text()
    revoked = run("revoke-token", stored.token_id, env=env)
    assert revoked.returncode == 0, revoked.stderr
    assert read_table(tmp_path / "tokens.json")[0].revoked_at is not None
    unknown = run("revoke-token", "no-such-token", env=env)
    assert (unknown.returncode, "there is no token" in unknown.stderr) == (2, True)
