"""Pure rules of the contact-relay service (no I/O)."""
