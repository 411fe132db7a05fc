"""The signed-in person's session: registration's tokens in one signed HttpOnly cookie, refreshed as they expire.

Page JavaScript never sees a token (HttpOnly), other sites cannot send it on a form post (SameSite=Lax, and every
POST carries the CSRF token), and the cookie is signed so that a tampered one is simply no session. The access token
lives 15 minutes; the web exchanges the refresh token for a new pair shortly before that, and at once when the
account's structure or roles changed (an acceptance, a member joining): the next page then already knows them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import jwt
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request

SESSION_COOKIE = "activateurs_session"
REFRESH_MARGIN_SECONDS = 60  # refresh a minute early: the page's later API calls must not meet an expired token
# A refresh token works once, and a second use ends the session (registration's reuse detection). Two requests of
# one browser that both find the token expiring (two tabs, a page and its form post) must share one exchange: the
# first does it, the others within this window get its result.
SHARED_REFRESH_SECONDS = 30.0


@dataclass(frozen=True)
class Session:
    access_token: str
    refresh_token: str
    expires_at: float  # epoch seconds, when the access token expires
    lifetime: int  # seconds the refresh token lasts unused: the cookie's Max-Age

    @classmethod
    def issued(cls, answer: dict[str, Any]) -> Session:
        """From registration's token answer (sign-in or refresh)."""
        return cls(answer["access_token"], answer["refresh_token"], time.time() + int(answer["expires_in"]),
                   int(answer.get("refresh_expires_in") or 14 * 86400))

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    @property
    def claims(self) -> dict[str, Any]:
        """The access token's claims, as registration issued them (each API verifies the signature itself)."""
        return jwt.decode(self.access_token, options={"verify_signature": False})

    def expiring(self, now: float | None = None) -> bool:
        return (now or time.time()) >= self.expires_at - REFRESH_MARGIN_SECONDS


class SessionCookie:
    """Reads and writes the session cookie."""

    def __init__(self, secret: str, secure: bool) -> None:
        self.serializer = URLSafeSerializer(secret, salt="activateurs-web-session")
        self.secure = secure

    def read(self, request: Request) -> Session | None:
        raw = request.cookies.get(SESSION_COOKIE)
        return self.decode(raw) if raw else None

    def decode(self, value: str) -> Session | None:
        """The session a cookie value holds; None when it was not signed by us or is malformed."""
        try:
            access, refresh, expires_at, lifetime = self.serializer.loads(value)
            return Session(str(access), str(refresh), float(expires_at), int(lifetime))
        except (BadSignature, ValueError, TypeError):
            return None

    def encode(self, session: Session) -> str:
        return self.serializer.dumps([session.access_token, session.refresh_token, session.expires_at,
                                      session.lifetime])

    def header(self, session: Session | None) -> str:
        """The Set-Cookie value that stores `session`, or clears the cookie when None."""
        flags = "; HttpOnly; Path=/; SameSite=lax" + ("; Secure" if self.secure else "")
        if session is None:
            return f"{SESSION_COOKIE}=; Max-Age=0" + flags
        return f"{SESSION_COOKIE}={self.encode(session)}; Max-Age={session.lifetime}" + flags


class SharedRefresh:
    """One exchange per refresh token in this process, its result kept a little for the requests that raced it."""

    def __init__(self, exchange: Callable[[str], Awaitable[dict[str, Any]]]) -> None:
        self._exchange = exchange
        self._done: dict[str, tuple[float, asyncio.Future[Session]]] = {}

    async def __call__(self, refresh_token: str) -> Session:
        now = time.monotonic()
        for token, (at, _) in list(self._done.items()):
            if now - at > SHARED_REFRESH_SECONDS:
                del self._done[token]
        if refresh_token in self._done:
            return await asyncio.shield(self._done[refresh_token][1])
        future: asyncio.Future[Session] = asyncio.get_running_loop().create_future()
        self._done[refresh_token] = (now, future)
        try:
            future.set_result(Session.issued(await self._exchange(refresh_token)))
        except BaseException as error:
            del self._done[refresh_token]  # a failed exchange is not shared: the next request tries again
            future.set_exception(error)
            future.exception()  # retrieved: no "never retrieved" warning when nobody else waited
            raise
        return future.result()
