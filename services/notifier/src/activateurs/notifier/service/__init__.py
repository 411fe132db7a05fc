"""Use cases: accept an email request, send what is due."""
