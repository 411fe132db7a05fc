"""`activateurs-validation serve | migrate | verify-audit-log`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from activateurs.shared.cli import service_main
from activateurs.shared.db import Database
from activateurs.shared.settings import ServiceSettings

from ..app import create_app
from ..config import ValidationSettings
from ..service.audit import Verification, verify_chain
from .consumers import QUEUES

ALEMBIC_INI = Path(__file__).resolve().parents[4] / "alembic.ini"


async def _verify(settings: ServiceSettings) -> Verification:
    db = Database(settings.database_url, pool_size=1)
    try:
        return await verify_chain(db)
    finally:
        await db.dispose()


def verify_audit_log(args: argparse.Namespace, settings: ServiceSettings) -> int:
    """Exit 0 when the whole chain holds, 1 (naming the first broken record) when it does not."""
    result = asyncio.run(_verify(settings))
    if result.intact:
        print(f"audit log intact: {result.records} records verified")
        return 0
    print(f"audit log BROKEN at record {result.first_broken} (altered, removed or reordered)", file=sys.stderr)
    return 1


def main() -> None:
    service_main("validation", ValidationSettings, create_app, ALEMBIC_INI, extra={
        "verify-audit-log": ("recompute the audit log's hash chain and report the first broken record",
                             lambda parser: None, verify_audit_log),
    }, queues=QUEUES)
