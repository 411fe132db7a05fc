"""Wiring of the web frontend: API clients, pages, security headers, CSRF, errors, health and metrics."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from activateurs.shared import tracing
from activateurs.shared.health import health_router
from activateurs.shared.http_metrics import MetricsMiddleware
from activateurs.shared.logging import configure_logging

from .agents import NotAllowed
from .clients.base import ApiClient, ApiError, ApiUnavailable
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
from .context import Web
from .notices import Notices
from .pages import (
    account,
    contact,
    crawlers,
    dossier,
    engagement,
    exchanges,
    inbox,
    info,
    leaving,
    links,
    members,
    membership,
    my_data,
    profile,
    public,
    statistics,
)
from .pages.administration import dossier as admin_dossier
from .pages.administration import home as admin_home
from .pages.administration import programme as admin_programme
from .pages.administration import queue as admin_queue
from .pages.administration import reports as admin_reports
from .pages.administration import structures as admin_structures
from .rendering import Pages
from .security import Csrf, CsrfRefused, PageCookies, SecurityHeaders
from .session import SessionCookie, SharedRefresh
from .signed_in import SignInRequired
from .static_files import StaticBundle

log = logging.getLogger(__name__)
SITE_NAME = "Activateurs France Num"
# The APIs the pages of this service call: readiness waits for them.
NEEDED_APIS = ("registration", "directory", "contact-relay")
FRENCH_STATUS = {405: "Cette adresse ne s'utilise pas de cette façon : revenez à la page précédente.",
                 413: "Le formulaire envoyé est trop volumineux.", 400: "Cette adresse n'est pas valide."}


def build_web(settings: WebSettings) -> Web:
    def client(name: str, url: str) -> ApiClient:
        return ApiClient(name, url, timeout=settings.api_timeout_seconds, connections=settings.api_connections)

    apis = {"registration": client("registration", settings.registration_url),
            "validation": client("validation", settings.validation_url),
            "directory": client("directory", settings.directory_url),
            "contact-relay": client("contact-relay", settings.contact_relay_url),
            "notifier": client("notifier", settings.notifier_url)}
    bundle = StaticBundle(settings.static_dir)
    registration = RegistrationClient(apis["registration"])
    notices = Notices(settings.secret_key, settings.secure_cookies)
    return Web(settings=settings, pages=Pages(bundle, settings.public_base_url, SITE_NAME, notices),
               csrf=Csrf(settings.secret_key, settings.csrf_max_age_seconds, settings.secure_cookies), apis=apis,
               directory=DirectoryClient(apis["directory"], settings.places_cache_seconds),
               contact_relay=ContactRelayClient(apis["contact-relay"]), registration=registration,
               sessions=SessionCookie(settings.secret_key, settings.secure_cookies),
               refresh=SharedRefresh(registration.refresh),
               validation=ValidationClient(apis["validation"]), members=MembersClient(apis["registration"]),
               dossier=DossierClient(apis["registration"]), cases=CasesClient(apis["validation"]),
               structures=StructuresClient(apis["validation"], apis["registration"], apis["directory"]),
               programme=ProgrammeClient(apis["validation"], apis["directory"]),
               reports=ReportsClient(apis["validation"], apis["directory"], apis["contact-relay"]))


def create_app(settings: WebSettings) -> FastAPI:
    configure_logging("web", settings.log_level)
    tracing.configure("web")  # off unless OTEL_ variables ask for it: then page and API call spans
    web = build_web(settings)
    bundle = StaticBundle(settings.static_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("web started")
        try:
            yield
        finally:
            for api in web.apis.values():
                await api.close()

    app = FastAPI(title="activateurs-web", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.web = web
    checks = {name: web.apis[name].alive for name in NEEDED_APIS}
    app.include_router(health_router(checks))
    app.include_router(bundle.router())
    for module in (public, contact, links, account, dossier, info, crawlers, inbox, statistics, profile, members,
                   membership, exchanges, engagement, leaving, my_data, admin_home, admin_queue, admin_dossier,
                   admin_structures, admin_programme, admin_reports):
        app.include_router(module.router)
    _handle_errors(app, web)

    app.add_middleware(PageCookies, csrf=web.csrf)
    app.add_middleware(SecurityHeaders, https=settings.secure_cookies)
    app.add_middleware(MetricsMiddleware)
    tracing.instrument_app(app)
    return app


def _handle_errors(app: FastAPI, web: Web) -> None:
    def page(request: Request, template: str, status: int, **context: object) -> Response:
        if not hasattr(request.state, "csrf_token"):
            web.csrf.prepare(request)
        return web.pages.render(request, template, status_code=status, **context)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            return page(request, "errors/404.html", 404)
        if isinstance(error, CsrfRefused):
            return page(request, "errors/refused.html", 403, message=error.detail)
        return page(request, "errors/generic.html", error.status_code,
                    message=FRENCH_STATUS.get(error.status_code, "Cette demande n'a pas pu être traitée."))

    @app.exception_handler(SignInRequired)
    async def sign_in_first(request: Request, error: SignInRequired) -> Response:
        answer = RedirectResponse("/connexion?" + urlencode({"suite": error.path}), status_code=303)
        if error.ended:
            answer.headers.append("set-cookie", web.sessions.header(None))
        return answer

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, error: NotAllowed) -> Response:
        return page(request, "administration/forbidden.html", 403, needed=error.needed)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError) -> Response:
        return page(request, "errors/generic.html", 400, message="Cette adresse n'est pas valide.")

    @app.exception_handler(ApiUnavailable)
    async def unavailable(request: Request, error: ApiUnavailable) -> Response:
        log.warning("API unavailable: %s", error)
        response = page(request, "errors/503.html", 503)
        response.headers["Retry-After"] = "30"
        return response

    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> Response:
        # A 4xx no page expected: a bug of ours, said plainly to the person, logged for us.
        log.error("unexpected API answer %s on %s %s", error.status, request.method, request.url.path)
        return page(request, "errors/500.html", 500)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return page(request, "errors/500.html", 500)
