"""Adapters of the notifier: template rendering, mail transport and storage."""
