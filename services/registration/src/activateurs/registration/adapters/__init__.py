"""Database tables and other adapters of the registration service."""
