"""Use cases of the directory service."""
