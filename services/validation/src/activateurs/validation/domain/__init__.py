"""Pure rules of the validation service (no I/O)."""
