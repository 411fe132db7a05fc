"""CSRF tokens: bound to this browser's cookie, signed, expiring."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from activateurs.web.security import CSRF_COOKIE, Csrf, CsrfRefused


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
