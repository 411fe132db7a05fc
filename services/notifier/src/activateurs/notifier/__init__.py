"""Notifier: stores every requested email once, renders French templates, sends with retries."""
