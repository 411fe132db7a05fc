"""An API that is down or too slow gives a French 503 page, never a stack trace; readiness says which."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from activateurs.web.app import create_app
from activateurs.web.config import WebSettings


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
async def silent_api() -> AsyncIterator[str]:
    """A server that accepts connections and never answers: the slow API."""
    async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)
        writer.close()
    server = await asyncio.start_server(hang, "127.0.0.1", 0)
    yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    server.close()


async def client_for(**urls: str) -> httpx.AsyncClient:
    settings = WebSettings(api_timeout_seconds=0.5, **urls)
    app = create_app(settings)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://web.test")


async def test_a_down_api_gives_a_503_page_in_french() -> None:
    down = f"http://127.0.0.1:{closed_port()}"
    async with await client_for(directory_url=down, registration_url=down, contact_relay_url=down) as client:
        for path in ("/", "/activateurs?q=site", "/activateurs/numerique-et-co", "/charte", "/sitemap.xml",
                     "/donnees-ouvertes/activateurs.csv"):
            answer = await client.get(path)
            assert answer.status_code == 503, path
            assert "Service momentanément indisponible" in answer.text and "Traceback" not in answer.text
            assert answer.headers["retry-after"] == "30"
        ready = await client.get("/health/ready")
        assert ready.status_code == 503 and ready.json()["checks"]["directory"] == "failing"
        assert (await client.get("/health/live")).status_code == 200
        assert (await client.get("/mentions-legales")).status_code == 200, "pages without an API still answer"


async def test_a_slow_api_gives_a_503_page_after_the_timeout(silent_api: str) -> None:
    async with await client_for(directory_url=silent_api) as client:
        answer = await client.get("/activateurs/numerique-et-co")
        assert answer.status_code == 503 and "Service momentanément indisponible" in answer.text
