"""One pooled HTTP client per API; every way an API can fail is mapped here to what a page can say."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
import orjson

log = logging.getLogger(__name__)
# Below uvicorn's 5 s keep-alive (every API runs on it): the client lets an idle connection go before the server
# closes it, so a POST (never retried) is not sent on a connection the server is closing.
KEEPALIVE_SECONDS = 4.0


def segment(value: str) -> str:
    """A value from a page's URL as one path segment of an API's URL (a `?`, `#` or `/` in it stays inside)."""
    return quote(value, safe="")


def forwarded_for(client_address: str | None) -> dict[str, str] | None:
    """The header giving an API the visitor's address, for limits that must count people, not this server."""
    return {"X-Forwarded-For": client_address} if client_address else None


class ApiUnavailable(Exception):
    """The API did not answer in time, could not be reached, or failed (5xx): the page answers 503."""

    def __init__(self, api: str, why: str) -> None:
        super().__init__(f"{api}: {why}")
        self.api = api


class ApiError(Exception):
    """A 4xx the page may explain: its status, `detail` and, for 429, when to try again."""

    def __init__(self, status: int, detail: Any, retry_after: int | None = None) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
        self.retry_after = retry_after


@dataclass(frozen=True)
class Answer:
    """An API's answer, read whole."""

    status: int
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> Any:
        return orjson.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


class ApiClient:
    """An API at `base_url`, with pooled keep-alive connections and one timeout for every call.

    aiohttp rather than httpx: the web bench measured httpx at 2 ms of CPU per call (its pool is scanned and every
    idle socket polled on each request), aiohttp at 0.4 ms — most of a page's cost. aiohttp also retries an
    idempotent request once when a kept-alive connection turns out closed.
    """

    def __init__(self, name: str, base_url: str, *, timeout: float, connections: int) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.connections = connections
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        # Opened on first use, inside the running event loop, as aiohttp requires.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                self.base_url, timeout=self.timeout, headers={"User-Agent": "activateurs-web"},
                connector=aiohttp.TCPConnector(limit=self.connections, keepalive_timeout=KEEPALIVE_SECONDS))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def request(self, method: str, path: str, *, params: Any = None, json: Any = None, data: Any = None,
                      headers: Mapping[str, str] | None = None) -> Answer:
        """The answer when it is 2xx; ApiError for a 4xx, ApiUnavailable for anything else.

        `json`: a JSON body; `data`: a form (a dict, url-encoded) or a multipart upload (aiohttp.FormData)."""
        try:
            async with self.session.request(method, path, params=params, json=json, data=data,
                                            headers=headers) as answer:
                read = Answer(answer.status, answer.headers, await answer.read())
        except TimeoutError:
            raise ApiUnavailable(self.name, "timed out") from None
        except aiohttp.ClientError as error:
            raise ApiUnavailable(self.name, type(error).__name__) from None
        return self._checked(read)

    def _checked(self, answer: Answer) -> Answer:
        if answer.status < 400:
            return answer
        if answer.status >= 500:
            log.warning("%s answered %s", self.name, answer.status)
            raise ApiUnavailable(self.name, f"status {answer.status}")
        raise ApiError(answer.status, *_problem(answer))

    async def get_json(self, path: str, **kwargs: Any) -> Any:
        return (await self.request("GET", path, **kwargs)).json()

    async def post_json(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return (await self.request("POST", path, json=body, **kwargs)).json()

    async def send_json(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        """PUT, PATCH, DELETE or POST with a JSON body; the answer's JSON (None when it has no body)."""
        answer = await self.request(method, path, json=body, **kwargs)
        return answer.json() if answer.content else None

    @asynccontextmanager
    async def stream(self, path: str, headers: Mapping[str, str] | None = None
                     ) -> AsyncIterator[aiohttp.ClientResponse]:
        """A streamed GET (exports): the body is read as it comes, never held whole."""
        try:
            # No total timeout: an export takes as long as it takes; connecting and each read still have one.
            timeout = aiohttp.ClientTimeout(total=None, connect=self.timeout.total, sock_read=self.timeout.total)
            async with self.session.get(path, timeout=timeout, headers=headers) as answer:
                if answer.status >= 400:
                    self._checked(Answer(answer.status, answer.headers, await answer.read()))
                yield answer
        except TimeoutError:
            raise ApiUnavailable(self.name, "timed out") from None
        except aiohttp.ClientError as error:
            raise ApiUnavailable(self.name, type(error).__name__) from None

    async def alive(self) -> bool:
        try:
            async with self.session.get("/health/live", timeout=aiohttp.ClientTimeout(total=2.0)) as answer:
                return answer.status == 200
        except (TimeoutError, aiohttp.ClientError):
            return False


def _problem(answer: Answer) -> tuple[Any, int | None]:
    """A 4xx's `detail` (or the start of its text) and its Retry-After in seconds."""
    try:
        detail = answer.json().get("detail")
    except (ValueError, AttributeError):
        detail = answer.text[:200]
    retry = answer.headers.get("retry-after")
    return detail, int(retry) if retry and retry.isdigit() else None


class OpenStream:
    """A streamed answer already started: its errors were raised before any byte went to the browser."""

    def __init__(self, stack: AsyncExitStack, answer: aiohttp.ClientResponse) -> None:
        self._stack = stack
        self.answer = answer

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.answer.content.iter_any():
                yield chunk
        finally:
            await self._stack.aclose()

    async def lines(self) -> AsyncIterator[str]:
        try:
            async for line in self.answer.content:
                yield line.decode("utf-8").rstrip("\r\n")
        finally:
            await self._stack.aclose()


async def open_stream(api: ApiClient, path: str, headers: Mapping[str, str] | None = None) -> OpenStream:
    stack = AsyncExitStack()
    try:
        answer = await stack.enter_async_context(api.stream(path, headers))
    except BaseException:
        await stack.aclose()
        raise
    return OpenStream(stack, answer)
