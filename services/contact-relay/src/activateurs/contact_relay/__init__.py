"""The contact-relay service: business contact requests forwarded to activators, and the 48 working-hour acknowledgement."""
