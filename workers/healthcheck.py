"""A container's health check: exits 0 when ``URL`` answers 200, 1 otherwise.

    python -m workers.healthcheck http://127.0.0.1:9464/readyz
"""

from __future__ import annotations

import sys
import urllib.request


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m workers.healthcheck URL")
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=4) as response:
            healthy = response.status == 200
    except OSError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        healthy = False
    sys.exit(0 if healthy else 1)


if __name__ == "__main__":
    main()
