"""Settings over time: the ``settings.changes`` facts, and the keys that tie them to snapshots.

A settings snapshot (``encryption.at_rest``, ``encryption.kms``, ...) lists records, one per
resource. A change log (CloudTrail management events, AWS Config history) lists changes, each
naming the snapshot kind and section it belongs to, the resource's key, and the fields of the
record the change set. Collectors build the keys with :func:`record_key`; the checks key the
snapshot records the same way, so a change and a snapshot of one resource meet.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

#: The evidence kind of a change log (see docs/evidence-kinds.md).
CHANGES = "settings.changes"


def record_key(kind: str, section: str, record: dict[str, Any], account: str | None = None) -> str:
    """The identity of a snapshot record within its kind: ``s3_bucket:orders``, ``key:1234``...

    ``account`` is the snapshot's account, used for the one record per account (the password
    policy) when the record itself does not name it.
    """
    if kind == "encryption.at_rest":
        return f"{record.get('type')}:{record.get('id')}"
    if kind == "storage.lifecycle":
        return f"bucket:{record.get('bucket')}"
    if kind == "network.exposure":
        return f"bucket:{record.get('bucket')}" if section == "buckets" else f"sg:{record.get('id')}"
    if kind == "encryption.kms":
        return f"key:{record.get('id')}"
    if kind == "iam.password_policy":
        return f"account:{record.get('account') or account or '?'}"
    if kind == "iam.credentials":
        return f"user:{record.get('user')}"
    if kind == "secrets.rotation":
        return f"secret:{record.get('name')}"
    if kind == "logging.config":
        return f"trail:{record.get('name')}" if section == "trails" else f"log_group:{record.get('name')}"
    return f"{section}:{record.get('id') or record.get('name')}"


class SettingChange(BaseModel):
    """One change of one resource's settings, as a change log recorded it.

    ``set`` holds the record fields the change determined (in the snapshot's vocabulary);
    ``add``/``remove`` hold list entries added to or removed from ``list_field``. A change whose
    effect cannot be told (``unknown`` says why) makes the setting unknown from then on, until
    a later snapshot says what it is.
    """

    at: str
    event: str
    kind: str
    section: str
    key: str
    label: str
    #: The fields that name the resource (type and id, bucket, user...), for a resource no
    #: snapshot shows.
    identity: dict[str, Any] = Field(default_factory=dict)
    set: dict[str, Any] = Field(default_factory=dict)
    list_field: str | None = None
    add: list[dict[str, Any]] = Field(default_factory=list)
    remove: list[dict[str, Any]] = Field(default_factory=list)
    unknown: str | None = None
    principal: str | None = None
    region: str | None = None
    account: str | None = None
    event_id: str | None = None
    origin: str = "CloudTrail"


def day_ranges(days: list[str]) -> list[list[str]]:
    """Sorted ISO days as ``[first, last]`` runs of consecutive days (compact facts)."""
    from datetime import date, timedelta

    runs: list[list[str]] = []
    previous: date | None = None
    for text in sorted(set(days)):
        day = date.fromisoformat(text)
        if previous is not None and day == previous + timedelta(days=1):
            runs[-1][1] = text
        else:
            runs.append([text, text])
        previous = day
    return runs
