"""Facts of the cloud account kinds: password policy, IAM credentials and secrets."""

from __future__ import annotations

from pydantic import Field

from evidence.model.facts import Part
from evidence.model.facts.cloud_snapshot import CloudSnapshot


class PasswordPolicy(Part):
    """One account's IAM password policy (or a Terraform ``aws_iam_account_password_policy``)."""

    source: str | None = Field(None, description="aws-iam or terraform")
    account: str | None = None
    present: bool | None = Field(
        None, description="False when none is set (NoSuchEntity: IAM's defaults apply); None when not known"
    )
    min_length: int | None = None
    require_uppercase: bool | None = None
    require_lowercase: bool | None = None
    require_numbers: bool | None = None
    require_symbols: bool | None = None
    max_age_days: int | None = Field(None, description="passwords expire after this many days (None: never)")
    reuse_prevention: int | None = Field(None, description="how many previous passwords are refused")
    hard_expiry: bool | None = None
    min_age_days: int | None = Field(None, description="always None: IAM has no such setting")
    lockout_after_failures: int | None = Field(None, description="always None: IAM has no such setting")
    unsupported: list[str] = Field(
        default_factory=list, description="the control's rules IAM cannot express (min_age_days, no_username...)"
    )
    origin: str | None = None
    error: str | None = None


class PasswordPolicies(CloudSnapshot):
    """Minimum length, character classes, max age, reuse prevention; lockout where known."""

    kind = "iam.password_policy"
    produced_by = ("aws", "aws-cli", "terraform")

    policies: list[PasswordPolicy] | None = None


class AccessKey(Part):
    """One access key of a user (slot 1 or 2)."""

    slot: int
    active: bool
    last_rotated: str | None = Field(None, description="when it was created or last rotated (ISO 8601)")
    last_used: str | None = None


class IamUser(Part):
    """One IAM user (pseudonymised) or the root account (``<root_account>``)."""

    user: str = Field(description="the user's pseudonym, or <root_account>")
    account: str | None = None
    created: str | None = None
    console: bool | None = Field(None, description="whether it has a console password (None: not known)")
    password_last_used: str | None = None
    mfa: bool | None = Field(None, description="whether an MFA device is active (None: not known)")
    access_keys: list[AccessKey] = Field(default_factory=list)


class IamCredentials(CloudSnapshot):
    """Per IAM user (pseudonymised): MFA, console password, access keys and their dates; root MFA and keys."""

    kind = "iam.credentials"
    produced_by = ("aws", "aws-cli")

    report_generated: str | None = Field(None, description="when the credential report was generated")
    source: str | None = Field(None, description="`credential report` when the users came from one")
    users: list[IamUser] | None = None
    root: IamUser | None = Field(None, description="the root account's row of the credential report")


class Secret(Part):
    """One secret's rotation: schedule, last rotation and its current value's date."""

    name: str
    arn: str | None = None
    region: str | None = None
    rotation_enabled: bool | None = None
    rotation_days: int | None = None
    rotation_schedule: str | None = None
    last_rotated: str | None = Field(None, description="LastRotatedDate")
    current_version_created: str | None = Field(None, description="the AWSCURRENT version's CreatedDate")
    last_changed: str | None = Field(None, description="LastChangedDate (never used: a tag edit changes it)")
    created: str | None = Field(None, description="CreatedDate")
    kms_key_id: str | None = None
    tags: dict[str, str] = Field(default_factory=dict, description="its tags, by key")
    origin: str | None = None
    error: str | None = None


class SecretsRotation(CloudSnapshot):
    """Per secret: rotation enabled and schedule, last rotated, current value's date."""

    kind = "secrets.rotation"
    produced_by = ("aws", "aws-cli", "terraform")

    secrets: list[Secret] | None = None
