"""Alembic environment of the notifier database."""

from activateurs.notifier.adapters.tables import metadata
from activateurs.shared.migrations import run_env

run_env(metadata)
