"""Database tables and other adapters of the validation service."""
