"""Alembic environment of the directory database."""

from activateurs.directory.adapters.tables import metadata
from activateurs.shared.migrations import run_env

run_env(metadata)
