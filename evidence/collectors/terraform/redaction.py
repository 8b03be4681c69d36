"""A stored copy of a Terraform document with every sensitive value removed, field by field.

State files hold secrets in plain text (``password`` of ``aws_db_instance``, private keys, tokens).
A value is removed when Terraform marks it sensitive (``sensitive_attributes`` in a state,
``sensitive_values`` / ``*_sensitive`` in show-json and plans, ``sensitive`` outputs), when its
attribute name says it is a secret, and always for the opaque ``private`` blob. What is left is
scrubbed for PII like any other input.
"""

from __future__ import annotations

import re
from typing import Any

from evidence.collectors.aws.arns import pseudonymise_text
from evidence.redact import SECRET, Redactor

_SECRET_NAME = re.compile(r"password|passphrase|private_key|secret|token|credential", re.IGNORECASE)
_NOT_SECRET = re.compile(
    r"(_id|_ids|_arn|_arns|_name|_names|_version_stage|_rotation)$|secretsmanager|^secret_id$"
)


def is_secret_name(name: str) -> bool:
    """Whether an attribute ``name`` holds secret material (``password``, not ``secret_id``)."""
    return bool(_SECRET_NAME.search(name)) and not _NOT_SECRET.search(name)


def redact_document(document: Any, redactor: Redactor) -> Any:
    """Replace sensitive values by ``[REDACTED]`` everywhere, then scrub PII."""
    if isinstance(document, dict):
        document = dict(document)
        if isinstance(document.get("resources"), list):
            document["resources"] = [_state_resource(r, redactor) for r in document["resources"]]
        for key in ("values", "planned_values", "prior_state"):
            if isinstance(document.get(key), dict):
                document[key] = _values_tree(document[key], redactor)
        if isinstance(document.get("resource_changes"), list):
            document["resource_changes"] = [
                _change(c, redactor) for c in document["resource_changes"]
            ]
        if isinstance(document.get("outputs"), dict):
            document["outputs"] = {k: _output(v, redactor) for k, v in document["outputs"].items()}
        if isinstance(document.get("variables"), dict):
            document["variables"] = {
                k: _masked(v, True, redactor) for k, v in document["variables"].items()
            }
    return _by_name(document, redactor)


def _state_resource(resource: Any, redactor: Redactor) -> Any:
    if not isinstance(resource, dict):
        return resource
    resource = dict(resource)
    instances = []
    for instance in resource.get("instances") or []:
        if isinstance(instance, dict):
            instance = dict(instance)
            for path in instance.get("sensitive_attributes") or []:
                instance["attributes"] = _mask_path(instance.get("attributes"), path, redactor)
            if "private" in instance:
                instance["private"] = SECRET
                redactor.counts["secret"] += 1
        instances.append(instance)
    resource["instances"] = instances
    return resource


def _mask_path(value: Any, path: Any, redactor: Redactor) -> Any:
    """Redact the value at a state ``sensitive_attributes`` path (``[{"value": "password"}]``)."""
    steps = [s.get("value") for s in path if isinstance(s, dict)] if isinstance(path, list) else []
    if not steps:
        return value
    head, rest = steps[0], path[1:]
    if isinstance(value, dict) and head in value:
        value = dict(value)
        value[head] = (
            _masked(value[head], True, redactor)
            if not rest
            else _mask_path(value[head], rest, redactor)
        )
    elif isinstance(value, list) and isinstance(head, int) and 0 <= head < len(value):
        value = list(value)
        value[head] = (
            _masked(value[head], True, redactor)
            if not rest
            else _mask_path(value[head], rest, redactor)
        )
    return value


def _values_tree(module: Any, redactor: Redactor) -> Any:
    """Apply each resource's ``sensitive_values`` to a ``values``/``planned_values`` tree."""
    if not isinstance(module, dict):
        return module
    module = dict(module)
    if isinstance(module.get("root_module"), dict):
        module["root_module"] = _values_tree(module["root_module"], redactor)
    if isinstance(module.get("resources"), list):
        module["resources"] = [
            dict(r, values=_masked(r.get("values"), r.get("sensitive_values"), redactor))
            if isinstance(r, dict)
            else r
            for r in module["resources"]
        ]
    if isinstance(module.get("child_modules"), list):
        module["child_modules"] = [_values_tree(m, redactor) for m in module["child_modules"]]
    if isinstance(module.get("outputs"), dict):
        module["outputs"] = {k: _output(v, redactor) for k, v in module["outputs"].items()}
    return module


def _change(change: Any, redactor: Redactor) -> Any:
    if not isinstance(change, dict) or not isinstance(change.get("change"), dict):
        return change
    inner = dict(change["change"])
    for side in ("before", "after"):
        inner[side] = _masked(inner.get(side), inner.get(f"{side}_sensitive"), redactor)
    return dict(change, change=inner)


def _output(output: Any, redactor: Redactor) -> Any:
    if isinstance(output, dict) and output.get("sensitive"):
        return dict(output, value=_masked(output.get("value"), True, redactor))
    return output


def _masked(value: Any, mask: Any, redactor: Redactor) -> Any:
    """Apply a Terraform sensitivity mask (True, or a tree of dicts/lists of booleans)."""
    if mask is True:
        if value in (None, "", [], {}):
            return value
        redactor.counts["secret"] += 1
        return SECRET
    if isinstance(value, dict) and isinstance(mask, dict):
        return {k: _masked(v, mask.get(k), redactor) for k, v in value.items()}
    if isinstance(value, list) and isinstance(mask, list):
        return [
            _masked(v, mask[i] if i < len(mask) else None, redactor) for i, v in enumerate(value)
        ]
    return value


def _by_name(value: Any, redactor: Redactor, key: str | None = None) -> Any:
    if (
        key is not None
        and is_secret_name(key)
        and value not in (None, "", [], {}, SECRET)
        and not isinstance(value, bool | int | float)
    ):
        redactor.counts["secret"] += 1
        return SECRET
    if isinstance(value, dict):
        return {k: _by_name(v, redactor, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_by_name(v, redactor, key) for v in value]
    if isinstance(value, str):
        return redactor.scrub(pseudonymise_text(value, redactor))
    return value
