"""Loading and comparing the policy catalogues kept as data in policies/."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Protocol, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from evidence.errors import PolicyError
from evidence.model.catalogue import Catalogue, CheckRef, Parameter
from evidence.resources import policies_dir

_CROSSWALK = re.compile(r"^kind:\s*[\"']?crosswalk[\"']?\s*(#.*)?$", re.MULTILINE)


@cache
def _policy_files(root: Path) -> dict[str, tuple[Path, bool]]:
    """Every ``policies/<id>/<version>.yaml`` by ``id@version``, and whether it is a crosswalk."""
    return {
        f"{path.parent.name}@{path.stem}": (path, bool(_CROSSWALK.search(path.read_text(encoding="utf-8"))))
        for path in sorted(root.glob("*/*.yaml"))
    }


def catalogue_files() -> dict[str, Path]:
    """Every catalogue file by ``id@version`` (``policies/<id>/<version>.yaml``), crosswalks left out."""
    return {ref: path for ref, (path, crosswalk) in _policy_files(policies_dir()).items() if not crosswalk}


def crosswalk_files() -> dict[str, Path]:
    """Every crosswalk framework file (``kind: crosswalk``) by ``id@version``."""
    return {ref: path for ref, (path, crosswalk) in _policy_files(policies_dir()).items() if crosswalk}


class _PolicyFile(Protocol):
    """A loaded catalogue or crosswalk: what resolving a reference to it reads."""

    @property
    def ref(self) -> str: ...

    @property
    def status(self) -> str: ...


PolicyT = TypeVar("PolicyT", bound=_PolicyFile)


def load_by_ref(
    ref: str,
    files: dict[str, Path],
    load_ref: Callable[[str], PolicyT],
    load_file: Callable[[Path], PolicyT],
    what: str,
) -> PolicyT:
    """Load ``id@version`` from ``files`` (or ``id`` alone: its current version); PolicyError when absent.

    ``what`` names the kind of file in messages (catalogue, crosswalk); ``load_ref`` is the cached
    loader the bare id's versions go through.
    """
    if "@" not in ref:
        current = [c for c in (load_ref(r) for r in files if r.startswith(ref + "@")) if c.status == "current"]
        if not current:
            raise PolicyError(f"no current {what} {ref!r}; available: {', '.join(files) or 'none'}")
        return current[0]
    path = files.get(ref)
    if path is None:
        raise PolicyError(f"no {what} {ref!r}; available: {', '.join(files) or 'none'}")
    loaded = load_file(path)
    if loaded.ref != ref:
        raise PolicyError(f"{path}: declares {loaded.ref}, but its path says {ref}")
    return loaded


@cache
def load_catalogue(ref: str) -> Catalogue:
    """Load ``id@version`` (or ``id`` alone for its current version); PolicyError when absent."""
    return load_by_ref(ref, catalogue_files(), load_catalogue, load_catalogue_file, "catalogue")


def load_catalogue_file(path: Path) -> Catalogue:
    """Load and validate one catalogue file; a PolicyError names the file, line and control."""
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: malformed YAML: {exc}") from None
    try:
        catalogue = Catalogue.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = list(first["loc"]) or _control_loc(data, first["msg"])
        message = f"{first['msg']} ({exc.error_count()} problem(s))"
        raise located_error(path, text, loc, _control_of(data, loc), message) from None
    problem = parameter_problem(catalogue)
    if problem is not None:
        loc, message = problem
        raise located_error(path, text, loc, _control_of(data, loc), message)
    return catalogue


def located_error(path: Path, text: str, loc: list[int | str], about: str | None, message: str) -> PolicyError:
    """``file:line: location (about): message`` for the YAML node at ``loc`` of a policy file."""
    line = line_of(text, loc)
    prefix = f"{path}:{line}" if line else str(path)
    where = ".".join(str(p) for p in loc)
    return PolicyError(f"{prefix}: {where}{f' ({about})' if about else ''}: {message}")


def parameter_problem(catalogue: Catalogue) -> tuple[list[int | str], str] | None:
    """The first parameter of ``catalogue`` its checks do not accept, as (YAML location, message).

    Each built check declares its parameters (:class:`evidence.controls.context.Params`): a
    ``with`` argument it does not declare is unknown, a declared parameter without a default that
    neither the control's ``parameters`` nor ``with`` states is missing, an ill-typed value is
    refused, and a control parameter that no check of the control declares is unknown.
    """
    from evidence.controls.checks import registry  # the checks import this module's models

    checks = registry()
    for c, control in enumerate(catalogue.controls):
        declared: set[str] = set()
        built = [checks.get(ref.check) for ref in control.checks if not ref.planned]
        every_check_declares = bool(built) and all(s is not None and s.params is not None for s in built)
        for r, ref in enumerate(control.checks):
            spec = checks.get(ref.check)
            if ref.planned or spec is None or spec.params is None:
                continue
            declared |= set(spec.params.model_fields)
            at_check: list[int | str] = ["controls", c, "checks", r]
            stated = control.parameter_values()
            problem = check_arguments_problem(ref, spec.params, stated, at_check, ["controls", c, "parameters"]) or (
                _reading_problem(control.parameters, spec.params, {**stated, **ref.with_}, ref.check, c)
            )
            if problem is not None:
                return problem
        if every_check_declares:
            for name, parameter in control.parameters.items():
                if name not in declared and not parameter.informative:
                    return ["controls", c, "parameters", name], (
                        f"parameter {name!r} is read by no check of the control "
                        "(mark it informative: true if it is only printed)"
                    )
    return None


def _reading_problem(
    parameters: Mapping[str, Parameter],
    params: type[BaseModel],
    given: Mapping[str, object],
    check: str,
    index: int,
) -> tuple[list[int | str], str] | None:
    """A reading of an ambiguous figure the check could not take, were the config to choose it."""
    for name, parameter in parameters.items():
        if name not in params.model_fields or given.get(name) != parameter.value:
            continue  # not read by this check, or its ``with`` fixes the figure
        for label, reading in parameter.readings.items():
            try:
                params.model_validate({**given, name: reading.value})
            except ValidationError as exc:
                return ["controls", index, "parameters", name, "readings", label, "value"], (
                    f"reading {label!r} of parameter {name!r} for check {check}: {exc.errors()[0]['msg']}"
                )
    return None


def check_arguments_problem(
    ref: CheckRef,
    params: type[BaseModel],
    stated: Mapping[str, object],
    at_check: list[int | str],
    at_parameters: list[int | str] | None,
) -> tuple[list[int | str], str] | None:
    """What is wrong with the arguments ``ref`` gives a check whose parameter model is ``params``.

    ``stated`` are the parameters of the control the check serves (none for a crosswalk
    criterion, which has no ``parameters``), merged under the check's own ``with``. Locations
    point into the YAML: ``at_check`` the check, ``at_parameters`` the control's parameters
    (None: there are none). None when the check accepts the arguments.
    """
    fields = params.model_fields
    for name in sorted(ref.with_):
        if name not in fields:
            known = ", ".join(sorted(fields)) or "none"
            return [*at_check, "with", name], f"check {ref.check} has no parameter {name!r} (it reads: {known})"
    try:
        params.model_validate({**stated, **ref.with_})
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else ""
        if first["type"] == "missing":
            if at_parameters is None:
                return at_check, f"check {ref.check} needs parameter {name!r}, which its with: does not give"
            return at_parameters, f"check {ref.check} needs parameter {name!r}, which the control does not state"
        where: list[int | str] = (
            [*at_check, "with", name]
            if name in ref.with_ or at_parameters is None
            else [*at_parameters, name, "value"]
        )
        return where, f"parameter {name!r} of check {ref.check}: {first['msg']}"
    return None


def _control_loc(data: object, message: str) -> list[int | str]:
    """Where a catalogue-wide complaint about one control (``control X: ...``) points: that control."""
    found = re.match(r"Value error, control (\S+): ", message)
    if found and isinstance(data, dict) and isinstance(data.get("controls"), list):
        for index, control in enumerate(data["controls"]):
            if isinstance(control, dict) and control.get("id") == found[1]:
                return ["controls", index]
    return []


def _control_of(data: object, loc: list[int | str]) -> str | None:
    """The id of the control an error location points into, if any."""
    if len(loc) >= 2 and loc[0] == "controls" and isinstance(loc[1], int) and isinstance(data, dict):
        controls = data.get("controls")
        if isinstance(controls, list) and loc[1] < len(controls) and isinstance(controls[loc[1]], dict):
            return str(controls[loc[1]].get("id"))
    return None


def line_of(text: str, loc: list[int | str]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (as deep as the document goes)."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None
    for step in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            node = None
    if node is not None:
        line = node.start_mark.line + 1
    return line


def catalogue_in_force(catalogue_id: str, day: date) -> Catalogue:
    """The version of ``catalogue_id`` in force on ``day``: the latest whose effective date is on or before it.

    A period is judged by the version in force at its end; PolicyError when none was yet.
    """
    versions = sorted(
        (load_catalogue(ref) for ref in catalogue_files() if ref.startswith(catalogue_id + "@")),
        key=lambda c: c.effective,
    )
    if not versions:
        raise PolicyError(f"no catalogue {catalogue_id!r}; available: {', '.join(catalogue_files())}")
    in_force = [c for c in versions if c.effective <= day]
    if not in_force:
        raise PolicyError(
            f"no version of {catalogue_id} was in force on {day.isoformat()}; the earliest, "
            f"{versions[0].ref}, took effect {versions[0].effective.isoformat()}"
        )
    return in_force[-1]


def resolve_catalogue(ref: str, day: date | None) -> Catalogue:
    """``id@version`` as pinned, or ``id`` alone: the version in force on ``day`` (else the current one)."""
    if "@" in ref or day is None:
        return load_catalogue(ref)
    return catalogue_in_force(ref, day)


def all_catalogues() -> list[Catalogue]:
    """Every catalogue under policies/."""
    return [load_catalogue(ref) for ref in catalogue_files()]
