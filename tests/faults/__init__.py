"""Fault injection: real processes, real broker and database restarts, asserting nothing lost and nothing twice."""
