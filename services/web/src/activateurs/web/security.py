"""Security headers on every answer, and the CSRF token every state-changing form carries."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "activateurs_csrf"
CSRF_FIELD = "csrf_token"
# No inline script or style anywhere: the DSFR's files and ours come from this origin; its CSS embeds
# small SVGs as data: URLs. frame-ancestors 'none' keeps the pages out of other sites' frames.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'")
HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
# What an answer our own pages may frame sets for itself (a dossier's document shown in the back-office): the
# middleware keeps a header a route set rather than adding its own.
FRAMEABLE_BY_SELF = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'"),
    "X-Frame-Options": "SAMEORIGIN"}


class SecurityHeaders:
    """Plain ASGI middleware: adds the headers to every response, pages, files and errors alike, except those the
    response already has (a route that lets our own pages frame it sets its own policy: FRAMEABLE_BY_SELF)."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers = HEADERS + ([HSTS] if https else [])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                own = list(message.get("headers", []))
                named = {name.lower() for name, _ in own}
                message["headers"] = own + [header for header in self.headers if header[0] not in named]
            await send(message)

        await self.app(scope, receive, with_headers)


class FormToken:
    """The signed copy of the cookie's value that a form carries, signed when a page prints it: most pages have no
    form, and signing was a tenth of a profile page's cost."""

    __slots__ = ("_sign", "_value", "_signed")

    def __init__(self, sign: Callable[[str], str], value: str) -> None:
        self._sign = sign
        self._value = value
        self._signed: str | None = None

    def __str__(self) -> str:
        if self._signed is None:
            self._signed = self._sign(self._value)
        return self._signed

    def __html__(self) -> str:  # URL-safe base64 and dots: nothing to escape
        return str(self)


class Csrf:
    """Double submit, signed: a random value in an HttpOnly cookie, its signed copy in each form.

    A forged cross-site POST carries the cookie but cannot read or make the form's copy.
    """

    def __init__(self, secret: str, max_age: int, secure: bool) -> None:
        self.signer = URLSafeTimedSerializer(secret, salt="activateurs-web-csrf")
        self.max_age = max_age
        self.secure = secure

    def prepare(self, request: Request) -> str | None:
        """Puts this browser's token on the request; returns a new cookie value when it had none."""
        value = request.cookies.get(CSRF_COOKIE)
        new = None
        if not value or len(value) != 43:
            value = new = secrets.token_urlsafe(32)
        request.state.csrf_value = value
        request.state.csrf_token = FormToken(self.signer.dumps, value)
        return new

    def check(self, request: Request, submitted: str | None) -> None:
        expected = request.cookies.get(CSRF_COOKIE)
        try:
            value = self.signer.loads(submitted or "", max_age=self.max_age)
        except SignatureExpired:
            raise CsrfRefused("Le formulaire a expiré. Rechargez la page et envoyez-le de nouveau.") from None
        except BadSignature:
            raise CsrfRefused("Le formulaire n'a pas pu être vérifié. Rechargez la page et recommencez.") from None
        if not expected or not hmac.compare_digest(str(value), expected):
            raise CsrfRefused("Le formulaire n'a pas pu être vérifié. Vérifiez que les cookies sont acceptés, "
                              "rechargez la page et recommencez.")

    def cookie(self, value: str) -> dict[str, object]:
        return {"key": CSRF_COOKIE, "value": value, "httponly": True, "samesite": "lax", "secure": self.secure,
                "path": "/"}

    def set_cookie_header(self, value: str) -> str:
        return f"{CSRF_COOKIE}={value}; HttpOnly; Path=/; SameSite=lax" + ("; Secure" if self.secure else "")


class CsrfRefused(HTTPException):
    def __init__(self, message: str) -> None:
        super().__init__(status_code=403, detail=message)


class PageCookies:
    """Plain ASGI middleware: gives each request its CSRF token, sets the cookie on a first visit, writes the cookies
    a route queued (the session, `signed_in.queue_cookie`), and marks pages `no-cache, private` (they carry a token
    and follow the data) unless a route said otherwise.

    Starlette's `@app.middleware("http")` would wrap every page in a task and a streamed body.
    """

    def __init__(self, app: ASGIApp, *, csrf: Csrf) -> None:
        self.app = app
        self.csrf = csrf

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        new = self.csrf.prepare(Request(scope))

        async def with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if new:
                    headers.append("set-cookie", self.csrf.set_cookie_header(new))
                for queued in scope.get("state", {}).get("cookies", ()):
                    headers.append("set-cookie", queued)
                if "cache-control" not in headers:
                    headers["cache-control"] = "no-cache, private"
            await send(message)

        await self.app(scope, receive, with_cookie)
