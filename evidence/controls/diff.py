"""What changed between two versions of a catalogue: numbers, added and removed controls."""

from __future__ import annotations

from pydantic import BaseModel

from evidence.model.catalogue import Catalogue, Scalar


class ParameterChange(BaseModel):
    """A parameter whose value differs, was added, or was removed within a control."""

    control_id: str
    parameter: str
    old: Scalar | None
    new: Scalar | None
    unit: str | None
    description: str


class CatalogueDiff(BaseModel):
    """The changes from ``old`` to ``new``."""

    old: str
    new: str
    added: list[tuple[str, str]]
    removed: list[tuple[str, str]]
    parameters: list[ParameterChange]
    cadences: list[tuple[str, str | None, str | None]]
    retitled: list[tuple[str, str, str]]


def diff_catalogues(old: Catalogue, new: Catalogue) -> CatalogueDiff:
    """Compare two catalogues control by control, parameter by parameter."""
    old_controls = {c.id: c for c in old.controls}
    new_controls = {c.id: c for c in new.controls}
    added = [(c.id, c.title) for c in new.controls if c.id not in old_controls]
    removed = [(c.id, c.title) for c in old.controls if c.id not in new_controls]
    changes: list[ParameterChange] = []
    cadences: list[tuple[str, str | None, str | None]] = []
    retitled: list[tuple[str, str, str]] = []
    for control_id, new_control in new_controls.items():
        old_control = old_controls.get(control_id)
        if old_control is None:
            continue
        for name in sorted(set(old_control.parameters) | set(new_control.parameters)):
            before = old_control.parameters.get(name)
            after = new_control.parameters.get(name)
            if before is not None and after is not None and before.value == after.value:
                continue
            reference = after or before
            assert reference is not None
            changes.append(
                ParameterChange(
                    control_id=control_id,
                    parameter=name,
                    old=before.value if before else None,
                    new=after.value if after else None,
                    unit=reference.unit,
                    description=reference.description,
                )
            )
        old_cadence = old_control.cadence.label if old_control.cadence else None
        new_cadence = new_control.cadence.label if new_control.cadence else None
        if (old_control.cadence and old_control.cadence.every_days) != (
            new_control.cadence and new_control.cadence.every_days
        ):
            cadences.append((control_id, old_cadence, new_cadence))
        if old_control.title != new_control.title:
            retitled.append((control_id, old_control.title, new_control.title))
    return CatalogueDiff(
        old=old.ref,
        new=new.ref,
        added=added,
        removed=removed,
        parameters=changes,
        cadences=cadences,
        retitled=retitled,
    )
