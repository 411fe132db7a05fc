"""HTTP requests that meet an unavailable database: run once more when nothing committed, else 503 with Retry-After."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import db_retry
from .db_unavailable import DETAIL, RETRY_AFTER_SECONDS, is_unavailable

log = logging.getLogger(__name__)

MAX_KEPT_BODY = 1024 * 1024  # a larger body (an upload) is not kept for a second run: such a request is not repeated


class _KeptBody:
    """The request body as the app reads it, kept so that a second run reads the same bytes again."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self._kept: list[Message] = []
        self._size = 0
        self._replay: list[Message] = []

    def rewind(self) -> None:
        self._replay = list(self._kept)

    async def receive(self) -> Message:
        if self._replay:
            return self._replay.pop(0)
        message = await self._receive()
        if message["type"] == "http.request":
            self._size += len(message.get("body", b""))
            if self._size > MAX_KEPT_BODY:
                self._kept.clear()
                current = db_retry.current()
                if current is not None:
                    current.mark_unrepeatable("the body is too large to read again")
            else:
                self._kept.append(message)
        return message


class DatabaseUnavailableMiddleware:
    """Every route of a service, run under db_retry.retry_once: replayed whole, at most once, when the
    database was unavailable and the run sent no commit (nor any answer); otherwise answered 503.

    The replay is safe because a route changes nothing outside its transactions (events leave through
    the outbox, mails through the notifier's table), and no transaction of the first run committed.
    Plain ASGI, inside the metrics (which then count the 503) and outside the exception handlers
    (which leave these errors to it).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = _KeptBody(receive)
        answered = False

        async def watch(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                answered = True
                current = db_retry.current()
                if current is not None:  # the client has part of this answer: a second one cannot follow
                    current.mark_unrepeatable("the answer has started")
            await send(message)

        async def run() -> None:
            body.rewind()
            await self.app(scope, body.receive, watch)

        try:
            await db_retry.retry_once(run, what=f"{scope['method']} {scope['path']}")
        except Exception as error:
            if answered:
                raise
            if is_unavailable(error):
                log.warning("database unavailable on %s %s: answered 503", scope["method"], scope["path"])
                await _unavailable(DETAIL)(scope, receive, send)
            elif isinstance(error, sa.exc.TimeoutError):  # no free connection in the pool in time
                log.warning("database pool exhausted on %s %s: answered 503", scope["method"], scope["path"])
                await _unavailable("the service is overloaded; try again")(scope, receive, send)
            else:
                raise


def _unavailable(detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
