"""Which errors mean the database is unavailable (restarting, connection dropped or refused), and the 503 they become."""

from __future__ import annotations

import errno

import asyncpg
import sqlalchemy as sa

from .errors import causes

RETRY_AFTER_SECONDS = 2  # a fast restart of PostgreSQL takes about a second; clients come back just after
DETAIL = "the service is briefly unavailable; try again"

# Connecting to a server that is down, or talking to one that went away: asyncpg raises these bare
# (SQLAlchemy does not wrap a failed connect); ConnectionError covers refused, reset and aborted.
_SOCKET_ERRNOS = frozenset({errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE,
                            errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT})

_DRIVER_ERRORS = (
    ConnectionError,
    asyncpg.PostgresConnectionError,  # class 08, incl. ConnectionDoesNotExistError (closed mid-operation)
    asyncpg.CannotConnectNowError,  # 57P03: "the database system is starting up / shutting down"
    asyncpg.AdminShutdownError,  # 57P01: the server terminates its connections (fast shutdown)
    asyncpg.CrashShutdownError,  # 57P02: another backend crashed, every connection is reset
    asyncpg.TooManyConnectionsError,  # 53300: every replica reconnecting at once after a restart
    # "cannot switch to state 12; another operation is in progress": the server ended the session while
    # asyncpg was between two steps of a statement (MagicStack/asyncpg#1069, sqlalchemy/sqlalchemy#13241).
    asyncpg.InternalClientError,
)


class DatabaseUnavailable(Exception):
    """The database could not do the work now, and running it again here was not safe (or did not help).

    Raised from the error that said so; answered 503 with Retry-After by every service's HTTP app.
    """


def is_unavailable(error: BaseException) -> bool:
    """The error, or one it was raised from, says the database is unreachable or dropped the connection."""
    for current in causes(error):
        if isinstance(current, (DatabaseUnavailable, *_DRIVER_ERRORS)):
            return True
        if isinstance(current, OSError) and current.errno in _SOCKET_ERRNOS:
            return True
        # asyncpg checks the connection before sending anything: this one was dead before the statement.
        if isinstance(current, asyncpg.InterfaceError) and "connection is closed" in str(current):
            return True
        # SQLAlchemy's own disconnect detection (the dialect's is_disconnect), which also invalidated the pool.
        if isinstance(current, sa.exc.DBAPIError) and current.connection_invalidated:
            return True
    return False
