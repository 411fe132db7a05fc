"""An unavailable database met by an HTTP request: one replay when nothing committed, else 503 with Retry-After."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI, Query
from pydantic import BaseModel

from activateurs.shared import db_retry
from activateurs.shared.db_unavailable import DETAIL, is_unavailable
from activateurs.shared.http_unavailable import DatabaseUnavailableMiddleware


class Note(BaseModel):
    text: str


def app_counting() -> tuple[FastAPI, dict[str, int]]:
    runs: dict[str, int] = {}
    app = FastAPI()
    app.add_middleware(DatabaseUnavailableMiddleware)

    def run(name: str) -> int:
        runs[name] = runs.get(name, 0) + 1
        return runs[name]

    @app.post("/replayed")
    async def replayed(note: Note) -> Note:
        if run("replayed") == 1:  # as asyncpg says when the server goes away mid-statement
            raise asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation")
        return note

    @app.post("/committed")
    async def committed(note: Note) -> Note:
        run("committed")
        db_retry.note_commit()  # as the unit of work does just before COMMIT
        raise asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation")

    @app.get("/down")
    async def down() -> None:
        run("down")
        raise ConnectionRefusedError(111, "Connect call failed")

    @app.get("/overloaded")
    async def overloaded() -> None:
        run("overloaded")
        raise sa.exc.TimeoutError("QueuePool limit reached")

    @app.get("/bug")
    async def bug() -> None:
        run("bug")
        raise ValueError("a bug, not an outage")

    @app.get("/checked")
    async def checked(n: int = Query(ge=1)) -> int:
        run("checked")
        return n

    return app, runs


@pytest.fixture
async def client_and_runs():
    app, runs = app_counting()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client, runs


async def test_a_request_whose_connection_closed_before_any_commit_is_run_again_with_the_same_body(client_and_runs):
    client, runs = client_and_runs
    response = await client.post("/replayed", json={"text": "bonjour"})
    assert response.status_code == 200
    assert response.json() == {"text": "bonjour"}
    assert runs["replayed"] == 2


async def test_a_request_that_sent_a_commit_is_not_run_again_and_gets_503_with_retry_after(client_and_runs):
    client, runs = client_and_runs
    response = await client.post("/committed", json={"text": "once"})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.json() == {"detail": DETAIL}
    assert runs["committed"] == 1


async def test_a_database_still_down_after_the_second_run_gets_503(client_and_runs):
    client, runs = client_and_runs
    response = await client.get("/down")
    assert (response.status_code, response.headers["retry-after"]) == (503, "2")
    assert runs["down"] == 2


async def test_an_exhausted_pool_gets_503_without_a_second_run(client_and_runs):
    client, runs = client_and_runs
    response = await client.get("/overloaded")
    assert response.status_code == 503
    assert response.json() == {"detail": "the service is overloaded; try again"}
    assert runs["overloaded"] == 1


async def test_other_errors_are_neither_retried_nor_hidden(client_and_runs):
    client, runs = client_and_runs
    assert (await client.get("/bug")).status_code == 500
    assert runs["bug"] == 1


async def test_bad_input_keeps_its_usual_answer(client_and_runs):
    client, runs = client_and_runs
    assert (await client.get("/checked", params={"n": 0})).status_code == 422
    assert "checked" not in runs


@pytest.mark.parametrize(("error", "unavailable"), [
    (asyncpg.InterfaceError("connection is closed"), True),
    (asyncpg.CannotConnectNowError("the database system is shutting down"), True),
    (asyncpg.AdminShutdownError("terminating connection due to administrator command"), True),
    (ConnectionRefusedError(111, "Connect call failed"), True),
    (asyncpg.InternalClientError("cannot switch to state 12; another operation (2) is in progress"), True),
    (asyncpg.InterfaceError("cannot perform operation: another operation is in progress"), False),
    (asyncpg.UniqueViolationError("duplicate key"), False),
    (FileNotFoundError(2, "No such file"), False),
    (ValueError("bad"), False),
])
def test_which_errors_mean_the_database_is_unavailable(error, unavailable):
    assert is_unavailable(error) is unavailable
    try:
        raise RuntimeError("wrapped") from error
    except RuntimeError as wrapped:
        assert is_unavailable(wrapped) is unavailable  # found along the chain, as SQLAlchemy wraps it
