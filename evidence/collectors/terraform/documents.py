"""Terraform's JSON documents, flattened to a list of managed resources with their values.

Three shapes are read: a state file (``terraform.tfstate``, format version 4), the JSON of
``terraform show -json`` (state), and a plan (``terraform show -json plan.out``), whose
``planned_values`` are what the apply will leave behind. Values a plan cannot know yet are
simply absent, so a check sees them as unknown. Data sources are not resources of the account
and are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from evidence.collectors.aws.api_values import mapping


class NotTerraform(ValueError):
    """The document is not a Terraform state or plan; the message says why."""


@dataclass(frozen=True)
class Resource:
    """One managed resource instance: ``aws_s3_bucket.archive`` (``module.x.`` prefix kept)."""

    address: str
    type: str
    values: dict[str, Any]
    #: Attribute references from the plan's configuration (``bucket`` -> ``aws_s3_bucket.x``).
    references: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Document:
    """A parsed Terraform document: its kind, version and resources."""

    kind: str  # "state", "show-json" or "plan"
    terraform_version: str | None
    resources: list[Resource]
    skipped: int = 0


def read_document(data: Any) -> Document:
    """Read the resources of a state, show-json or plan document; NotTerraform otherwise."""
    if not isinstance(data, dict):
        raise NotTerraform("not a Terraform state or plan: the top level is not a JSON object")
    version = (
        data.get("terraform_version") if isinstance(data.get("terraform_version"), str) else None
    )
    if "planned_values" in data or "resource_changes" in data:
        references = _references(data.get("configuration"))
        resources, skipped = _module_resources(
            (data.get("planned_values") or {}).get("root_module"), references
        )
        return Document("plan", version, resources, skipped)
    if "values" in data and "format_version" in data:
        resources, skipped = _module_resources((data.get("values") or {}).get("root_module"), {})
        return Document("show-json", version, resources, skipped)
    if "resources" in data and "version" in data:
        if data.get("version") != 4:
            raise NotTerraform(
                f"state format version {data.get('version')} is not supported "
                "(only version 4, Terraform "
                "0.12 and later); `terraform show -json` prints a readable state"
            )
        resources, skipped = _state_resources(data["resources"])
        return Document("state", version, resources, skipped)
    if "modules" in data and "version" in data:
        raise NotTerraform("state format version 3 (Terraform before 0.12) is not supported")
    raise NotTerraform(
        "not a Terraform state or plan: no `resources`, `values` or `planned_values`"
    )


def _state_resources(entries: Any) -> tuple[list[Resource], int]:
    found: list[Resource] = []
    skipped = 0
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        instances = [i for i in entry.get("instances") or [] if isinstance(i, dict)]
        if entry.get("mode") != "managed":
            skipped += len(instances)
            continue
        base = f"{entry['module']}." if entry.get("module") else ""
        address = f"{base}{entry.get('type')}.{entry.get('name')}"
        for instance in instances:
            key = instance.get("index_key")
            suffix = "" if key is None else f"[{key!r}]" if isinstance(key, str) else f"[{key}]"
            values = mapping(instance.get("attributes"))
            found.append(
                Resource(address + suffix.replace("'", '"'), str(entry.get("type")), values)
            )
    return found, skipped


def _module_resources(
    module: Any, references: dict[str, dict[str, list[str]]]
) -> tuple[list[Resource], int]:
    found: list[Resource] = []
    skipped = 0
    for resource in _walk(module):
        if resource.get("mode") != "managed":
            skipped += 1
            continue
        address = str(resource.get("address"))
        values = mapping(resource.get("values"))
        found.append(
            Resource(
                address,
                str(resource.get("type")),
                values,
                references.get(_config_address(address), {}),
            )
        )
    return found, skipped


def _walk(module: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(module, dict):
        return
    for resource in module.get("resources") or []:
        if isinstance(resource, dict):
            yield resource
    for child in module.get("child_modules") or []:
        yield from _walk(child)


def _config_address(address: str) -> str:
    """``aws_s3_bucket.x["a"]`` -> ``aws_s3_bucket.x``: configuration has no instance keys."""
    return address.split("[", 1)[0]


def _references(configuration: Any) -> dict[str, dict[str, list[str]]]:
    """Root-module attribute references: which resource a split resource's ``bucket`` points to."""
    found: dict[str, dict[str, list[str]]] = {}
    module = configuration.get("root_module") if isinstance(configuration, dict) else None
    for resource in (module or {}).get("resources") or []:
        if not isinstance(resource, dict):
            continue
        expressions = mapping(resource.get("expressions"))
        attrs = {
            name: [r for r in expr.get("references", []) if isinstance(r, str)]
            for name, expr in expressions.items()
            if isinstance(expr, dict) and expr.get("references")
        }
        if attrs:
            found[str(resource.get("address"))] = attrs
    return found
