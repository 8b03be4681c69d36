"""Running the installed `evidence` console script from the render tests.

The shared tests/conftest.py has the same helper; it is not imported here because, with
pytest's default import mode, "conftest" names whichever conftest.py was loaded last.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EVIDENCE = Path(sys.executable).parent / "evidence"
SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def evidence(
    *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``evidence ARGS`` as a user would; stdout and stderr are captured as text."""
    merged = {**os.environ, "COLUMNS": "200", **(env or {})}
    merged.pop("EVIDENCE_TRACEBACK", None)
    return subprocess.run(
        [str(EVIDENCE), *map(str, args)],
        env=merged,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
