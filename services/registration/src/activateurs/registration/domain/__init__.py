"""Pure rules of the registration service (no I/O)."""
