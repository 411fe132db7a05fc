"""The registration service: accounts, the 4-step pre-registration, profile life, re-engagement and GDPR requests."""
