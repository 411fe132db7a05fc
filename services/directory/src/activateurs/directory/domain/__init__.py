"""Pure rules of the directory service (no I/O)."""
