"""The crosswalk format of issue 16, checked on plain YAML: shared by the data and docs tests.

The loader (evidence/controls/catalogue.py) validates the same rules when a crosswalk loads;
these checks read the file as data so that a mistake in the shipped mappings names the
criterion and the reason without depending on how the loader words its errors.
"""

from __future__ import annotations

import re
from typing import Any

from evidence.controls.catalogue import load_catalogue

#: <catalogue id>:<control id>, the form every ``maps_to`` entry takes.
MAPS_TO = re.compile(r"^(?P<catalogue>[a-z0-9][a-z0-9-]*):(?P<control>\S+)$")


def control_ids(catalogue_id: str) -> frozenset[str]:
    """The control ids of the current version of ``catalogue_id``."""
    return frozenset(control.id for control in load_catalogue(catalogue_id).controls)


def crosswalk_problems(data: Any, id_form: re.Pattern[str]) -> list[str]:
    """Every way ``data`` breaks the crosswalk format; empty when it keeps it."""
    if not isinstance(data, dict):
        return ["the file is not a mapping"]
    problems = [f"missing top-level {key!r}" for key in ("schema_version", "id", "version", "kind",
                "title", "effective", "status", "summary", "source_note", "families", "criteria")
                if key not in data]
    if data.get("kind") != "crosswalk":
        problems.append(f"kind is {data.get('kind')!r}, not 'crosswalk'")
    families = {f.get("id") for f in data.get("families") or []}
    problems += [f"family {f.get('id')!r}: keys {sorted(f)}, not id and title"
                 for f in data.get("families") or [] if sorted(f) != ["id", "title"]]
    seen: set[str] = set()
    for criterion in data.get("criteria") or []:
        cid = str(criterion.get("id"))
        problems += [f"{cid}: {p}" for p in _criterion_problems(criterion, id_form, families)]
        if cid in seen:
            problems.append(f"{cid}: listed twice")
        seen.add(cid)
    return problems


def _criterion_problems(criterion: dict[str, Any], id_form: re.Pattern[str], families: set[Any]) -> list[str]:
    problems = []
    if not id_form.fullmatch(str(criterion.get("id"))):
        problems.append(f"id does not have the form {id_form.pattern}")
    if criterion.get("family") not in families:
        problems.append(f"family {criterion.get('family')!r} is not declared")
    if not str(criterion.get("title") or "").strip():
        problems.append("no title")
    mapped = bool(criterion.get("maps_to") or criterion.get("checks"))
    not_covered = str(criterion.get("not_covered") or "").strip()
    if mapped == bool(not_covered):
        problems.append("needs maps_to and/or checks, or not_covered with a reason (not both, not neither)")
    for ref in criterion.get("maps_to") or []:
        match = MAPS_TO.fullmatch(str(ref))
        if match is None:
            problems.append(f"maps_to {ref!r} is not <catalogue>:<control>")
        elif match["control"] not in control_ids(match["catalogue"]):
            problems.append(f"maps_to {ref!r}: no such control in {match['catalogue']}")
    return problems
