"""Activateurs shared library: contracts, messaging, database, auth, clock, logging, health."""
