"""HTTP routes, event consumers, command line of the validation service."""
