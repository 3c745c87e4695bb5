"""The client side of an engagement, for every caller (the CLI, the HTTP intake, the
simulated customer, the demo, the benchmark and the tests): connect, start from a
purchase, perform an action once, read the state, list, and the errors to catch."""
