"""HTTP routes, event consumers, command line of the directory service."""
