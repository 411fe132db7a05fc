"""CSRF tokens: bound to this browser's cookie, signed, expiring; the security headers of every answer."""

from __future__ import annotations

import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message

from activateurs.web.security import (
    CONTENT_SECURITY_POLICY,
    CSRF_COOKIE,
    FRAMEABLE_BY_SELF,
    Csrf,
    CsrfRefused,
    SecurityHeaders,
)


def request(cookie: str | None = None) -> Request:
    headers = [(b"cookie", f"{CSRF_COOKIE}={cookie}".encode())] if cookie else []
    return Request({"type": "http", "method": "POST", "path": "/", "headers": headers, "query_string": b""})


def test_a_form_token_passes_only_with_its_own_cookie() -> None:
    csrf = Csrf("secret", 3600, secure=True)
    first = request()
    cookie = csrf.prepare(first)
    assert cookie and csrf.cookie(cookie)["httponly"] and csrf.cookie(cookie)["secure"]
    csrf.check(request(cookie), str(first.state.csrf_token))
    with pytest.raises(CsrfRefused):
        csrf.check(request(), str(first.state.csrf_token))  # no cookie: a cross-site post without it
    other = request()
    with pytest.raises(CsrfRefused):
        csrf.check(request(csrf.prepare(other)), str(first.state.csrf_token))  # another browser's token
    with pytest.raises(CsrfRefused):
        csrf.check(request(cookie), "made-up")
    with pytest.raises(CsrfRefused):
        Csrf("another secret", 3600, secure=True).check(request(cookie), str(first.state.csrf_token))


def test_a_browser_keeps_its_cookie() -> None:
    csrf = Csrf("secret", 3600, secure=False)
    cookie = csrf.prepare(request())
    assert csrf.prepare(request(cookie)) is None, "an existing cookie is not replaced"


def test_an_old_token_expires() -> None:
    csrf = Csrf("secret", 3600, secure=False)
    first = request()
    cookie = csrf.prepare(first)
    with pytest.raises(CsrfRefused, match="expiré"):
        Csrf("secret", -1, secure=False).check(request(cookie), str(first.state.csrf_token))


def test_a_page_prints_the_same_form_token_each_time_it_is_asked() -> None:
    csrf = Csrf("secret", 3600, secure=False)
    first = request()
    csrf.prepare(first)
    token = first.state.csrf_token
    assert str(token) == str(token) == token.__html__(), "two forms on one page carry one token"


# --- the security headers: every answer gets them, except those a route set for itself ------------------------------


async def _headers_of(app: ASGIApp) -> dict[str, list[str]]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}
    await SecurityHeaders(app, https=True)(scope, receive, send)
    found: dict[str, list[str]] = {}
    for name, value in sent[0]["headers"]:
        found.setdefault(name.decode().lower(), []).append(value.decode())
    return found


async def test_every_answer_is_kept_out_of_frames_by_default() -> None:
    headers = await _headers_of(PlainTextResponse("page"))
    assert headers["content-security-policy"] == [CONTENT_SECURITY_POLICY]
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert headers["x-frame-options"] == ["DENY"]
    assert headers["x-content-type-options"] == ["nosniff"]
    assert "strict-transport-security" in headers


async def test_an_answer_framed_by_our_own_pages_keeps_its_own_policy() -> None:
    headers = await _headers_of(PlainTextResponse("document", headers=FRAMEABLE_BY_SELF))
    assert headers["content-security-policy"] == [FRAMEABLE_BY_SELF["Content-Security-Policy"]], \
        "one policy, the route's: two would both apply and the stricter one would forbid the frame"
    assert "frame-ancestors 'self'" in headers["content-security-policy"][0]
    assert "frame-ancestors 'none'" not in headers["content-security-policy"][0]
    assert headers["x-frame-options"] == ["SAMEORIGIN"]
    # The rest of the defaults still come, once each.
    assert headers["x-content-type-options"] == ["nosniff"]
    assert headers["referrer-policy"] == ["strict-origin-when-cross-origin"]
    assert "strict-transport-security" in headers
