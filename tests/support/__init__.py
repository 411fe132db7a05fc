"""Test support: real PostgreSQL databases, RabbitMQ vhosts, an SMTP server and a token issuer on loopback."""
