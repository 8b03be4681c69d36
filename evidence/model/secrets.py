"""Where a secret lives: an environment variable or a file named by the config, never the config.

Shared by the config and by collectors that take credentials in their settings, so it sits at the
bottom of the dependency graph.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, SecretStr, model_validator

from evidence.errors import ConfigError


class SecretRef(BaseModel):
    """Where a secret lives: an environment variable or a file. Never the secret itself."""

    model_config = ConfigDict(extra="forbid")

    env: str | None = None
    file: Path | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> SecretRef:
        if (self.env is None) == (self.file is None):
            raise ValueError("give exactly one of env = \"NAME\" or file = \"path\"")
        return self

    def resolve(self, base_dir: Path) -> SecretStr:
        """Read the secret now; a missing variable or file is a ConfigError naming it."""
        if self.env is not None:
            value = os.environ.get(self.env)
            if not value:
                raise ConfigError(f"environment variable {self.env} is not set (named by the config)")
            return SecretStr(value)
        assert self.file is not None
        path = self.file if self.file.is_absolute() else base_dir / self.file
        try:
            return SecretStr(path.read_text(encoding="utf-8").strip())
        except OSError as exc:
            raise ConfigError(f"cannot read secret file {path}: {exc.strerror}") from None

    def describe(self) -> str:
        """Where the secret comes from, for messages (never its value)."""
        return f"environment variable {self.env}" if self.env else f"file {self.file}"
