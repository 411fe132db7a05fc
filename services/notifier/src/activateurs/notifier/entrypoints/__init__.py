"""HTTP routes, event consumers, command line."""
