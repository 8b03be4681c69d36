"""The starter config `evidence init` writes, its control ids filled in from the catalogues.

templates/starter/evidence.toml names no control (no framework's ids live under templates/):
``{controls running CHECK}`` becomes the ids of the controls that run CHECK in the catalogues
the starter's ``[policy] catalogues`` lists, and ``{not_applicable example}`` the example kept
in policies/starter.yaml.
"""

from __future__ import annotations

import json
import re
import tomllib

import yaml

from evidence.controls.catalogue import load_catalogue
from evidence.resources import policies_dir, templates_dir

_RUNNING = re.compile(r"\{controls running ([a-z0-9_]+)\}")
_NOT_APPLICABLE = "{not_applicable example}"


def starter_config() -> str:
    """The starter evidence.toml with every placeholder filled in."""
    text = (templates_dir() / "starter" / "evidence.toml").read_text(encoding="utf-8")
    catalogues = [load_catalogue(ref) for ref in tomllib.loads(text)["policy"]["catalogues"]]

    def running(match: re.Match[str]) -> str:
        ids = [c.id for cat in catalogues for c in cat.controls if any(r.check == match[1] for r in c.checks)]
        if not ids:
            raise LookupError(f"the starter names check {match[1]}, which no control of its catalogues runs")
        return ", ".join(ids)

    example = yaml.safe_load((policies_dir() / "starter.yaml").read_text(encoding="utf-8"))["not_applicable_example"]
    # json.dumps quotes and escapes both strings the way TOML basic strings want them.
    pair = f"{json.dumps(example['control'])} = {json.dumps(example['reason'])}"
    return _RUNNING.sub(running, text).replace(_NOT_APPLICABLE, pair)
