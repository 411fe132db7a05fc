"""HTTP routes, event consumers, command line of the contact-relay service."""
