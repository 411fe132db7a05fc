"""Checks of the deployment descriptors, offline."""
