"""Facts of ``access.activity``: who did what, when and from where, per log source.

Built by :class:`evidence.collectors.access_facts.AccessAggregator` for every access log
(CloudTrail, web access logs, auth.log, PostgreSQL, application audit logs and the identity
providers' logs), one item per log source. Names and addresses are keyed pseudonyms
(``Redactor.principal`` of the lower-cased log identity, ``Redactor.address``); account names
printed as such (``generic_accounts[].account``, ``service_accounts_interactive[].account``) are
the config's own (or the default generic list), never names read from logs.
"""

from __future__ import annotations

from pydantic import Field

from evidence.model.facts import Facts, Part

#: The log collectors whose sources yield ``access.activity`` items.
PRODUCERS = (
    "cloudtrail",
    "access-log",
    "auth-log",
    "postgres-log",
    "app-audit-log",
    "okta-log",
    "google-workspace-log",
    "entra-log",
    "github-audit-log",
)


class PrincipalActivity(Part):
    """One principal's activity in the period (successful actions, logins by MFA state)."""

    principal: str = Field(description="the account's pseudonym (`user:…`)")
    events: int = Field(description="successful actions in the period")
    logins: int = Field(description="successful logins in the period")
    logins_with_mfa: int = Field(description="successful logins with a second factor")
    logins_without_mfa: int = Field(description="successful logins without a second factor")
    logins_mfa_unknown: int = Field(description="successful logins whose second factor the log does not show")
    failed_logins: int = Field(description="failed logins in the period")
    interactive_logins: int = Field(description="successful interactive logins (console, SSH, application, IdP)")
    addresses: int = Field(description="distinct source addresses (counted up to 1,000)")
    first_seen: str | None = Field(description="first action or login in the period (ISO time)")
    last_seen: str | None = Field(description="last action or login in the period (ISO time)")
    last_active: str | None = Field(
        description="last successful action up to as-of, in or out of the period (to follow people across sources)"
    )
    generic: bool = Field(description="the account is in the generic-account list")
    service_account: bool = Field(description="the account is a declared service account")
    federated: bool = Field(description="reached through an identity provider (an AWS role session)")


class MethodLogins(Part):
    """Login counts of one login method."""

    succeeded: int = Field(description="successful logins")
    failed: int = Field(description="failed logins")
    with_mfa: int = Field(description="successful logins with a second factor")
    without_mfa: int = Field(description="successful logins without a second factor")
    mfa_unknown: int = Field(description="successful logins whose second factor the log does not show")
    principals_without_mfa: int = Field(description="distinct principals with a login without MFA")


class LoginWithoutMfa(Part):
    """A principal's successful logins without MFA by one method."""

    method: str = Field(description="the login method")
    principal: str = Field(description="the principal's pseudonym")
    logins: int = Field(description="logins without MFA")


class Logins(Part):
    """Logins of the period, in total and by method."""

    succeeded: int = Field(description="successful logins")
    failed: int = Field(description="failed logins")
    with_mfa: int = Field(description="successful logins with a second factor")
    without_mfa: int = Field(description="successful logins without a second factor")
    mfa_unknown: int = Field(description="successful logins whose second factor the log does not show")
    by_method: dict[str, MethodLogins] = Field(
        description=(
            "per login method: `console`, `ssh-publickey`, `ssh-password`, `ssh-keyboard-interactive`, "
            "`database`, `application`, `web-basic-auth`, `sudo`, `idp`, ..."
        )
    )
    without_mfa_by_principal: list[LoginWithoutMfa] = Field(
        description="who logged in without MFA, by method (the first 100)"
    )


class FailureRun(Part):
    """Consecutive failed logins of one principal (runs of 3 or more are listed)."""

    principal: str = Field(description="the principal's pseudonym")
    failures: int = Field(description="failed logins in a row")
    start: str | None = Field(description="first failure (ISO time)")
    end: str | None = Field(description="last failure (ISO time)")
    locked: bool = Field(description="the system logged a lockout that ended the run")
    succeeded_after: bool = Field(description="a successful login ended the run")


class RootUse(Part):
    """Actions of the cloud account's root user in the period (CloudTrail)."""

    events: int = Field(description="root actions in the period")
    logins: int = Field(description="root console logins")
    first: str | None = Field(description="first root action (ISO time)")
    last: str | None = Field(description="last root action (ISO time)")
    actions: dict[str, int] = Field(description="event name -> count (the 20 most frequent)")


class NamedAccount(Part):
    """A generic or service account from the config's lists that was in use."""

    account: str = Field(description="the account name as the config (or the default generic list) gives it")
    events: int = Field(description="successful actions in the period")
    logins: int = Field(description="successful logins in the period")
    interactive_logins: int = Field(description="successful interactive logins in the period")


class Departure(Part):
    """A departure declared in `[access].departed_users`, as this source saw it."""

    ref: str = Field(description="the departure's reference (`departure #n` when none is given)")
    principals: list[str] = Field(description="the pseudonyms of the person's log identities")
    left: str = Field(description="when they left (ISO time)")
    disabled_declared: str | None = Field(description="the disable time the config declares")
    disabled_logged: str | None = Field(
        description="the first disable this log shows (no earlier than 14 days before leaving)"
    )
    disabled_how: str | None = Field(description="how the logged disable was done")
    events_after_leaving: int = Field(description="actions after leaving, up to as-of")
    first_activity_after_leaving: str | None = Field(description="first action after leaving")
    last_activity_after_leaving: str | None = Field(description="last action after leaving")
    hours_active_after_leaving: float | None = Field(description="hours from leaving to the last action")


class OutsideAccess(Part):
    """Logins or PII-store accesses of one principal from one address outside the allowed networks."""

    principal: str = Field(description="the principal's pseudonym, `(not logged)` or `(other)`")
    address: str = Field(description="the address's pseudonym (`ip:…`) or `(other)`")
    count: int = Field(description="how many")


class Network(Part):
    """Logins and PII-store accesses with a source address, against `[access].allowed_networks`."""

    allowed_networks: list[str] = Field(description="the allowed networks (CIDR); empty: none declared")
    checked: int = Field(description="logins and PII-store accesses whose address was checked")
    outside_logins: int = Field(description="successful logins from outside the allowed networks")
    outside_store_access: int = Field(description="PII-store accesses from outside the allowed networks")
    outside_principals: int = Field(description="distinct principals acting from outside")
    outside_addresses: int = Field(description="distinct addresses outside")
    outside_login_list: list[OutsideAccess] = Field(description="the largest outside-login counts (100)")
    outside_store_access_list: list[OutsideAccess] = Field(
        description="the largest outside PII-store access counts (100)"
    )


class PiiStoreDeclared(Part):
    """A PII store declared in `[access].pii_stores`."""

    store: str = Field(description="the store's name")
    purpose: str | None = Field(description="the store's purpose (`legal-archive`...), if declared")
    allowed_principals: list[str] = Field(description="pseudonyms of the principals allowed to reach it")


class StoreAccess(Part):
    """Accesses of one principal to one PII store in the period."""

    store: str = Field(description="the store's name")
    principal: str = Field(description="the principal's pseudonym")
    count: int = Field(description="accesses")


class OtherPrincipal(Part):
    """A principal seen only outside the period (before it, or after it up to as-of)."""

    principal: str = Field(description="the principal's pseudonym")
    last_active: str | None = Field(description="its last successful action up to as-of")
    federated: bool = Field(description="reached through an identity provider")


class Disable(Part):
    """An account disabled or removed, up to as-of (any time, for the offboarding check)."""

    principal: str = Field(description="the account's pseudonym")
    at: str | None = Field(description="when (ISO time)")
    how: str = Field(
        description=(
            "how: IAM DeleteLoginProfile/DeactivateMFADevice/UpdateAccessKey Inactive/DeleteAccessKey/"
            "DeleteUser, `usermod -L`/`-e`, `userdel`, application disable actions, IdP deactivations, "
            "GitHub removals"
        )
    )


class Link(Part):
    """Accounts known to be one person's."""

    accounts: list[str] = Field(description="the accounts' pseudonyms")
    via: str = Field(description="how it is known: `config` (`[[access.people]]`), `sso-subject`, `email`, ...")


class PrincipalLogins(Part):
    """A principal's successful logins without MFA on one path."""

    principal: str = Field(description="the principal's pseudonym")
    logins: int = Field(description="logins without MFA")


class AccessPath(Part):
    """Successful sign-ins on one access path.

    A login's path is its method unless the log says where it led: an IdP session's applications
    (`(sign-in only)` when it reached none), `(through the identity provider)` for a federated AWS
    console login.
    """

    method: str = Field(description="the login method (`idp`, `console`, `ssh-publickey`, ...)")
    path: str = Field(description="where the sign-in led")
    logins: int = Field(description="successful sign-ins")
    with_mfa: int = Field(description="with a second factor")
    without_mfa: int = Field(description="without a second factor")
    mfa_unknown: int = Field(description="second factor not shown by the log")
    principals: int = Field(description="distinct principals")
    principals_without_mfa: int = Field(description="distinct principals with a sign-in without MFA")
    without_mfa_by_principal: list[PrincipalLogins] = Field(
        description="who signed in without MFA, most first (the first 100)"
    )


class AdminGrant(Part):
    """An administrator role granted at the identity provider."""

    at: str | None = Field(description="when (ISO time)")
    actor: str | None = Field(description="who granted it (pseudonym)")
    principal: str | None = Field(description="who received it (pseudonym)")
    role: str = Field(description="the role (scrubbed, shortened)")


class CredentialCreated(Part):
    """A credential (API token, key, app password) created at the identity provider."""

    at: str | None = Field(description="when (ISO time)")
    actor: str | None = Field(description="who created it (pseudonym)")
    what: str = Field(description="what was created (scrubbed, shortened)")


class PolicyChange(Part):
    """A sign-on or security policy change at the identity provider."""

    at: str | None = Field(description="when (ISO time)")
    actor: str | None = Field(description="who changed it (pseudonym)")
    what: str = Field(description="what changed (scrubbed, shortened)")
    mfa: bool = Field(description="the change concerns MFA")


class MfaRemoved(Part):
    """A second factor removed or reset."""

    at: str | None = Field(description="when (ISO time)")
    actor: str | None = Field(description="who removed it (pseudonym)")
    principal: str | None = Field(description="whose factor (pseudonym)")
    what: str = Field(description="what was removed (scrubbed, shortened)")


class IdentityEvents(Part):
    """What an identity provider's log adds: factors, admin grants, credentials, policy changes.

    Present only on items of okta-log, google-workspace-log, entra-log and github-audit-log.
    Policy changes and factors removed support the MFA check; they never decide it.
    """

    provider: str = Field(description="the collector id of the provider's log")
    sign_ins_by_factor: dict[str, int] = Field(description="successful sign-ins per factor (`password only`...)")
    mfa_failures: int = Field(description="failed second-factor attempts")
    suspicious_sign_ins: int = Field(description="sign-ins the provider flagged as suspicious")
    accounts_created: int = Field(description="accounts created in the period")
    account_lifecycle: dict[str, int] = Field(description="lifecycle events by type (`deactivate`...)")
    admin_grants_total: int = Field(description="administrator roles granted")
    admin_grants: list[AdminGrant] = Field(description="the grants (the first 100)")
    credentials_created_total: int = Field(description="credentials created")
    credentials_created: list[CredentialCreated] = Field(description="the credentials (the first 100)")
    policy_changes_total: int = Field(description="policy changes")
    mfa_policy_changes: int = Field(description="policy changes concerning MFA")
    policy_changes: list[PolicyChange] = Field(description="the changes (the first 100)")
    mfa_removed_total: int = Field(description="second factors removed or reset")
    mfa_removed: list[MfaRemoved] = Field(description="the removals (the first 100)")


class AccessActivity(Facts):
    """Per log source: principals, logins and MFA per access path, failures, root use, departures, PII-store access.

    The facts also list generic and service accounts in use, every disable, accounts linked to
    one person and access from outside the allowed networks. One item per log source. Only events
    inside the review period (up to as-of) count, except departed users' activity, disable events
    and each account's last action, which count up to as-of whatever the period (offboarding
    judges leavers the collectors do not know about). Names and addresses are keyed pseudonyms;
    account names printed as such (`generic_accounts[].account`,
    `service_accounts_interactive[].account`) are the config's own (or the default generic list),
    never names read from logs. Identity providers add `identity`. Other issues rely on
    `pii_store_access` and on every principal being `Redactor.principal(name)` of the lower-cased
    log identity.
    """

    kind = "access.activity"
    produced_by = PRODUCERS

    source_type: str = Field(description="the kind of log: " + ", ".join(f"`{p}`" for p in PRODUCERS))
    channel: str = Field(
        description="the `[access].channels` vocabulary: cloud, web, host, database, application, identity, ..."
    )
    window_start: str | None = Field(description="start of the window counted (the period's start)")
    window_end: str | None = Field(description="end of the window counted (the period's end or as-of)")
    events_in_period: int = Field(description="events of the source inside the period")
    newest_event: str | None = Field(description="the source's last event up to as-of")
    files: int = Field(description="input files found")
    files_read: int = Field(description="input files read")
    files_rejected: int = Field(description="input files that could not be read")
    principal_count: int = Field(description="principals active in the period")
    principals: list[PrincipalActivity] = Field(description="every principal active in the period")
    logins: Logins = Field(description="logins in total and by method")
    failure_runs: list[FailureRun] = Field(
        description="runs of 3 or more consecutive failed logins, longest first (the first 100)"
    )
    invalid_user_failures: int = Field(description="failed logins for accounts that do not exist")
    lockouts: int = Field(description="lockouts the system logged in the period")
    root_use: RootUse = Field(description="the cloud account's root user (CloudTrail)")
    generic_accounts: list[NamedAccount] = Field(
        description="generic, shared or default accounts (`[access].generic_accounts`) that acted"
    )
    service_accounts_interactive: list[NamedAccount] = Field(
        description="declared service accounts that logged in interactively"
    )
    departed_users: list[Departure] = Field(description="each departure of `[access].departed_users`")
    network: Network = Field(description="access from outside the allowed networks")
    pii_stores: list[PiiStoreDeclared] = Field(description="the PII stores of `[access].pii_stores`")
    pii_store_access: list[StoreAccess] = Field(description="who accessed which PII store, how often")
    pii_store_unattributed: dict[str, int] = Field(
        description="store -> accesses without a logged user (web requests to a PII API path without a user)"
    )
    other_principals: list[OtherPrincipal] = Field(description="principals seen only outside the period")
    disables: list[Disable] = Field(description="every disable up to as-of, by time (the first 1,000)")
    disables_total: int = Field(description="disables up to as-of")
    links: list[Link] = Field(description="groups of accounts that are one person's")
    access_paths: list[AccessPath] = Field(description="successful sign-ins per access path")
    pii_apps: list[str] = Field(description="`[access].pii_apps`, for the MFA check")
    identity: IdentityEvents | None = Field(
        default=None, description="identity providers only (okta, Google Workspace, Entra ID, GitHub)"
    )

