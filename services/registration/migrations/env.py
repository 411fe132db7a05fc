"""Alembic environment of the registration database."""

from activateurs.registration.adapters.tables import metadata
from activateurs.shared.migrations import run_env

run_env(metadata)
