"""db_retry on real connections the server closes: run once more only when nothing committed, never otherwise."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
import sqlalchemy as sa

from activateurs.shared import db_retry, raw_sql
from activateurs.shared.db import Database
from activateurs.shared.db_unavailable import DatabaseUnavailable
from activateurs.shared.messaging.batching import GroupCommitter

NOTES = sa.table("notes", sa.column("id", sa.Integer), sa.column("text", sa.Text))


@pytest.fixture
async def db(databases):
    database = Database(await databases.fresh("registration"), pool_size=2)
    async with database.engine.begin() as conn:
        await conn.execute(sa.text("CREATE TABLE notes (id serial PRIMARY KEY, text text NOT NULL UNIQUE)"))
    yield database
    await database.dispose()


async def _terminate(db: Database, pid: int) -> None:
    """What a fast shutdown does to one backend, done to ours only (the shared server keeps running)."""
    url = db.engine.url
    admin = await asyncpg.connect(host=url.host, port=url.port, user=url.username, database=url.database)
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()
    await asyncio.sleep(0.2)  # asyncpg reads the server's goodbye


async def _own_pid(session) -> int:
    return (await session.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()


async def _texts(db: Database) -> list[str]:
    async with db.engine.connect() as conn:
        return list((await conn.execute(sa.text("SELECT text FROM notes ORDER BY id"))).scalars())


async def test_a_transaction_whose_connection_closes_before_commit_runs_once_more(db):
    runs = 0

    async def work() -> str:
        nonlocal runs
        runs += 1
        async with db.uow() as uow:
            await uow.session.execute(sa.insert(NOTES).values(text="once"))
            if runs == 1:
                await _terminate(db, await _own_pid(uow.session))
            await uow.session.execute(sa.text("SELECT 1"))  # the connection is gone: the whole run fails
            await uow.commit()
        return "done"

    assert await db_retry.retry_once(work) == "done"
    assert runs == 2
    assert await _texts(db) == ["once"]


async def test_a_read_whose_connection_closes_mid_statement_runs_once_more(db):
    runs = 0

    async def read() -> int:
        nonlocal runs
        runs += 1
        async with db.uow() as uow:
            if runs == 1:
                pid = await _own_pid(uow.session)
                statement = asyncio.ensure_future(uow.session.execute(sa.text("SELECT pg_sleep(5)")))
                await asyncio.sleep(0.3)
                await _terminate(db, pid)
                await statement
            return (await uow.session.execute(sa.text("SELECT 42"))).scalar_one()

    assert await db_retry.retry_once(read) == 42
    assert runs == 2


async def test_a_pooled_connection_the_server_closed_is_replaced_at_checkout_without_any_retry(db):
    async with db.engine.connect() as conn:  # back in the pool when done, then closed by the server
        pid = (await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
    await _terminate(db, pid)
    runs = 0

    async def work() -> None:
        nonlocal runs
        runs += 1
        async with db.uow() as uow:
            await uow.session.execute(sa.insert(NOTES).values(text="fresh"))
            assert await _own_pid(uow.session) != pid
            await uow.commit()
        async with raw_sql.connection(db) as conn:  # the raw path checks out through the same pool
            assert await conn.fetchval("SELECT 1") == 1

    await db_retry.retry_once(work)
    assert runs == 1
    assert await _texts(db) == ["fresh"]


async def test_work_that_committed_then_lost_its_connection_is_not_run_again(db):
    runs = 0

    async def work() -> None:
        nonlocal runs
        runs += 1
        async with db.uow() as uow:
            await uow.session.execute(sa.insert(NOTES).values(text="committed"))
            await uow.commit()
        async with db.uow() as uow:
            await _terminate(db, await _own_pid(uow.session))
            await uow.session.execute(sa.insert(NOTES).values(text="lost"))

    with pytest.raises(DatabaseUnavailable, match="a commit was sent"):
        await db_retry.retry_once(work)
    assert runs == 1
    assert await _texts(db) == ["committed"]


async def test_an_autocommit_statement_whose_connection_closes_is_not_run_again(db):
    runs = 0

    async def work() -> None:
        nonlocal runs
        runs += 1
        async with raw_sql.connection(db) as conn:
            await conn.execute("INSERT INTO notes (text) VALUES ('autocommit')")
            await _terminate(db, await conn.fetchval("SELECT pg_backend_pid()"))
            await conn.execute("INSERT INTO notes (text) VALUES ('after')")

    with pytest.raises(DatabaseUnavailable):
        await db_retry.retry_once(work)
    assert runs == 1
    assert await _texts(db) == ["autocommit"]


async def test_a_raw_transaction_that_did_not_commit_runs_once_more(db):
    runs = 0

    async def work() -> None:
        nonlocal runs
        runs += 1
        async with raw_sql.transaction(db) as conn:
            await conn.execute("INSERT INTO notes (text) VALUES ('raw')")
            if runs == 1:
                await _terminate(db, await conn.fetchval("SELECT pg_backend_pid()"))
            await conn.execute("SELECT 1")

    await db_retry.retry_once(work)
    assert runs == 2
    assert await _texts(db) == ["raw"]


async def test_errors_other_than_unavailability_are_not_retried(db):
    async with db.uow() as uow:
        await uow.session.execute(sa.insert(NOTES).values(text="taken"))
        await uow.commit()
    runs = 0

    async def work() -> None:
        nonlocal runs
        runs += 1
        async with db.uow() as uow:
            await uow.session.execute(sa.insert(NOTES).values(text="taken"))
            await uow.commit()

    with pytest.raises(sa.exc.IntegrityError):
        await db_retry.retry_once(work)
    assert runs == 1


async def test_a_database_still_down_on_the_second_run_is_reported_unavailable():
    down = Database("postgresql://postgres@127.0.0.1:1/nowhere", pool_size=1)  # nothing listens on port 1
    runs = 0

    async def work() -> None:
        nonlocal runs
        runs += 1
        async with down.uow() as uow:
            await uow.session.execute(sa.text("SELECT 1"))

    try:
        with pytest.raises(DatabaseUnavailable, match="still unavailable"):
            await db_retry.retry_once(work, pause=0)
    finally:
        await down.dispose()
    assert runs == 2


async def test_a_group_committed_batch_makes_each_callers_run_unrepeatable(db):
    async def store(texts):
        async with db.uow() as uow:
            await uow.session.execute(sa.insert(NOTES), [{"text": t} for t in texts])
            await uow.commit()
        return texts

    committer: GroupCommitter[str, str] = GroupCommitter(store)
    runs: list[db_retry.Attempt] = []

    async def caller(text: str) -> None:
        with db_retry.attempt() as run:
            await committer.submit(text)
            runs.append(run)

    await asyncio.gather(caller("a"), caller("b"))
    assert [run.unrepeatable for run in runs] == ["a commit was sent"] * 2
    assert sorted(await _texts(db)) == ["a", "b"]
