"""`make demo`: `fasttrack demo` against the embedded stack, whatever Temporal
connection the shell has (TEMPORAL_* variables, a profile file), so that the demo's
customers never go to another cluster.

    python -m devstack.demo [fasttrack demo options]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from devstack.processes import local_environment


def main() -> None:
    fasttrack = Path(sys.executable).parent / "fasttrack"
    os.execve(fasttrack, [str(fasttrack), "demo", *sys.argv[1:]], local_environment())


if __name__ == "__main__":
    main()
