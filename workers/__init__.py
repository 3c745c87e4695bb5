"""Processes: the worker, the embedded stack, and the client helpers they share."""
