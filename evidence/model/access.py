"""Organisation-wide access settings shared by every log source: people, departures, networks, stores.

They live in ``[access]`` of evidence.toml. The pipeline hands them to each log collector as the
defaults of its own settings (a source may override any key), so a collector stays usable on its
own, e.g. ``evidence inspect auth-log auth.log --set 'allowed_networks=["198.51.100.0/24"]'``.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, date, datetime, time

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: Account names that are generic, shared or default wherever they appear (lower case).
DEFAULT_GENERIC_ACCOUNTS = (
    "root",
    "admin",
    "administrator",
    "ubuntu",
    "ec2-user",
    "centos",
    "debian",
    "fedora",
    "postgres",
    "mysql",
    "oracle",
    "sa",
    "guest",
    "test",
    "user",
    "pi",
    "vagrant",
    "deploy",
    "support",
    "operator",
    "webmaster",
)

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _moment(value: object, *, end_of_day: bool) -> object:
    """Read a bare date as the end (or start) of that day in UTC, and naive times as UTC."""
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time.max if end_of_day else time.min, tzinfo=UTC).replace(
            microsecond=0
        )
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class DepartedUser(_Strict):
    """A person who left: when, which log identities were theirs, and when they were disabled.

    ``name`` is printed only where the config itself is shown; evidence carries the keyed
    pseudonyms of ``accounts`` (default: the name), so they match the principals in the logs.
    A bare ``left`` date means the end of that day (UTC).
    """

    name: str = Field(min_length=1)
    left: datetime
    accounts: list[str] = Field(default_factory=list)
    disabled: datetime | None = None
    ref: str | None = None

    @field_validator("left", mode="before")
    @classmethod
    def _left(cls, value: object) -> object:
        return _moment(value, end_of_day=True)

    @field_validator("disabled", mode="before")
    @classmethod
    def _disabled(cls, value: object) -> object:
        return _moment(value, end_of_day=True)

    def identities(self) -> list[str]:
        """Return the log identities of this person (``accounts``, or the name itself)."""
        return list(self.accounts) or [self.name]


class Person(_Strict):
    """One person's accounts in every system, so their facts are judged per person.

    ``accounts`` are log identities (an IdP login or e-mail, a GitHub login, an SSH user, an
    AWS role-session name...); a name listed here belongs to this person in every system.
    ``name`` is for the reader of the config only: evidence carries keyed pseudonyms.
    """

    name: str | None = None
    accounts: list[str] = Field(min_length=1)

    @field_validator("accounts")
    @classmethod
    def _named(cls, value: list[str]) -> list[str]:
        if any(not account.strip() for account in value):
            raise ValueError("an account name is empty")
        return value


class PiiStore(_Strict):
    """A store holding buyer PII and the principals allowed to reach it."""

    name: str = Field(min_length=1)
    tables: list[str] = Field(default_factory=list)
    buckets: list[str] = Field(default_factory=list)
    paths: list[str] = Field(default_factory=list)
    principals: list[str] = Field(default_factory=list)
    purpose: str | None = None


class AccessPolicy(_Strict):
    """What every log source needs to know about the organisation to judge access."""

    departed_users: list[DepartedUser] = Field(default_factory=list)
    people: list[Person] = Field(default_factory=list)
    #: Applications reached through an identity provider that hold or lead to PII (names as the
    #: IdP logs them, ``*`` wildcards); unset: every sign-in path is judged for MFA.
    pii_apps: list[str] = Field(default_factory=list)
    allowed_networks: list[IpNetwork] = Field(default_factory=list)
    pii_stores: list[PiiStore] = Field(default_factory=list)
    generic_accounts: list[str] = Field(default_factory=lambda: list(DEFAULT_GENERIC_ACCOUNTS))
    service_accounts: list[str] = Field(default_factory=list)
    name_fields: list[str] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)
    max_gap_hours: float = Field(default=24.0, gt=0)
    operating_since: date | None = None

    @field_validator("allowed_networks", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        if not isinstance(value, list):
            return value
        parsed = []
        for entry in value:
            try:
                parsed.append(ipaddress.ip_network(str(entry), strict=False))
            except ValueError:
                raise ValueError(
                    f"{entry!r} is not a network in CIDR form (e.g. 198.51.100.0/24)"
                ) from None
        return parsed
