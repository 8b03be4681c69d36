"""The configuration file (evidence.toml) and its validation."""

from evidence.config.load import load_config
from evidence.config.schema import Config, SecretRef, SourceConfig

__all__ = ["Config", "SecretRef", "SourceConfig", "load_config"]
