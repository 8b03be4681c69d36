"""Loading and comparing the policy catalogues kept as data in policies/."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from evidence.errors import PolicyError
from evidence.model.catalogue import Catalogue
from evidence.resources import policies_dir


def catalogue_files() -> dict[str, Path]:
    """Every catalogue file by ``id@version`` (``policies/<id>/<version>.yaml``)."""
    root = policies_dir()
    return {
        f"{path.parent.name}@{path.stem}": path
        for path in sorted(root.glob("*/*.yaml"))
    }


@cache
def load_catalogue(ref: str) -> Catalogue:
    """Load ``id@version`` (or ``id`` alone for its current version); PolicyError when absent."""
    files = catalogue_files()
    if "@" not in ref:
        current = [c for c in (load_catalogue(r) for r in files if r.startswith(ref + "@")) if c.status == "current"]
        if not current:
            raise PolicyError(f"no current catalogue {ref!r}; available: {', '.join(files)}")
        return current[0]
    path = files.get(ref)
    if path is None:
        raise PolicyError(f"no catalogue {ref!r}; available: {', '.join(files) or 'none'}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: malformed YAML: {exc}") from None
    try:
        catalogue = Catalogue.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PolicyError(f"{path}: {where}: {first['msg']} ({exc.error_count()} problem(s))") from None
    if catalogue.ref != ref:
        raise PolicyError(f"{path}: declares {catalogue.ref}, but its path says {ref}")
    return catalogue


def all_catalogues() -> list[Catalogue]:
    """Every catalogue under policies/."""
    return [load_catalogue(ref) for ref in catalogue_files()]
