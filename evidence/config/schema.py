"""The shape of evidence.toml: organisation, scope, period, owners, store, policies and sources."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from evidence.model.access import AccessPolicy
from evidence.model.limits import InputLimits
from evidence.model.report import DEFAULT_DUE_DAYS
from evidence.model.secrets import SecretRef as SecretRef  # re-exported: configs and collectors name it

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Impoc(_Strict):
    """The Incident Management Point of Contact the DPP requires since November 2025."""

    name: str = Field(min_length=1)
    email: str

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not _EMAIL.match(value):
            raise ValueError("not an e-mail address")
        return value


class Organisation(_Strict):
    """Who is attesting: the solution provider and its applications."""

    legal_name: str = Field(min_length=1)
    developer_id: str = Field(min_length=1)
    applications: list[str] = Field(min_length=1)
    impoc: Impoc | None = None
    privacy_policy_url: str | None = None


class Scope(_Strict):
    """What the attestation covers, and controls the organisation declares not applicable."""

    systems: list[str] = Field(default_factory=list)
    handles_pii: bool = True
    not_applicable: dict[str, str] = Field(default_factory=dict)

    @field_validator("not_applicable")
    @classmethod
    def _reasons_given(cls, value: dict[str, str]) -> dict[str, str]:
        for control_id, reason in value.items():
            if not reason.strip():
                raise ValueError(f"{control_id}: give the reason the control does not apply")
        return value


class StoreConfig(_Strict):
    """Where evidence is kept: any SQLAlchemy URL (SQLite by default) and a folder for copies."""

    url: str = "sqlite:///.evidence/evidence.db"
    password: SecretRef | None = None
    copies_dir: Path = Path(".evidence")
    copy_max_bytes: int = Field(default=10_000_000, ge=0)

    @field_validator("url")
    @classmethod
    def _no_password_in_url(cls, value: str) -> str:
        if re.match(r"^[\w+]+://[^/@]*:[^/@]+@", value):
            raise ValueError(
                "the URL holds a password; remove it and set store.password = "
                '{ env = "NAME" } or { file = "path" }'
            )
        return value


class PolicyConfig(_Strict):
    """Which catalogues are evaluated.

    ``id`` alone means the version in force at the period's end; ``id@version`` pins one.
    """

    catalogues: list[str] = Field(default_factory=lambda: ["amazon-dpp", "amazon-aup"], min_length=1)


class ReadingConfig(_Strict):
    """A reading of an ambiguous figure chosen instead of the catalogue's stricter default.

    The justification is required and is printed in every report that uses the reading.
    """

    reading: str = Field(min_length=1)
    justification: str = Field(min_length=20)
    parameter: str | None = None


class EvaluationConfig(_Strict):
    """Thresholds of evaluation that an organisation may tighten.

    ``grace_days`` gives, per control id, the days a recurring activity's interval may run over
    its cadence (overriding the catalogue's figure, which is 0 unless it says otherwise); every
    report shows the figure used. ``readings`` chooses, per control id, another reading of an
    ambiguous figure than the catalogue's stricter default, with a written justification that
    every report prints.
    """

    max_reject_ratio: float = Field(default=0.01, ge=0, le=1)
    grace_days: dict[str, int] = Field(default_factory=dict)
    readings: dict[str, ReadingConfig] = Field(default_factory=dict)

    @field_validator("grace_days")
    @classmethod
    def _grace_not_negative(cls, value: dict[str, int]) -> dict[str, int]:
        negative = sorted(k for k, v in value.items() if v < 0)
        if negative:
            raise ValueError(f"grace days cannot be negative ({', '.join(negative)})")
        return value


class RetentionConfig(_Strict):
    """Where Amazon data is stored, for retention checks that evidence alone cannot decide.

    ``None`` (the default) means "not declared"; an empty list declares that no bucket holds
    such data.
    """

    pii_buckets: list[str] | None = None
    non_pii_buckets: list[str] | None = None


class EncryptionConfig(_Strict):
    """The application's own roles: the only principals a key policy may let decrypt.

    ``kms_decrypt_roles`` lists role ARNs, role names or glob patterns (``arn:aws:iam::*:role/app-*``);
    ``None`` (the default) means "not declared", which leaves the decrypt element undecided.
    """

    kms_decrypt_roles: list[str] | None = None


class SecretsConfig(_Strict):
    """Keys the tool itself uses."""

    pseudonym_key: SecretRef | None = None


class SigningConfig(_Strict):
    """The key that signs PDFs and auditor packs: a PKCS#12 file (key and certificate).

    ``skip_if_missing`` leaves the reports unsigned (with a note) when the file is absent, for a
    sample config that names a throwaway key only `make demo` creates; otherwise a missing
    file is an error.
    """

    pkcs12: Path
    password: SecretRef | None = None
    skip_if_missing: bool = False
    #: An RFC 3161 time-stamping authority (http or https URL): when set, signed PDFs and the
    #: pack signature carry its timestamp.
    tsa_url: str | None = Field(default=None, pattern=r"^https?://\S+$")


class GapPlanConfig(_Strict):
    """Due dates of the plan of action: days from the as-of date, by the control's severity.

    The DPP's own deadlines (critical vulnerabilities 7 days, high 30 days) come from the
    catalogue's parameters and cap the due dates of the controls they govern.
    """

    due_days: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_DUE_DAYS))

    @field_validator("due_days")
    @classmethod
    def _positive_and_complete(cls, value: dict[str, int]) -> dict[str, int]:
        for severity, days in value.items():
            if severity not in DEFAULT_DUE_DAYS:
                known = ", ".join(DEFAULT_DUE_DAYS)
                raise ValueError(f"due_days.{severity}: severity must be one of {known}")
            if days <= 0:
                raise ValueError(f"due_days.{severity} must be a positive number of days")
        return {**DEFAULT_DUE_DAYS, **value}


class ReportConfig(_Strict):
    """Who signs the reports off: names printed in the signature block (blank lines if unset)."""

    preparer: str | None = None
    preparer_title: str | None = None
    security_lead: str | None = None
    security_lead_title: str | None = None


class SourceConfig(BaseModel):
    """One source: a collector id, a name, and the collector's own settings (checked by it)."""

    model_config = ConfigDict(extra="allow")

    collector: str
    name: str = Field(default="", pattern=r"^[\w.-]*$")
    enabled: bool = True
    keep_copies: bool | None = None
    max_reject_ratio: float | None = Field(default=None, ge=0, le=1)

    def settings(self) -> dict[str, Any]:
        """The collector-specific keys, everything but the common ones above."""
        return dict(self.model_extra or {})


class Config(_Strict):
    """The whole of evidence.toml, plus where it was read from."""

    organisation: Organisation
    scope: Scope = Field(default_factory=Scope)
    review_period: str | None = None
    owners: dict[str, str] = Field(default_factory=dict)
    # Who holds each owner role of [owners] ("Security Lead" = "Priya Raman"): the quarterly
    # review names people, not role titles.
    team: dict[str, str] = Field(default_factory=dict)
    store: StoreConfig = Field(default_factory=StoreConfig)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    evaluation: EvaluationConfig = Field(default_factory=EvaluationConfig)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    encryption: EncryptionConfig = Field(default_factory=EncryptionConfig)
    secrets: SecretsConfig = Field(default_factory=SecretsConfig)
    signing: SigningConfig | None = None
    # Shared by every log source (departures, allowed networks, PII stores...): the defaults of
    # the log collectors' settings, which a source may override key by key.
    access: AccessPolicy = Field(default_factory=AccessPolicy)
    gap_plan: GapPlanConfig = Field(default_factory=GapPlanConfig)
    # Bounds on every input read (line length, documents read whole, decompressed size).
    limits: InputLimits = Field(default_factory=InputLimits)
    report: ReportConfig = Field(default_factory=ReportConfig)
    sources: list[SourceConfig] = Field(default_factory=list)

    # Set by the loader, not read from the file.
    path: Path = Field(default=Path("evidence.toml"), exclude=True)

    @model_validator(mode="after")
    def _name_sources(self) -> Config:
        seen: set[str] = set()
        for index, source in enumerate(self.sources):
            if not source.name:
                source.name = f"{source.collector}-{index + 1}"
            if source.name in seen:
                raise ValueError(f"two sources are named {source.name!r}; names must be unique")
            seen.add(source.name)
        return self

    @property
    def base_dir(self) -> Path:
        """Relative paths in the config are relative to the config file's folder."""
        return self.path.parent

    def resolve(self, path: Path | str) -> Path:
        """An input path made absolute against the config's folder."""
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else self.base_dir / candidate
