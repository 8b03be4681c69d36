"""A small config (one access log, the AUP catalogue) for tests of the run's mechanics.

Tests of atomic output and of tamper evidence need a sealed run with a stored copy, an
evaluation and reports, not the whole sample developer; this runs in seconds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support import SAMPLES


def small_config(folder: Path) -> Path:
    """Write the config and its one input into ``folder``; returns the config's path."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLES / "logs" / "nginx" / "access.log", folder / "access.log")
    config = folder / "evidence.toml"
    config.write_text(
        """review_period = "2026-Q3"
[organisation]
legal_name = "Example Seller Tools Ltd"
developer_id = "amzn1.sp.solution.small"
applications = ["Example"]
[store]
url = "sqlite:///.evidence/evidence.db"
copies_dir = ".evidence"
[policy]
catalogues = ["amazon-aup@2025-11"]
[[sources]]
collector = "access-log"
name = "web"
paths = ["access.log"]
""",
        encoding="utf-8",
    )
    return config
