"""End-to-end suites: the five services as real processes, one story at a time."""
