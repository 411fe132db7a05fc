"""`activateurs-registration serve | migrate | create-dge-account`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from pathlib import Path

from activateurs.shared import migrations
from activateurs.shared.cli import service_main
from activateurs.shared.contracts.vocabulary import Role
from activateurs.shared.geography import REGION_OF_DEPARTMENT
from activateurs.shared.settings import ServiceSettings

from ..app import build_service, create_app
from ..config import RegistrationSettings
from ..service.accounts import create_staff_account
from .consumers import QUEUES

ALEMBIC_INI = Path(__file__).resolve().parents[4] / "alembic.ini"
MIN_PASSWORD = 12


def configure_create(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", required=True, help="the agent's email address (their sign-in name)")
    role = parser.add_mutually_exclusive_group()
    role.add_argument("--admin", action="store_true", help="a DGE admin (charter versions, partner keys…)")
    role.add_argument("--dreets-region", metavar="CODE",
                      help="a DREETS agent instead, read-only and limited to this INSEE region code (e.g. 84)")
    parser.add_argument("--first-name", default="")
    parser.add_argument("--last-name", default="")


def read_password() -> str:
    """From standard input: one line when piped, asked twice (not echoed) at a terminal."""
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise SystemExit("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def create_dge_account(args: argparse.Namespace, settings: ServiceSettings) -> int:
    assert isinstance(settings, RegistrationSettings)
    if args.dreets_region and args.dreets_region not in set(REGION_OF_DEPARTMENT.values()):
        print(f"unknown region code {args.dreets_region!r}", file=sys.stderr)
        return 2
    password = read_password()
    if len(password) < MIN_PASSWORD:
        print(f"the password needs {MIN_PASSWORD} characters at least", file=sys.stderr)
        return 2
    if args.dreets_region:
        roles = [Role.DREETS_AGENT]
    else:
        roles = [Role.DGE_AGENT, Role.DGE_ADMIN] if args.admin else [Role.DGE_AGENT]
    migrations.upgrade(Path(ALEMBIC_INI), settings.database_url)

    async def create() -> int:
        _, deps = build_service(settings)
        try:
            account_id = await create_staff_account(deps, email=args.email, password=password, roles=roles,
                                                    region=args.dreets_region, first_name=args.first_name,
                                                    last_name=args.last_name)
        except ValueError as error:
            print(str(error), file=sys.stderr)
            return 1
        finally:
            await deps.db.dispose()
        print(f"created account {account_id} with roles {', '.join(r.value for r in roles)}")
        return 0

    return asyncio.run(create())


def main() -> None:
    service_main("registration", RegistrationSettings, create_app, ALEMBIC_INI, extra={
        "create-dge-account": ("create a DGE (or DREETS) account; the password is read from standard input",
                               configure_create, create_dge_account)}, queues=QUEUES)

