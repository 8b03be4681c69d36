"""Readings of ambiguous figures: the catalogue's stricter default, or the config's justified choice."""

from __future__ import annotations

from dataclasses import dataclass

from evidence.errors import ConfigError
from evidence.model.catalogue import Control
from evidence.model.results import ReadingUsed


@dataclass(frozen=True)
class ReadingChoice:
    """A reading the config chose for one control, with its written justification."""

    reading: str
    justification: str
    parameter: str | None = None


def apply_reading(control: Control, choice: ReadingChoice | None) -> tuple[Control, ReadingUsed | None]:
    """The control as judged: the chosen (or default) reading's value in its parameter and cadence.

    A cadence that follows the parameter (same number of days) follows the reading too. A choice
    naming a reading the catalogue does not list is a ConfigError, never silently ignored.
    """
    ambiguous = {name: p for name, p in control.parameters.items() if p.readings}
    if not ambiguous:
        if choice is not None:
            raise ConfigError(
                f"[evaluation.readings] {control.id}: the control has no figure with several readings"
            )
        return control, None
    if choice is not None and choice.parameter is not None:
        name = choice.parameter
        if name not in ambiguous:
            raise ConfigError(
                f"[evaluation.readings] {control.id}: parameter {name!r} has no readings; "
                f"choose one of {', '.join(sorted(ambiguous))}"
            )
    elif len(ambiguous) == 1:
        name = next(iter(ambiguous))
    else:
        raise ConfigError(
            f"[evaluation.readings] {control.id}: name the parameter ({', '.join(sorted(ambiguous))})"
        )
    parameter = ambiguous[name]
    assert parameter.reading is not None  # validated with the catalogue
    default = parameter.readings[parameter.reading]
    wanted = choice.reading if choice is not None else parameter.reading
    if wanted not in parameter.readings:
        raise ConfigError(
            f"[evaluation.readings] {control.id}: no reading {wanted!r} of {name}; "
            f"choose one of {', '.join(parameter.readings)}"
        )
    reading = parameter.readings[wanted]
    used = ReadingUsed(
        parameter=name,
        reading=wanted,
        label=reading.label,
        value=reading.value,
        unit=parameter.unit,
        text=reading.text,
        default=parameter.reading,
        default_label=default.label,
        default_value=default.value,
        justification=choice.justification if choice is not None and wanted != parameter.reading else None,
    )
    if wanted == parameter.reading:
        return control, used
    parameters = {**control.parameters, name: parameter.model_copy(update={"value": reading.value})}
    update: dict[str, object] = {"parameters": parameters}
    cadence = control.cadence
    if cadence is not None and cadence.every_days == parameter.value and isinstance(reading.value, int):
        update["cadence"] = cadence.model_copy(update={"every_days": reading.value, "label": reading.label})
    return control.model_copy(update=update), used
