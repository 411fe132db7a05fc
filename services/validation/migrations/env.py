"""Alembic environment of the validation database."""

from activateurs.validation.adapters.tables import metadata
from activateurs.shared.migrations import run_env

run_env(metadata)
