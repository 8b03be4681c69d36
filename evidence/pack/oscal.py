"""OSCAL (JSON) export, shared parts: deterministic UUIDs, properties, catalogues as catalogs.

UUIDs are version-5 UUIDs of stable names (catalogue, control, run uid), so the same run always
exports the same files. Properties that are ours carry the namespace :data:`NS`. The documents
use only constructs OSCAL 1.1 and 1.2 share, and declare :data:`OSCAL_VERSION`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import Any

from evidence.model.catalogue import Attribute, Catalogue, Control

OSCAL_VERSION = "1.1.3"
NS = "urn:dpp-evidence:oscal"
_UUID_ROOT = uuid.uuid5(uuid.NAMESPACE_URL, NS)


def stable_uuid(*parts: str) -> str:
    """Return the version-5 UUID of ``parts``: the same names always give the same UUID."""
    return str(uuid.uuid5(_UUID_ROOT, "\x1f".join(parts)))


def timestamp(moment: datetime) -> str:
    """Format an OSCAL date-time with its offset, in UTC."""
    return moment.astimezone(UTC).isoformat()


def prop(name: str, value: object, *, ours: bool = True) -> dict[str, Any]:
    """Make a property (in our namespace unless ``ours`` is False) with a one-line value."""
    text = " ".join(str(value).split())
    return {"name": name, "ns": NS, "value": text} if ours else {"name": name, "value": text}


def metadata(title: str, last_modified: datetime, version: str, **extra: Any) -> dict[str, Any]:
    """Make the metadata block every OSCAL document starts with."""
    return {
        "title": " ".join(title.split()),
        "last-modified": timestamp(last_modified),
        "version": version,
        "oscal-version": OSCAL_VERSION,
        **extra,
    }


def statement_id(control_id: str) -> str:
    """Return the id of a control's statement part (what findings target)."""
    return f"{control_id}_smt"


def catalog_document(catalogue: Catalogue) -> dict[str, Any]:
    """Export a catalogue as an OSCAL catalog: families as groups, controls with parts."""
    effective = datetime.combine(catalogue.effective, time.min, tzinfo=UTC)
    groups = []
    for family in catalogue.families:
        controls = [_control(c, catalogue.attributes) for c in catalogue.controls if c.family == family.id]
        if controls:
            groups.append(
                {"id": family.id, "class": "family", "title": family.title, "controls": controls}
            )
    return {
        "catalog": {
            "uuid": stable_uuid("catalog", catalogue.ref),
            "metadata": metadata(
                catalogue.title,
                effective,
                catalogue.version,
                published=timestamp(effective),
                props=[prop("catalogue", catalogue.ref), prop("status", catalogue.status)],
                remarks=f"{catalogue.summary.strip()}\n\n{catalogue.source_note.strip()}",
            ),
            "groups": groups,
        }
    }


def _control(control: Control, attributes: Mapping[str, Attribute]) -> dict[str, Any]:
    props = [
        prop("label", control.section, ours=False),
        prop("severity", control.severity),
        # Attributes with a fixed set of values (the Amazon catalogues' confidence, applies-to).
        *(
            prop(name.replace("_", "-"), control.attributes[name])
            for name, spec in attributes.items()
            if spec.values is not None and name in control.attributes
        ),
        prop("elements", len(control.elements)),
    ]
    if control.cadence is not None:
        props.append(prop("cadence-days", control.cadence.every_days))
    if control.uncertain:
        props.append(prop("uncertain", "true"))
    parts: list[dict[str, Any]] = [
        {
            "id": statement_id(control.id),
            "name": "statement",
            "prose": control.requirement.strip(),
            # Each requirement element is an item of the statement; a control is met only when
            # every item is decided met (see docs/how-statuses-are-decided.md).
            "parts": [
                {
                    "id": f"{statement_id(control.id)}.{element.id}",
                    "name": "item",
                    "props": [
                        prop("technical", str(element.technical).lower()),
                        prop("document-only", str(element.document_only).lower()),
                    ],
                    "prose": element.text,
                }
                for element in control.elements
            ],
        },
        {"id": f"{control.id}_gdn", "name": "guidance", "prose": control.remediation.strip()},
        {
            "id": f"{control.id}_asm",
            "name": "assessment-method",
            "props": [prop("method", "EXAMINE", ours=False)],
            "prose": "\n".join(
                f"- {need.kind}{' (planned)' if need.planned else ''}: {need.description.strip()}"
                for need in control.evidence
            ),
        },
    ]
    if control.uncertain_note:
        parts.append(
            {
                "id": f"{control.id}_unc",
                "name": "uncertainty",
                "ns": NS,
                "prose": control.uncertain_note.strip(),
            }
        )
    if control.sources:
        parts.append(
            {
                "id": f"{control.id}_src",
                "name": "sources",
                "ns": NS,
                "prose": "\n".join(f"- {s}" for s in control.sources),
            }
        )
    document: dict[str, Any] = {
        "id": control.id,
        "title": control.title,
        "props": props,
        "parts": parts,
    }
    if control.parameters:
        document["params"] = [
            {
                "id": f"{control.id}_prm_{name}",
                "label": name,
                "usage": " ".join(p.description.split()),
                "values": [_value(p.value)],
                "props": [prop("unit", p.unit)] if p.unit else None,
            }
            for name, p in control.parameters.items()
        ]
        for param in document["params"]:
            if param["props"] is None:
                del param["props"]
    return document


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return " ".join(str(value).split())
