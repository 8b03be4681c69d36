"""What every use case shares: the period and as-of instant, the store, the catalogues, the redactor."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from evidence.config.schema import Config
from evidence.controls.catalogue import resolve_catalogue
from evidence.errors import ConfigError, StoreError
from evidence.model.catalogue import Catalogue
from evidence.model.period import Period, parse_as_of, parse_period
from evidence.model.run import RunInfo
from evidence.pipeline.crosswalks import split_refs
from evidence.redact import Redactor
from evidence.store import Store

#: The years a period or an as-of date may fall in.
_YEARS = (1970, 9000)


@dataclass
class Timing:
    """Which period a command works on and the instant every judgement is made at."""

    period: Period
    as_of: datetime


def resolve_timing(config: Config | None, period: str | None, as_of: str | None) -> Timing:
    """The period (``--period`` over the config's ``review_period``) and as-of (default: its end)."""
    if period is not None and not period.strip():
        raise ConfigError("--period is empty: give a quarter (2026-Q3), a month or a date range")
    if as_of is not None and not as_of.strip():
        raise ConfigError("--as-of is empty: give a date or a time")
    text = period or (config.review_period if config else None)
    if not text:
        raise ConfigError("no review period: set review_period in the config or pass --period")
    try:
        resolved = parse_period(text)
        moment = parse_as_of(as_of) if as_of else resolved.end_at
    except (ValueError, OverflowError) as exc:
        raise ConfigError(f"period {text!r}: {exc}" if not as_of else str(exc)) from None
    # Judgements look a year or more either side of the period (cadences, yearless syslog
    # dates); past these years the calendar arithmetic overflows, and no evidence is that old.
    for label, year in (("period", resolved.start.year), ("period", resolved.end.year), ("--as-of", moment.year)):
        if not _YEARS[0] <= year <= _YEARS[1]:
            raise ConfigError(f"{label} {text if label == 'period' else as_of!r}: year {year} is out of range "
                              f"({_YEARS[0]}-{_YEARS[1]})")
    return Timing(period=resolved, as_of=moment)


def open_store(config: Config, *, create: bool = True) -> Store:
    """The store the config names (its password, if any, from the environment or a file).

    Commands that only read (``create=False``) refuse a SQLite store that does not exist yet
    instead of creating an empty one (and its folder) where the config points.
    """
    url = config.store.url
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        relative = url.removeprefix("sqlite:///")
        url = "sqlite:///" + str(config.resolve(relative))
    password = config.store.password.resolve(config.base_dir) if config.store.password else None
    return Store(url, config.resolve(config.store.copies_dir), password=password, create=create)


def catalogues(config: Config, period: Period | None = None) -> list[Catalogue]:
    """The catalogues the config selects.

    A pinned ``id@version`` is used as given; a bare ``id`` gives the version in force at the end
    of ``period`` (the current version when no period is known).
    """
    refs, _ = split_refs(config.policy.catalogues)
    return [resolve_catalogue(ref, period.end if period else None) for ref in refs]


def redactor(config: Config) -> tuple[Redactor, str | None]:
    """The redactor keyed by the configured pseudonym key, or an ephemeral one (with a note)."""
    ref = config.secrets.pseudonym_key
    if ref is None:
        return Redactor.ephemeral(people(config), own_networks(config)), (
            "no secrets.pseudonym_key configured: pseudonyms are comparable within this run only"
        )
    return Redactor(pseudonym_key(config), people(config), own_networks(config)), None


def pseudonym_key(config: Config) -> bytes:
    """The configured pseudonym key (ConfigError when none is configured or it is too short)."""
    ref = config.secrets.pseudonym_key
    if ref is None:
        raise ConfigError("no secrets.pseudonym_key is configured")
    key = ref.resolve(config.base_dir).get_secret_value().encode()
    if len(key) < 16:
        raise ConfigError(f"secrets.pseudonym_key ({ref.describe()}) must be at least 16 bytes")
    return key


def own_networks(config: Config) -> list[str]:
    """The developer's own networks the config declares (allowed networks): never pseudonymised."""
    found = [str(n) for n in config.access.allowed_networks]
    for source in config.sources:
        listed = source.settings().get("allowed_networks", []) or []
        found.extend(str(n) for n in listed if isinstance(listed, list))
    return sorted(set(found))


def people(config: Config) -> list[str]:
    """People's names the config gives (leavers, wherever listed): redacted wherever they appear."""
    names = [user.name for user in config.access.departed_users]
    for source in config.sources:
        for user in source.settings().get("departed_users", []) or []:
            if isinstance(user, dict) and isinstance(user.get("name"), str):
                names.append(user["name"])
    return names


def config_digest(config: Config) -> str:
    """SHA-256 of the config file as read (it never holds secrets)."""
    try:
        return hashlib.sha256(config.path.read_bytes()).hexdigest()
    except OSError:
        return hashlib.sha256(config.model_dump_json().encode()).hexdigest()


def latest_run(store: Store, timing: Timing) -> RunInfo:
    """The newest run of the period; StoreError when there is none."""
    run = store.latest_run(timing.period.label)
    if run is None:
        raise StoreError(f"no run for period {timing.period.label} in the store; run `evidence collect` first")
    return run
