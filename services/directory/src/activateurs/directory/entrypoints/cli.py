"""`activateurs-directory serve | migrate | seed --count N`."""

import argparse
import asyncio
from pathlib import Path

from activateurs.shared.cli import service_main
from activateurs.shared.db import Database
from activateurs.shared.settings import ServiceSettings

from ..adapters.geography import load_geography
from ..app import create_app
from ..config import DirectorySettings
from ..service.publication import Publisher
from .consumers import QUEUES

ALEMBIC_INI = Path(__file__).resolve().parents[4] / "alembic.ini"


def _seed_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--count", type=int, required=True, help="how many published profiles to generate")
    parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same profiles)")


def _seed(args: argparse.Namespace, settings: ServiceSettings) -> int:
    from ..service.seeding import seed

    async def run() -> float:
        db = Database(settings.database_url)
        try:
            publisher = Publisher(db, load_geography(), settings.public_base_url, consumer="seed")
            return await seed(db, publisher, args.count, seed=args.seed)
        finally:
            await db.dispose()

    seconds = asyncio.run(run())
    print(f"seeded {args.count} published profiles in {seconds:.1f}s")
    return 0


def main() -> None:
    service_main("directory", DirectorySettings, create_app, ALEMBIC_INI,
                 extra={"seed": ("generate N published profiles (benchmarks, demos; never in production)",
                                 _seed_arguments, _seed)}, queues=QUEUES)
