"""Checks decided by PostgreSQL settings (``database.settings``, ``logging.config``), live or files.

Each names the setting, file and line (or the server's own report of where it was set) that
decided it. A setting that was never set is judged at PostgreSQL's default and says so. Each
check decides the element of its control that concerns databases (connections encrypted,
log-ins need a password, connections logged); the other channels are other elements.
"""

from __future__ import annotations

from typing import Any

from evidence.controls.checks import check
from evidence.controls.checks.transport_policy import TlsParams, minimum_tls
from evidence.controls.context import CheckContext, NoParams
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.database import DatabaseSettings, HbaRule, PgSetting
from evidence.model.facts.logging_config import LoggingConfig
from evidence.model.protocols import canonical, older_than
from evidence.model.results import CheckOutcome


def _shown(name: str, entry: PgSetting, item: EvidenceItem, target: str | None) -> str:
    """``ssl = off`` with where it was set, or that it was not set and what the default is.

    ``target`` is the server or file the setting belongs to.
    """
    value = entry.value
    if entry.location:
        return f"`{name} = {value}` ({entry.location}, {item.id})"
    if entry.default:
        hint = f", commented out at {entry.commented_at}" if entry.commented_at else ""
        return f"`{name}` not set in {target} (PostgreSQL default `{value}`{hint}; {item.id})"
    source = f", source: {entry.source}" if entry.source else ""
    return f"`{name} = {value}` on {target} ({item.id}{source})"


def _rule(rule: HbaRule, item: EvidenceItem) -> str:
    address = f" {rule.address}" if rule.address else ""
    return f"{rule.location} ({item.id}): `{rule.type} {rule.database} {rule.user}{address} {rule.method}`"


#: Why a database check could not judge anything.
NONE_COLLECTED = "no database settings were collected (postgres-settings or host-config)"


@check("db_transport_settings", reads=(DatabaseSettings.kind,), params=TlsParams)
def db_transport_settings(ctx: CheckContext) -> CheckOutcome:
    """Databases refuse unencrypted network connections and TLS older than the minimum.

    Not met on ``ssl = off``, ``ssl_min_protocol_version`` below ``min_tls_version``, or a
    pg_hba rule admitting network clients without TLS; insufficient when pg_hba was not readable.
    """
    minimum = minimum_tls(ctx)
    found = ctx.facts(DatabaseSettings)
    if not found:
        return ctx.insufficient(NONE_COLLECTED)
    items = [item for item, _ in found]
    failing: list[str] = []
    unknown: list[str] = []
    sound: list[str] = []
    plain_rules = 0
    for item, facts in found:
        settings = facts.settings or {}
        if "ssl" in settings:
            _ssl(item, facts, settings, minimum, failing, unknown, sound)
        rules = facts.hba_rules
        if rules is None:
            if facts.hba_error:
                unknown.append(f"{facts.target} ({item.id}): {facts.hba_error}")
            continue
        plain = [r for r in rules if r.from_network and not r.encrypted and r.method != "reject"]
        plain_rules += len(plain)
        for rule in plain:
            failing.append(
                f"{_rule(rule, item)} admits {rule.scope} network clients without TLS "
                f"(use hostssl, or hostnossl ... reject)"
            )
        if not plain:
            network = sum(1 for r in rules if r.from_network and r.method != "reject")
            sound.append(f"{facts.target} ({item.id}): all {network} network rule(s) require TLS")
    figures: dict[str, Any] = {
        "database_configurations": len(items),
        "hba_rules_without_tls": plain_rules,
    }
    if failing:
        return ctx.not_met(*failing, *unknown, evidence=items, **figures)
    if not any(facts.hba_rules is not None for _, facts in found):
        unknown.append(
            "no pg_hba rules were read, "
            "so rules admitting unencrypted connections would not be seen"
        )
    if unknown:
        return ctx.insufficient(*unknown, *sound, evidence=items, **figures)
    return ctx.met(*sound, evidence=items, **figures)


def _ssl(
    item: EvidenceItem,
    facts: DatabaseSettings,
    settings: dict[str, PgSetting],
    minimum: str,
    failing: list[str],
    unknown: list[str],
    sound: list[str],
) -> None:
    ssl = settings["ssl"]
    target = facts.target
    if ssl.value is None:
        unknown.append(f"{target} ({item.id}): the ssl setting could not be read")
        return
    if ssl.value != "on":
        failing.append(f"{_shown('ssl', ssl, item, target)}: the server accepts no TLS connection at all")
        return
    floor = settings.get("ssl_min_protocol_version") or PgSetting()
    if not floor.value:
        unknown.append(
            f"{target} ({item.id}): ssl is on but "
            "ssl_min_protocol_version could not "
            f"be read ({floor.source or 'not collected'})"
        )
        return
    version = canonical(floor.value)
    if version is None or older_than([version], minimum):
        failing.append(
            f"{_shown('ssl_min_protocol_version', floor, item, target)}: allows TLS older than {minimum}"
        )
        return
    sound.append(
        f"{_shown('ssl', ssl, item, target)} with {_shown('ssl_min_protocol_version', floor, item, target)}"
    )


@check("db_authentication_settings", reads=(DatabaseSettings.kind,), params=NoParams)
def db_authentication_settings(ctx: CheckContext) -> CheckOutcome:
    """Every network log-in to the database needs a password, sent over TLS and stored as SCRAM.

    Not met on a ``trust`` rule for network clients, ``password`` over unencrypted connections,
    or ``password_encryption = md5``; login roles without a password are noted.
    """
    found = ctx.facts(DatabaseSettings)
    if not found:
        return ctx.insufficient(NONE_COLLECTED)
    items = [item for item, _ in found]
    failing: list[str] = []
    notes: list[str] = []
    trust_rules = 0
    for item, facts in found:
        target = facts.target
        for rule in facts.hba_rules or []:
            if not rule.from_network:
                continue
            if rule.method == "trust":
                trust_rules += 1
                failing.append(f"{_rule(rule, item)} lets {rule.scope} network clients in with no password")
            elif rule.method == "password" and not rule.encrypted:
                failing.append(
                    f"{_rule(rule, item)} sends passwords in clear text "
                    "over unencrypted connections"
                )
        hashing = (facts.settings or {}).get("password_encryption")
        if hashing and hashing.value == "md5":
            failing.append(
                f"{_shown('password_encryption', hashing, item, target)}: "
                "new passwords are stored as MD5 hashes"
            )
        elif hashing:
            notes.append(_shown("password_encryption", hashing, item, target))
        roles = facts.roles_without_password
        if roles:
            notes.append(
                f"{target} ({item.id}): "
                f"{len(roles)} login role(s) have no password "
                f"(they can log in only through trust, peer, ident or certificate rules)"
            )
        elif facts.roles_error:
            notes.append(f"{target} ({item.id}): {facts.roles_error}")
    figures: dict[str, Any] = {"trust_rules_from_network": trust_rules}
    if failing:
        return ctx.not_met(*failing, *notes, evidence=items, **figures)
    return ctx.met(
        "every network log-in rule asks for a password sent over an encrypted connection",
        *notes,
        evidence=items,
        **figures,
    )


@check("db_connection_logging", reads=(LoggingConfig.kind,), params=NoParams)
def db_connection_logging(ctx: CheckContext) -> CheckOutcome:
    """Databases log every connection and disconnection (log_connections, log_disconnections).

    Not met when ``log_connections`` or ``log_disconnections`` is off (one channel of several).
    """
    found = [(item, facts) for item, facts in ctx.facts(LoggingConfig) if facts.database_logging]
    items = [item for item, _ in found]
    if not items:
        return ctx.insufficient(
            "no database logging settings were collected (postgres-settings or host-config)"
        )
    failing: list[str] = []
    sound: list[str] = []
    for item, facts in found:
        for entry in facts.database_logging or []:
            for name, setting, events in (
                ("log_connections", entry.log_connections, "log-ins"),
                ("log_disconnections", entry.log_disconnections, "session ends"),
            ):
                value = setting or PgSetting()
                shown = _shown(name, value, item, None)
                if value.value == "on":
                    sound.append(shown)
                else:
                    failing.append(f"{shown}: database {events} are not logged")
    figures: dict[str, Any] = {"database_logging_settings_off": len(failing)}
    if failing:
        return ctx.not_met(*failing, evidence=items, **figures)
    return ctx.met(*sound, evidence=items, **figures)
