"""Alembic glue: each service's env.py calls `run_env`; start-up and tests call `upgrade`."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
from sqlalchemy.ext.asyncio import create_async_engine

from .db import async_url
from .messaging.tables import messaging_metadata


def upgrade(alembic_ini: Path, database_url: str, revision: str = "head") -> None:
    """Migrate to `revision`. Synchronous (Alembic runs its own event loop): call it via a thread from async code."""
    config = Config(str(alembic_ini))
    config.set_main_option("script_location", str(alembic_ini.parent / "migrations"))
    config.attributes["database_url"] = database_url
    command.upgrade(config, revision)


def run_env(service_metadata: sa.MetaData) -> None:
    """The body of a service's migrations/env.py."""
    config = context.config
    url = async_url(config.attributes.get("database_url") or os.environ["DATABASE_URL"])
    target = [service_metadata, messaging_metadata]
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(url, target))


async def _run_online(url: str, target: list[sa.MetaData]) -> None:
    engine = create_async_engine(url, poolclass=sa.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_migrate, target)
            await connection.commit()
    finally:
        await engine.dispose()


def _migrate(connection: sa.Connection, target: list[sa.MetaData]) -> None:
    context.configure(connection=connection, target_metadata=target, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
