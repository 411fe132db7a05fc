"""`activateurs-notifier serve | migrate`."""

from __future__ import annotations

from pathlib import Path

from activateurs.shared.cli import service_main

from ..app import create_app
from ..config import NotifierSettings
from .consumers import QUEUES

ALEMBIC_INI = Path(__file__).resolve().parents[4] / "alembic.ini"


def main() -> None:
    service_main("notifier", NotifierSettings, create_app, ALEMBIC_INI, queues=QUEUES)
