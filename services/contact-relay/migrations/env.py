"""Alembic environment of the contact-relay database."""

from activateurs.contact_relay.adapters.tables import metadata
from activateurs.shared.migrations import run_env

run_env(metadata)
