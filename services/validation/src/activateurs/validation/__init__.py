"""The validation service: the DGE back-office: pre-checks, information requests, decisions, sanctions, audit log."""
