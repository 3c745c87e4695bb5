"""Temporal workflows (deterministic: no I/O, no wall clock, no randomness)."""
