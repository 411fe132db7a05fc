"""`activateurs-contact-relay serve | migrate`."""

from pathlib import Path

from activateurs.shared.cli import service_main

from ..app import create_app
from ..config import ContactRelaySettings
from .consumers import QUEUES

ALEMBIC_INI = Path(__file__).resolve().parents[4] / "alembic.ini"


def main() -> None:
    service_main("contact-relay", ContactRelaySettings, create_app, ALEMBIC_INI, queues=QUEUES)
