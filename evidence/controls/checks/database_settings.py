"""Checks decided by PostgreSQL settings (``database.settings``, ``logging.config``), live or files.

Each names the setting, file and line (or the server's own report of where it was set) that
decided it. A setting that was never set is judged at PostgreSQL's default and says so. Each
check decides the element of its control that concerns databases (connections encrypted,
log-ins need a password, connections logged); the other channels are other elements.
"""

from __future__ import annotations

from typing import Any

from evidence.controls.checks import check
from evidence.controls.checks.transport_policy import minimum_tls
from evidence.controls.context import CheckContext
from evidence.model.evidence import EvidenceItem
from evidence.model.protocols import canonical, older_than
from evidence.model.results import CheckOutcome


def _shown(name: str, entry: dict[str, Any], item: EvidenceItem) -> str:
    """``ssl = off`` with where it was set, or that it was not set and what the default is."""
    value = entry.get("value")
    if entry.get("location"):
        return f"`{name} = {value}` ({entry['location']}, {item.id})"
    if entry.get("default"):
        hint = f", commented out at {entry['commented_at']}" if entry.get("commented_at") else ""
        target = item.facts.get("target")
        return f"`{name}` not set in {target} (PostgreSQL default `{value}`{hint}; {item.id})"
    source = f", source: {entry['source']}" if entry.get("source") else ""
    return f"`{name} = {value}` on {item.facts.get('target')} ({item.id}{source})"


def _rule(rule: dict[str, Any], item: EvidenceItem) -> str:
    address = f" {rule['address']}" if rule.get("address") else ""
    return (
        f"{rule.get('location')} ({item.id}): "
        f"`{rule['type']} {rule['database']} {rule['user']}{address} "
        f"{rule['method']}`"
    )


@check("db_transport_settings", reads=("database.settings",))
def db_transport_settings(ctx: CheckContext) -> CheckOutcome:
    """Databases refuse unencrypted network connections and TLS older than the minimum."""
    minimum = minimum_tls(ctx)
    items = ctx.items("database.settings")
    if not items:
        return ctx.insufficient(
            "no database settings were collected (postgres-settings or host-config)"
        )
    failing: list[str] = []
    unknown: list[str] = []
    sound: list[str] = []
    plain_rules = 0
    for item in items:
        settings = item.facts.get("settings") or {}
        if "ssl" in settings:
            _ssl(item, settings, minimum, failing, unknown, sound)
        rules = item.facts.get("hba_rules")
        if rules is None:
            if item.facts.get("hba_error"):
                unknown.append(f"{item.facts.get('target')} ({item.id}): {item.facts['hba_error']}")
            continue
        plain = [
            r for r in rules if r["from_network"] and not r["encrypted"] and r["method"] != "reject"
        ]
        plain_rules += len(plain)
        for rule in plain:
            failing.append(
                f"{_rule(rule, item)} admits {rule['scope']} network clients without TLS "
                f"(use hostssl, or hostnossl ... reject)"
            )
        if not plain:
            network = sum(1 for r in rules if r["from_network"] and r["method"] != "reject")
            sound.append(
                f"{item.facts.get('target')} ({item.id}): all {network} network rule(s) require TLS"
            )
    figures: dict[str, Any] = {
        "database_configurations": len(items),
        "hba_rules_without_tls": plain_rules,
    }
    if failing:
        return ctx.not_met(*failing, *unknown, evidence=items, **figures)
    if not any(item.facts.get("hba_rules") is not None for item in items):
        unknown.append(
            "no pg_hba rules were read, "
            "so rules admitting unencrypted connections would not be seen"
        )
    if unknown:
        return ctx.insufficient(*unknown, *sound, evidence=items, **figures)
    return ctx.met(*sound, evidence=items, **figures)


def _ssl(
    item: EvidenceItem,
    settings: dict[str, Any],
    minimum: str,
    failing: list[str],
    unknown: list[str],
    sound: list[str],
) -> None:
    ssl = settings["ssl"]
    if ssl.get("value") is None:
        unknown.append(f"{item.facts.get('target')} ({item.id}): the ssl setting could not be read")
        return
    if ssl.get("value") != "on":
        failing.append(f"{_shown('ssl', ssl, item)}: the server accepts no TLS connection at all")
        return
    floor = settings.get("ssl_min_protocol_version") or {}
    if not floor.get("value"):
        unknown.append(
            f"{item.facts.get('target')} ({item.id}): ssl is on but "
            "ssl_min_protocol_version could not "
            f"be read ({floor.get('source') or 'not collected'})"
        )
        return
    version = canonical(str(floor["value"]))
    if version is None or older_than([version], minimum):
        failing.append(
            f"{_shown('ssl_min_protocol_version', floor, item)}: allows TLS older than {minimum}"
        )
        return
    sound.append(
        f"{_shown('ssl', ssl, item)} with {_shown('ssl_min_protocol_version', floor, item)}"
    )


@check("db_authentication_settings", reads=("database.settings",))
def db_authentication_settings(ctx: CheckContext) -> CheckOutcome:
    """Every network log-in to the database needs a password, sent over TLS and stored as SCRAM."""
    items = ctx.items("database.settings")
    if not items:
        return ctx.insufficient(
            "no database settings were collected (postgres-settings or host-config)"
        )
    failing: list[str] = []
    notes: list[str] = []
    trust_rules = 0
    for item in items:
        for rule in item.facts.get("hba_rules") or []:
            if not rule["from_network"]:
                continue
            if rule["method"] == "trust":
                trust_rules += 1
                failing.append(
                    f"{_rule(rule, item)} lets {rule['scope']} network clients in with no password"
                )
            elif rule["method"] == "password" and not rule["encrypted"]:
                failing.append(
                    f"{_rule(rule, item)} sends passwords in clear text "
                    "over unencrypted connections"
                )
        hashing = (item.facts.get("settings") or {}).get("password_encryption")
        if hashing and hashing.get("value") == "md5":
            failing.append(
                f"{_shown('password_encryption', hashing, item)}: "
                "new passwords are stored as MD5 hashes"
            )
        elif hashing:
            notes.append(_shown("password_encryption", hashing, item))
        roles = item.facts.get("roles_without_password")
        if roles:
            notes.append(
                f"{item.facts.get('target')} ({item.id}): "
                f"{len(roles)} login role(s) have no password "
                f"(they can log in only through trust, peer, ident or certificate rules)"
            )
        elif item.facts.get("roles_error"):
            notes.append(f"{item.facts.get('target')} ({item.id}): {item.facts['roles_error']}")
    figures: dict[str, Any] = {"trust_rules_from_network": trust_rules}
    if failing:
        return ctx.not_met(*failing, *notes, evidence=items, **figures)
    return ctx.met(
        "every network log-in rule asks for a password sent over an encrypted connection",
        *notes,
        evidence=items,
        **figures,
    )


@check("db_connection_logging", reads=("logging.config",))
def db_connection_logging(ctx: CheckContext) -> CheckOutcome:
    """Databases log every connection and disconnection (log_connections, log_disconnections)."""
    items = [item for item in ctx.items("logging.config") if item.facts.get("database_logging")]
    if not items:
        return ctx.insufficient(
            "no database logging settings were collected (postgres-settings or host-config)"
        )
    failing: list[str] = []
    sound: list[str] = []
    for item in items:
        for entry in item.facts["database_logging"]:
            for name, events in (
                ("log_connections", "log-ins"),
                ("log_disconnections", "session ends"),
            ):
                value = entry.get(name) or {}
                shown = _shown(name, value, item)
                if value.get("value") == "on":
                    sound.append(shown)
                else:
                    failing.append(f"{shown}: database {events} are not logged")
    figures: dict[str, Any] = {"database_logging_settings_off": len(failing)}
    if failing:
        return ctx.not_met(*failing, evidence=items, **figures)
    return ctx.met(*sound, evidence=items, **figures)
