"""One pooled HTTP client per API; every way an API can fail is mapped here to what a page can say."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx

log = logging.getLogger(__name__)


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


class ApiClient:
    """An API at `base_url`, with pooled keep-alive connections and one timeout for every call."""

    def __init__(self, name: str, base_url: str, *, timeout: float, connections: int) -> None:
        self.name = name
        self.http = httpx.AsyncClient(
            base_url=base_url, timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            headers={"User-Agent": "activateurs-web"})

    async def close(self) -> None:
        await self.http.aclose()

    async def request(self, method: str, path: str, *, params: Any = None, json: Any = None,
                      headers: Mapping[str, str] | None = None) -> httpx.Response:
        """The answer when it is 2xx; ApiError for a 4xx, ApiUnavailable for anything else."""
        try:
            answer = await self.http.request(method, path, params=params, json=json, headers=headers)
        except httpx.TimeoutException:
            raise ApiUnavailable(self.name, "timed out") from None
        except httpx.TransportError as error:
            raise ApiUnavailable(self.name, type(error).__name__) from None
        return self._checked(answer)

    def _checked(self, answer: httpx.Response) -> httpx.Response:
        if answer.status_code < 400:
            return answer
        if answer.status_code >= 500 or answer.status_code == 503:
            log.warning("%s answered %s", self.name, answer.status_code)
            raise ApiUnavailable(self.name, f"status {answer.status_code}")
        try:
            detail = answer.json().get("detail")
        except (ValueError, AttributeError):
            detail = answer.text[:200]
        retry = answer.headers.get("retry-after")
        raise ApiError(answer.status_code, detail, int(retry) if retry and retry.isdigit() else None)

    async def get_json(self, path: str, **kwargs: Any) -> Any:
        return (await self.request("GET", path, **kwargs)).json()

    async def post_json(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return (await self.request("POST", path, json=body, **kwargs)).json()

    @asynccontextmanager
    async def stream(self, path: str) -> AsyncIterator[httpx.Response]:
        """A streamed GET (exports): the body is read as it comes, never held whole."""
        try:
            async with self.http.stream("GET", path) as answer:
                if answer.status_code >= 400:
                    await answer.aread()
                yield self._checked(answer)
        except httpx.TimeoutException:
            raise ApiUnavailable(self.name, "timed out") from None
        except httpx.TransportError as error:
            raise ApiUnavailable(self.name, type(error).__name__) from None

    async def alive(self) -> bool:
        try:
            return (await self.http.get("/health/live", timeout=2.0)).status_code == 200
        except httpx.HTTPError:
            return False


class OpenStream:
    """A streamed answer already started: its errors were raised before any byte went to the browser."""

    def __init__(self, stack: AsyncExitStack, answer: httpx.Response) -> None:
        self._stack = stack
        self.answer = answer

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.answer.aiter_bytes():
                yield chunk
        finally:
            await self._stack.aclose()

    async def lines(self) -> AsyncIterator[str]:
        try:
            async for line in self.answer.aiter_lines():
                yield line
        finally:
            await self._stack.aclose()


async def open_stream(api: ApiClient, path: str) -> OpenStream:
    stack = AsyncExitStack()
    try:
        answer = await stack.enter_async_context(api.stream(path))
    except BaseException:
        await stack.aclose()
        raise
    return OpenStream(stack, answer)
