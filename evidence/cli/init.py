"""`evidence init`: write a commented starter config."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evidence.cli.output import stderr
from evidence.errors import ConfigError
from evidence.resources import templates_dir


def init(
    path: Annotated[Path, typer.Argument(help="Where to write the config.")] = Path("evidence.toml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> int:
    """Write a commented starter evidence.toml to edit."""
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists; use --force to overwrite it")
    text = (templates_dir() / "starter" / "evidence.toml").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    stderr().print(f"wrote {path}: fill in [organisation] and [[sources]], then run `evidence run`", markup=False)
    return 0
