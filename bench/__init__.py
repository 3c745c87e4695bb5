"""The benchmark: what an engagement costs, beside plain Temporal, in one run."""
