"""What changed between two versions of a catalogue: numbers, added, removed and changed controls."""

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


class ControlChange(BaseModel):
    """A control kept across versions whose elements or requirement text changed."""

    control_id: str
    title: str
    elements_added: list[str]
    elements_removed: list[str]
    requirement_changed: bool


class CatalogueDiff(BaseModel):
    """The changes from ``old`` to ``new``."""

    old: str
    new: str
    added: list[tuple[str, str]]
    removed: list[tuple[str, str]]
    parameters: list[ParameterChange]
    cadences: list[tuple[str, str | None, str | None]]
    retitled: list[tuple[str, str, str]]
    changed: list[ControlChange]


def diff_catalogues(old: Catalogue, new: Catalogue) -> CatalogueDiff:
    """Compare two catalogues control by control, parameter by parameter."""
    old_controls = {c.id: c for c in old.controls}
    new_controls = {c.id: c for c in new.controls}
    added = [(c.id, c.title) for c in new.controls if c.id not in old_controls]
    removed = [(c.id, c.title) for c in old.controls if c.id not in new_controls]
    changes: list[ParameterChange] = []
    cadences: list[tuple[str, str | None, str | None]] = []
    retitled: list[tuple[str, str, str]] = []
    changed: list[ControlChange] = []
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
        old_elements = [e.id for e in old_control.elements]
        new_elements = [e.id for e in new_control.elements]
        added_elements = [e for e in new_elements if e not in old_elements]
        removed_elements = [e for e in old_elements if e not in new_elements]
        reworded = " ".join(old_control.requirement.split()) != " ".join(new_control.requirement.split())
        if added_elements or removed_elements or reworded:
            changed.append(
                ControlChange(
                    control_id=control_id,
                    title=new_control.title,
                    elements_added=added_elements,
                    elements_removed=removed_elements,
                    requirement_changed=reworded,
                )
            )
    return CatalogueDiff(
        old=old.ref,
        new=new.ref,
        added=added,
        removed=removed,
        parameters=changes,
        cadences=cadences,
        retitled=retitled,
        changed=changed,
    )
