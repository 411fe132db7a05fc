"""What the pages need, built once in app.py and injected into every route the same way (`WebDep`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from .clients.base import ApiClient
from .clients.cases import CasesClient
from .clients.contact_relay import ContactRelayClient
from .clients.directory import DirectoryClient
from .clients.dossier import DossierClient
from .clients.members import MembersClient
from .clients.programme import ProgrammeClient
from .clients.registration import RegistrationClient
from .clients.reports import ReportsClient
from .clients.structures import StructuresClient
from .clients.validation import ValidationClient
from .config import WebSettings
from .rendering import Pages
from .security import Csrf
from .session import Session, SessionCookie


@dataclass
class Web:
    settings: WebSettings
    pages: Pages
    csrf: Csrf
    apis: dict[str, ApiClient]
    directory: DirectoryClient
    contact_relay: ContactRelayClient
    registration: RegistrationClient
    members: MembersClient  # registration's API for a structure's profile, members and cards
    sessions: SessionCookie
    refresh: Callable[[str], Awaitable[Session]]  # SharedRefresh: one exchange per refresh token
    validation: ValidationClient
    dossier: DossierClient  # registration's API for the applicant's dossier, documents and submission
    # The back-office's: the DGE instructs, governs the structures and the programme, reads the reports.
    cases: CasesClient
    structures: StructuresClient
    programme: ProgrammeClient
    reports: ReportsClient


async def web(request: Request) -> Web:  # async: a plain def would run in the thread pool
    return request.app.state.web


WebDep = Annotated[Web, Depends(web)]


def client_address(request: Request) -> str | None:
    """The visitor's address as uvicorn saw it (behind trusted proxies: the forwarded one)."""
    return request.client.host if request.client else None


async def posted_form(request: Request, web: Web) -> FormData:
    """The posted form, once its CSRF token is checked (CsrfRefused → the 403 page otherwise)."""
    posted = await request.form()
    token = posted.get("csrf_token")
    web.csrf.check(request, token if isinstance(token, str) else None)
    return posted
