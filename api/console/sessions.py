"""The console's sessions: who signed in, with which credential, until when.

A session is held by this process only, under the SHA-256 digest of a random 256-bit id that
the browser keeps in an HttpOnly, SameSite=Strict cookie. The credential (the API token, or the
identity provider's ID token) never leaves the server: each page presents it to the API in
the request's name, so a revoked token or an expired ID token ends the session at the next
page. A session ends on sign-out, after `idle` without a page, or `lifetime` after sign-in;
a restart of the service signs everyone out.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from api.access.identity import Principal

COOKIE = "vtr_console_session"


@dataclass(frozen=True)
class ConsoleSession:
    credential: str = field(repr=False)  # never logged, never shown
    principal: Principal
    csrf_token: str = field(repr=False)
    started_at: datetime
    last_seen_at: datetime


class ConsoleSessions:
    def __init__(self, idle: timedelta, lifetime: timedelta) -> None:
        self.idle = idle
        self.lifetime = lifetime
        self._lock = threading.Lock()
        self._by_digest: dict[str, ConsoleSession] = {}

    def start(self, credential: str, principal: Principal, now: datetime) -> str:
        """A new session; returns the id for the cookie (kept here only as its digest)."""
        session_id = secrets.token_urlsafe(32)
        session = ConsoleSession(
            credential=credential,
            principal=principal,
            csrf_token=secrets.token_urlsafe(32),
            started_at=now,
            last_seen_at=now,
        )
        with self._lock:
            self._forget_ended(now)
            self._by_digest[_digest(session_id)] = session
        return session_id

    def find(self, session_id: str | None, now: datetime) -> ConsoleSession | None:
        """The live session the cookie names, touched; None when it has ended or never was."""
        if not session_id:
            return None
        key = _digest(session_id)
        with self._lock:
            session = self._by_digest.get(key)
            if session is None:
                return None
            if self._ended(session, now):
                del self._by_digest[key]
                return None
            touched = replace(session, last_seen_at=now)
            self._by_digest[key] = touched
            return touched

    def end(self, session_id: str | None) -> None:
        if session_id:
            with self._lock:
                self._by_digest.pop(_digest(session_id), None)

    def expires_in(self) -> int:
        """The cookie's Max-Age, in seconds: the session's whole lifetime."""
        return int(self.lifetime.total_seconds())

    def _ended(self, session: ConsoleSession, now: datetime) -> bool:
        return now - session.last_seen_at > self.idle or now - session.started_at > self.lifetime

    def _forget_ended(self, now: datetime) -> None:
        for key in [key for key, held in self._by_digest.items() if self._ended(held, now)]:
            del self._by_digest[key]


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()
