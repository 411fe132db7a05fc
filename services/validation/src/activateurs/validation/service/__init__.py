"""Use cases of the validation service."""
