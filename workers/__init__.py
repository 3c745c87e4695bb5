"""The worker process: its settings, the worker, its workflow runner and task-clock guard, its metrics."""
