"""Activateurs web: the pages people use, a client of the five services' public APIs."""
