"""`activateurs-validation serve | migrate`."""

from pathlib import Path

from activateurs.shared.cli import service_main

from ..app import create_app
from ..config import ValidationSettings

ALEMBIC_INI = Path(__file__).resolve().parents[4] / "alembic.ini"


def main() -> None:
    service_main("validation", ValidationSettings, create_app, ALEMBIC_INI)
