"""Wiring of the registration service: database, key ring, password hasher, consumers, routes, background loops."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from activateurs.shared.clock import Clock
from activateurs.shared.contracts.notifier import EmailRequested
from activateurs.shared.contracts.registration import (
    AccountDeleted,
    DossierSubmitted,
    EngagementRenewed,
    MemberWithdrawn,
    ProfileUpdated,
    StructureCancelled,
    StructureWithdrawn,
)
from activateurs.shared.db import Database
from activateurs.shared.db_unavailable import is_unavailable
from activateurs.shared.messaging.consumer import is_transient
from activateurs.shared.service import Service, create_broker

from .adapters.passwords import Passwords
from .config import RegistrationSettings
from .entrypoints.consumers import QUEUES, register_consumers
from .entrypoints.http import router
from .entrypoints.http_account import router as account_router
from .entrypoints.http_members import PHOTO_PATH
from .entrypoints.http_members import router as members_router
from .entrypoints.http_programme import router as programme_router
from .service.context import AccountGone, Deps
from .service.credentials import forget_expired_links
from .service.deadlines import sweep
from .service.keys import KeyRing
from .service.lifecycle import purge_never_verified
from .service.sanctions import forget_early_sanctions
from .service.sessions import SessionVerifier
from .service.sessions import forget_ended as forget_ended_sessions

DESCRIPTION = "Accounts, the 4-step pre-registration, profile life, re-engagement and GDPR requests; issues the tokens."

log = logging.getLogger(__name__)


def build_service(settings: RegistrationSettings, *, clock: Clock | None = None) -> tuple[Service, Deps]:
    db = Database(settings.database_url, clock=clock or settings.clock())
    broker = create_broker("registration", settings)
    keys = KeyRing(db, settings.signing_keys, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
    deps = Deps(db=db, keys=keys, passwords=Passwords(time_cost=settings.argon2_time_cost,
                                                      memory_kib=settings.argon2_memory_kib,
                                                      parallelism=settings.argon2_parallelism), settings=settings)

    async def purge_loop() -> None:
        await keys.load()  # first start: the generated key exists before the first request needs it
        while True:
            purged = await purge_never_verified(deps)
            if purged:
                log.info("purged %d never-verified accounts", purged)
            await forget_early_sanctions(deps)
            await forget_ended_sessions(deps)
            await forget_expired_links(deps)
            await asyncio.sleep(settings.purge_interval_seconds)

    async def deadline_loop() -> None:
        while True:
            fired = await sweep(deps)
            if fired:
                log.info("handled %d due deadlines", fired)
            await asyncio.sleep(settings.deadline_sweep_seconds)

    service = Service(
        name="registration", version="0.1.0", description=DESCRIPTION, settings=settings, database=db, broker=broker,
        queues=QUEUES, publishes=(DossierSubmitted, ProfileUpdated, StructureWithdrawn, StructureCancelled,
                                  MemberWithdrawn, EngagementRenewed, AccountDeleted, EmailRequested),
        routers=[router, account_router, members_router, programme_router],
        background={"keys-and-purge": purge_loop, "deadlines": deadline_loop},
        subscribers=register_consumers(broker, deps),
    )
    # This service is the issuer: it checks tokens with its own key ring, not over HTTP against itself, and
    # refuses those of a session that has ended.
    service.verifier = SessionVerifier(keys, db)  # type: ignore[assignment]
    return service, deps


def create_app(settings: RegistrationSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    service, deps = build_service(settings or RegistrationSettings(), clock=clock)
    return attach(service, deps)


MAX_JSON_BYTES = 256 * 1024
UPLOAD_PATHS = {"/api/v1/dossier/documents", PHOTO_PATH}


def _unstorable_text(error: sa.exc.DBAPIError) -> bool:
    cause = getattr(error.orig, "__cause__", None) or error.orig
    return isinstance(cause, (asyncpg.CharacterNotInRepertoireError, asyncpg.UntranslatableCharacterError))


def attach(service: Service, deps: Deps) -> FastAPI:
    app = service.create_app()
    app.state.registration = deps

    @app.middleware("http")
    async def limit_bodies(request: Request, call_next: Callable[[Request], Awaitable[Any]]) -> Any:
        # Only uploads carry files; anything else this large is refused before it is read.
        declared = request.headers.get("content-length", "")
        if request.url.path not in UPLOAD_PATHS and declared.isdigit() and int(declared) > MAX_JSON_BYTES:
            return JSONResponse({"detail": f"the body exceeds {MAX_JSON_BYTES} bytes"}, status_code=413)
        return await call_next(request)

    @app.exception_handler(sa.exc.DBAPIError)
    async def database_unavailable(request: Request, error: sa.exc.DBAPIError) -> JSONResponse:
        if _unstorable_text(error):  # e.g. a NUL character, which PostgreSQL text cannot hold; nothing was written
            return JSONResponse({"detail": "a text field holds a character that cannot be stored (NUL)"},
                                status_code=422)
        # The database unavailable (restart, dropped connection): the shared middleware runs the request once
        # more or answers 503 (activateurs.shared.http_unavailable). Other transient errors: a conflict to retry.
        if is_unavailable(error) or not is_transient(error):
            raise error
        log.warning("database conflict on %s %s: %s", request.method, request.url.path, type(error.orig).__name__)
        return JSONResponse({"detail": "the service is briefly unavailable; try again"}, status_code=503,
                            headers={"Retry-After": "1"})

    @app.exception_handler(AccountGone)
    async def account_gone(request: Request, error: AccountGone) -> JSONResponse:
        return JSONResponse({"detail": "this account no longer exists"}, status_code=401,
                            headers={"WWW-Authenticate": "Bearer"})

    return app
