"""Facts of ``settings.changes``: the change logs that carry settings snapshots over the period."""

from __future__ import annotations

from pydantic import Field, JsonValue

from evidence.model.facts import Facts, Part


class Change(Part):
    """One change of one resource's settings (:class:`evidence.model.settings_history.SettingChange`).

    ``set`` holds the record fields the change determined, in the snapshot kind's own vocabulary;
    ``add``/``remove`` hold entries added to or removed from ``list_field``. A change whose effect
    cannot be told (``unknown`` says why) makes the setting unknown until a later snapshot.
    """

    at: str = Field(description="when (ISO 8601)")
    event: str = Field(description="the API call (PutBucketEncryption...)")
    kind: str = Field(description="the snapshot kind it changes")
    section: str = Field(description="the section of that kind's facts (resources, keys...)")
    key: str = Field(description="the resource's key (evidence.model.settings_history.record_key)")
    label: str
    identity: dict[str, JsonValue] = Field(default_factory=dict, description="the fields that name the resource")
    set: dict[str, JsonValue] = Field(default_factory=dict)
    list_field: str | None = None
    add: list[dict[str, JsonValue]] = Field(default_factory=list)
    remove: list[dict[str, JsonValue]] = Field(default_factory=list)
    unknown: str | None = None
    principal: str | None = Field(None, description="who (pseudonymised)")
    region: str | None = None
    account: str | None = None
    event_id: str | None = None
    origin: str | None = None


class SettingsChanges(Facts):
    """Management events that changed a judged setting, and the days on which the log is complete.

    Each change is in the snapshot kind's own fields, with its time, pseudonymised principal,
    region, account and event id; failed changes are counted. ``complete_days`` are
    ``[first, last]`` runs of days without a silence over ``max_gap_hours``; a ``truncated`` log
    proves no day complete. The cloud checks use it to judge settings on every day
    (docs/snapshots.md).
    """

    kind = "settings.changes"
    produced_by = ("cloudtrail", "aws-config")

    source_type: str | None = Field(None, description="cloudtrail or aws-config")
    window_start: str | None = None
    window_end: str | None = None
    max_gap_hours: int | float | None = None
    complete_days: list[list[str]] = Field(default_factory=list, description="[first, last] runs of complete days")
    days_complete_in_period: int | None = None
    tracked_events: list[str] | None = None
    changes: list[Change] = Field(default_factory=list)
    changes_total: int | None = None
    failed_changes: int | None = None
    truncated: bool = Field(False, description="more changes than kept: no day is proven complete")
