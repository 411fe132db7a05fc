"""Use cases of the contact-relay service."""
