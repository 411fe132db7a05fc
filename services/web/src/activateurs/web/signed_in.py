"""Who is signed in: the session cookie read, refreshed when it must be, and the account as registration knows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from .clients.base import ApiError
from .context import Web, WebDep
from .session import Session


class SignInRequired(Exception):
    """No session, or one that ended: the page sends the person to sign in, then back to `path`."""

    def __init__(self, path: str, ended: bool = False) -> None:
        super().__init__(path)
        self.path = path
        self.ended = ended  # the cookie named a session that no longer works: clear it


@dataclass(frozen=True)
class Account:
    """The signed-in person: their session (its headers for every API) and `GET /api/v1/me`'s answer."""

    session: Session
    me: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return self.session.headers

    @property
    def structure(self) -> dict[str, Any] | None:
        return self.me.get("structure")

    @property
    def role(self) -> str | None:
        """`referent` (the dossier's author), `member`, or None before any dossier or membership."""
        return (self.structure or {}).get("role")

    @property
    def status(self) -> str | None:
        return (self.structure or {}).get("status")

    @property
    def name(self) -> str:
        return f"{self.me.get('first_name', '')} {self.me.get('last_name', '')}".strip()


def queue_cookie(request: Request, header: str) -> None:
    """A Set-Cookie for the answer to this request (PageCookies writes it, whatever the route returns)."""
    request.state.cookies = [*getattr(request.state, "cookies", []), header]


def _behind(session: Session, me: dict[str, Any]) -> bool:
    """The token says less than the account now is: a structure (accepted, or joined) or roles it lacks."""
    claims = session.claims
    roles = sorted(me.get("roles") or [])
    if roles != sorted(claims.get("roles") or []):
        return True
    # Registration puts a structure in the tokens of activators only (the referent's, or the one a member joined).
    structure_id = (me.get("structure") or {}).get("structure_id")
    return "activator" in roles and (structure_id or None) != (claims.get("structure_id") or None)


async def _refreshed(web: Web, request: Request, session: Session) -> Session:
    try:
        fresh = await web.refresh(session.refresh_token)
    except ApiError as error:
        if error.status in (400, 401, 403, 422):
            raise SignInRequired(request.url.path, ended=True) from None
        raise
    queue_cookie(request, web.sessions.header(fresh))
    return fresh


async def signed_in_account(request: Request, web: WebDep) -> Account:
    """The account of the session cookie; SignInRequired when there is none or it ended."""
    session = web.sessions.read(request)
    if session is None:
        raise SignInRequired(request.url.path)
    if session.expiring():
        session = await _refreshed(web, request, session)
    try:
        me = await web.registration.me(session.headers)
    except ApiError as error:
        if error.status != 401:
            raise
        raise SignInRequired(request.url.path, ended=True) from None
    if _behind(session, me):
        session = await _refreshed(web, request, session)
    account = Account(session, me)
    request.state.account = account  # the page's header shows who is signed in
    return account


SignedIn = Annotated[Account, Depends(signed_in_account)]
