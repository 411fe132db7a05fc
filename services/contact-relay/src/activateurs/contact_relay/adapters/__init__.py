"""Database tables and other adapters of the contact-relay service."""
