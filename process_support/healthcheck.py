"""A container's health check: exits 0 when ``URL`` answers 200, 1 otherwise.

    python -m process_support.healthcheck http://127.0.0.1:9464/readyz
"""

from __future__ import annotations

import sys
import urllib.request


def answers(url: str, timeout: float, on_failure=lambda error: None) -> bool:
    """Whether ``url`` answers 200; a connection failure is passed to ``on_failure``."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except OSError as error:
        on_failure(error)
        return False


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m process_support.healthcheck URL")
    healthy = answers(sys.argv[1], 4, on_failure=lambda error: print(f"unhealthy: {error}", file=sys.stderr))
    sys.exit(0 if healthy else 1)


if __name__ == "__main__":
    main()
