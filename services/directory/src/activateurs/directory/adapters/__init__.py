"""Database tables and other adapters of the directory service."""
