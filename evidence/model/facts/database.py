"""Facts of ``database.settings``: PostgreSQL settings and pg_hba rules, live or from the files."""

from __future__ import annotations

from pydantic import Field, JsonValue

from evidence.model.facts import Facts, Part


class PgSetting(Part):
    """One PostgreSQL setting: its value and where it was set (file:line), or that it is the default."""

    value: str | None = Field(None, description="the value (None: could not be read)")
    location: str | None = Field(None, description="file:line that set it")
    default: bool | None = Field(None, description="True when not set, so PostgreSQL's default applies")
    commented_at: str | None = Field(None, description="where a commented-out line names it")
    source: str | None = Field(None, description="the server's own report of where it was set (live)")


class HbaRule(Part):
    """One pg_hba.conf rule, classified."""

    location: str = Field(description="file:line (or the server's pg_hba_file_rules line)")
    type: str = Field(description="local, host, hostssl, hostnossl...")
    database: str
    user: str = Field(description="the user column (role names pseudonymised)")
    address: str | None = None
    scope: str = Field(description="who the address admits (any, private, loopback...)")
    method: str = Field(description="trust, password, md5, scram-sha-256, reject...")
    from_network: bool = Field(description="whether it admits network clients (not the local socket)")
    encrypted: bool = Field(description="whether it admits only TLS connections (hostssl)")


class DatabaseSettings(Facts):
    """`ssl`, `ssl_min_protocol_version`, `password_encryption`, `log_connections`, pg_hba rules classified.

    From postgres-settings (``origin`` live: the server's own view, with ``hba_error``,
    ``roles_without_password`` (pseudonyms) or ``roles_error``, ``connection``, ``superuser``) or
    host-config (``origin`` file: postgresql.conf settings, or pg_hba.conf rules, with file and line).
    A setting never set is recorded at PostgreSQL's default, marked ``default``.
    """

    kind = "database.settings"
    produced_by = ("postgres-settings", "host-config")

    server: str = Field(description="postgresql")
    origin: str | None = Field(None, description="live or file")
    target: str = Field(description="the server or file read")
    files: list[str] | None = None
    settings: dict[str, PgSetting] | None = Field(None, description="settings by name")
    hba_rules: list[HbaRule] | None = Field(None, description="None when pg_hba was not read")
    hba_error: str | None = Field(None, description="why pg_hba could not be read (live)")
    roles_without_password: list[str] | None = Field(None, description="login roles without a password (pseudonyms)")
    roles_error: str | None = None
    login_roles: int | None = None
    connection: JsonValue = Field(None, description="live: the connection's TLS (ssl, version, cipher)")
    superuser: bool | None = None
    server_version: str | None = None
    session_read_only: bool | None = None
