"""HTTP routes, event consumers, command line of the registration service."""
