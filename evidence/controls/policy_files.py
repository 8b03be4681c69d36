"""Reading one YAML file of policies/ into its pydantic model, with a PolicyError naming the problem."""

from __future__ import annotations

from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from evidence.errors import PolicyError
from evidence.resources import policies_dir

ModelT = TypeVar("ModelT", bound=BaseModel)


def load_policy_file(name: str, model: type[ModelT]) -> ModelT:
    """Load and validate policies/``name`` as ``model``; PolicyError names the file and the problem."""
    path = policies_dir() / name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path}: cannot read: {exc}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PolicyError(f"{path}: {where}: {first['msg']}") from None
