"""[postgres-settings] Reads a live PostgreSQL server's TLS, password, logging and pg_hba settings.

It connects with a read-only session (``default_transaction_read_only``, one read-only
transaction) and reads ``pg_settings``, ``pg_hba_file_rules``, the login roles without a
password (``pg_authid``) and the TLS state of its own connection. What a role may not read is
reported as not readable, naming the privilege that is missing, never guessed: reading
``pg_authid`` and ``pg_hba_file_rules`` needs a superuser (or, for the file locations of
settings, ``pg_read_all_settings``).

This collector may use SQLAlchemy: it probes the user's own database, not the evidence store.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import Field, field_validator
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from evidence.collectors.base import Collector, CollectorSettings
from evidence.collectors.host_config.pg_hba import rule_facts
from evidence.collectors.host_config.postgresql_conf import BOOLEANS, DEFAULTS, LOGGING
from evidence.collectors.host_config.reading import setting
from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem, ParseStats
from evidence.model.secrets import SecretRef

KINDS = ("database.settings", "logging.config")
HIDDEN = "not shown to this role (it needs pg_read_all_settings) or not in this server version"


class PostgresSettingsSettings(CollectorSettings):
    """Settings: a SQLAlchemy URL without a password, and where the password lives."""

    url: str
    password: SecretRef | None = None
    connect_timeout_seconds: int = Field(default=10, ge=1, le=120)

    @field_validator("url")
    @classmethod
    def _postgres_without_password(cls, value: str) -> str:
        try:
            parsed = make_url(value)
        except ArgumentError:
            raise ValueError(
                "not a database URL (expected postgresql+psycopg://user@host:port/db)"
            ) from None
        if not parsed.drivername.startswith("postgresql"):
            raise ValueError(
                "postgres-settings reads PostgreSQL servers only (postgresql+psycopg://...)"
            )
        if parsed.password is not None:
            raise ValueError(
                'the URL holds a password; remove it and set password = { env = "NAME" }'
            )
        return value


class PostgresSettingsCollector(Collector[PostgresSettingsSettings]):
    """Reads a live PostgreSQL server's security settings through a read-only session."""

    id = "postgres-settings"
    assurance = Assurance.OBSERVED
    description = (
        "Live PostgreSQL: ssl, minimum TLS version, password hashing, pg_hba rules, login roles"
    )
    produces = KINDS
    paths_setting = None

    def collect(self) -> Iterator[EvidenceItem]:
        """Yield ``database.settings`` and ``logging.config`` (both failed if unreadable)."""
        url = make_url(self.settings.url)
        target = _target(url)
        subject = f"postgresql://{target}"
        password = (
            self.settings.password.resolve(self.context.base_dir)
            if self.settings.password
            else None
        )
        connect_args: dict[str, Any] = {
            "connect_timeout": self.settings.connect_timeout_seconds,
            "options": "-c default_transaction_read_only=on",
        }
        if password is not None:
            connect_args["password"] = password.get_secret_value()
        engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
        try:
            with engine.connect() as connection:
                connection.execute(text("SET TRANSACTION READ ONLY"))
                facts, stats = self._read(connection, target)
                connection.rollback()
        except DBAPIError as exc:
            message = self._message(exc, target)
            for kind in KINDS:
                yield self.failed(kind, subject, message, location=subject)
            return
        finally:
            engine.dispose()
        at = self.context.collected_at
        yield self.item(
            "database.settings", subject, facts, stats=stats, location=subject, covers=(at, at)
        )
        logging = {
            "database_logging": [
                {
                    "server": "postgresql",
                    "target": target,
                    **{name: facts["settings"][name] for name in LOGGING},
                }
            ]
        }
        yield self.item(
            "logging.config",
            subject,
            logging,
            stats=stats.model_copy(deep=True),
            location=subject,
            covers=(at, at),
        )

    def _read(self, connection: Connection, target: str) -> tuple[dict[str, Any], ParseStats]:
        stats = ParseStats(scope=f"postgresql://{target}")
        superuser = connection.execute(
            text("SELECT current_setting('is_superuser') = 'on'")
        ).scalar_one()
        facts: dict[str, Any] = {
            "server": "postgresql",
            "origin": "live",
            "target": target,
            "server_version": connection.execute(text("SHOW server_version")).scalar_one(),
            "superuser": bool(superuser),
            "session_read_only": connection.execute(text("SHOW transaction_read_only")).scalar_one()
            == "on",
            "settings": self._settings(connection, stats),
            "connection": self._connection_tls(connection),
        }
        facts["hba_rules"], facts["hba_error"] = self._hba(connection, stats)
        facts["login_roles"] = connection.execute(
            text("SELECT count(*) FROM pg_roles WHERE rolcanlogin")
        ).scalar_one()
        facts["roles_without_password"], facts["roles_error"] = self._passwordless(connection)
        return facts, stats

    def _settings(self, connection: Connection, stats: ParseStats) -> dict[str, Any]:
        rows = connection.execute(
            text(
                "SELECT name, setting, source, sourcefile, sourceline FROM pg_settings "
                "WHERE name = ANY(:names) ORDER BY name"
            ),
            {"names": list(DEFAULTS)},
        ).mappings()
        found = {}
        for row in rows:
            value = row["setting"]
            location = f"{row['sourcefile']}:{row['sourceline']}" if row["sourcefile"] else None
            found[row["name"]] = setting(
                value, location, default=row["source"] == "default", source=row["source"]
            )
            stats.keep()
        for name in DEFAULTS:
            if name not in found:  # hidden from this role, or absent from this server version
                found[name] = setting(None, None, source=HIDDEN)
        for name in BOOLEANS:
            if found[name]["value"] is not None:
                found[name]["value"] = "on" if found[name]["value"] == "on" else "off"
        return dict(sorted(found.items()))

    def _connection_tls(self, connection: Connection) -> dict[str, Any]:
        row = (
            connection.execute(
                text("SELECT ssl, version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            )
            .mappings()
            .first()
        )
        if row is None:
            return {"ssl": None, "version": None, "cipher": None}
        return {"ssl": bool(row["ssl"]), "version": row["version"], "cipher": row["cipher"]}

    def _hba(
        self, connection: Connection, stats: ParseStats
    ) -> tuple[list[dict[str, Any]] | None, str | None]:
        try:
            with connection.begin_nested():
                rows = list(
                    connection.execute(
                        text("SELECT * FROM pg_hba_file_rules ORDER BY line_number")
                    ).mappings()
                )
        except DBAPIError as exc:
            if _permission_denied(exc):
                return None, (
                    "pg_hba_file_rules is not readable by this role: it needs a superuser "
                    "(or EXECUTE on pg_hba_file_rules()); pg_hba rules were not checked"
                )
            raise
        hba_file = self._hba_file(connection)
        rules = []
        for row in rows:
            file_name = row.get("file_name") or hba_file
            where = f"{file_name}:{row['line_number']}"
            if row["error"]:
                stats.reject(
                    where,
                    "the server reports an error in this rule (the file is not loaded as written)",
                )
                continue
            stats.keep()
            rules.append(
                rule_facts(
                    kind=row["type"],
                    databases=list(row["database"] or []),
                    users=list(row["user_name"] or []),
                    address=row["address"],
                    netmask=row["netmask"],
                    method=row["auth_method"],
                    location=where,
                    redactor=self.context.redactor,
                )
            )
        return rules, None

    def _hba_file(self, connection: Connection) -> str:
        """Where pg_hba.conf is (readable with pg_read_all_settings), else its usual name."""
        try:
            with connection.begin_nested():
                return str(connection.execute(text("SHOW hba_file")).scalar_one())
        except DBAPIError as exc:
            if _permission_denied(exc):
                return "pg_hba.conf"
            raise

    def _passwordless(self, connection: Connection) -> tuple[list[str] | None, str | None]:
        try:
            with connection.begin_nested():
                names = (
                    connection.execute(
                        text(
                            "SELECT rolname FROM pg_authid "
                            "WHERE rolcanlogin AND rolpassword IS NULL ORDER BY rolname"
                        )
                    )
                    .scalars()
                    .all()
                )
        except DBAPIError as exc:
            if _permission_denied(exc):
                return (
                    None,
                    "pg_authid is readable only by a superuser: "
                    "login roles without a password were not checked",
                )
            raise
        return sorted(self.context.redactor.principal(name) for name in names), None

    def _message(self, exc: DBAPIError, target: str) -> str:
        """Return the driver's first line, addresses scrubbed and the role name pseudonymised."""
        orig = exc.orig
        first = str(orig).strip().splitlines()[0] if orig is not None else type(exc).__name__
        user = make_url(self.settings.url).username
        if user:
            first = first.replace(f'"{user}"', self.context.redactor.principal(user))
        return f"cannot read PostgreSQL at {target}: {self.context.redactor.scrub(first)}"


def _permission_denied(exc: SQLAlchemyError) -> bool:
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return code == "42501"


def _target(url: Any) -> str:
    """``host:port/database`` (or ``socket:dir/database``) without user or password."""
    host = url.host
    if host is None:
        socket_dir = url.query.get("host")
        host = f"socket:{socket_dir}" if socket_dir else "localhost"
        return f"{host}/{url.database or ''}"
    return f"{host}:{url.port or 5432}/{url.database or ''}"
