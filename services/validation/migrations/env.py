"""Alembic environment of the validation database."""

from activateurs.shared.migrations import run_env
from activateurs.validation.adapters.tables import metadata

run_env(metadata)
