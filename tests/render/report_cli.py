"""Running `evidence` from the render tests, returning what `subprocess.run` would.

The run goes through `tests.support.run_cli` (in this process, through the console script's own
entry point); the render tests read its result as a `subprocess.CompletedProcess`.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support import SAMPLES, run_cli, run_process

__all__ = ["SAMPLES", "evidence"]


def evidence(
    *args: str | Path, env: dict[str, str] | None = None, process: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run ``evidence ARGS`` as a user would; stdout and stderr are captured as text.

    ``process=True`` runs the installed console script in a process of its own.
    """
    result = (run_process if process else run_cli)(*args, env=env)
    return subprocess.CompletedProcess(["evidence", *map(str, args)], result.code, result.stdout, result.stderr)
