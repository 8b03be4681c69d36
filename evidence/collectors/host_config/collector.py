"""[host-config] Reads server configuration files: sshd, nginx, Apache and PostgreSQL.

Each main file becomes one evidence item (its includes are read through it and hashed with
it): sshd settings as ``host.config``, web-server TLS settings and plain-HTTP servers as
``transport.config``, PostgreSQL settings and pg_hba rules as ``database.settings`` (and the
connection-logging settings as ``logging.config``). What kind of file a path is comes from
the key it is listed under, or for ``paths`` from its name and then its content.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import model_validator

from evidence.collectors.base import Collector, CollectorSettings
from evidence.collectors.host_config import apache, nginx, pg_hba, postgresql_conf, sshd
from evidence.collectors.host_config.reading import ConfigReading
from evidence.collectors.inputs import expand_paths
from evidence.errors import InputError
from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem

Parser = Callable[[ConfigReading], dict[str, Any]]

#: Each file type: its parser and the evidence kind its facts are.
FILE_TYPES: dict[str, tuple[Parser, str]] = {
    "sshd": (sshd.parse, "host.config"),
    "nginx": (nginx.parse, "transport.config"),
    "apache": (apache.parse, "transport.config"),
    "postgresql": (postgresql_conf.parse, "database.settings"),
    "pg_hba": (pg_hba.parse, "database.settings"),
}
_SNIFF_BYTES = 65536


class HostConfigSettings(CollectorSettings):
    """Settings: files by type (or ``paths``, typed by name and content), and an optional root."""

    paths: list[Path] = []
    sshd: list[Path] = []
    nginx: list[Path] = []
    apache: list[Path] = []
    postgresql: list[Path] = []
    pg_hba: list[Path] = []
    #: Folder that stands for ``/`` when an include names an absolute path (a copied /etc tree).
    include_root: Path | None = None

    @model_validator(mode="after")
    def _some_file(self) -> HostConfigSettings:
        if not any(getattr(self, key) for key in ("paths", *FILE_TYPES)):
            raise ValueError(
                "name at least one file: paths, sshd, nginx, apache, postgresql or pg_hba"
            )
        return self


class HostConfigCollector(Collector[HostConfigSettings]):
    """Parses host configuration files into transport, host, database and logging settings."""

    id = "host-config"
    assurance = Assurance.EXPORTED
    description = (
        "sshd, nginx, Apache, postgresql.conf and pg_hba.conf settings, with file and line"
    )
    produces = ("host.config", "transport.config", "database.settings", "logging.config")
    paths_setting = "paths"

    def collect(self) -> Iterator[EvidenceItem]:
        """Yield one item per main file (two for postgresql.conf); a bad file fails only itself."""
        for file_type, path, problem in self._files():
            kinds = [FILE_TYPES[file_type][1]] if file_type else list(self.produces)
            if file_type == "postgresql":
                kinds.append("logging.config")
            try:
                if problem is not None:
                    raise problem
                assert file_type is not None
                yield from self._one(file_type, path)
            except InputError as exc:
                subject = f"{file_type or 'unknown'}:{self._reading(path).shown(path)}"
                for kind in kinds:
                    yield self.failed(kind, subject, str(exc), location=str(path))

    def _files(self) -> list[tuple[str | None, Path, InputError | None]]:
        """List ``(type, path, problem)`` for each file named; an unusable one carries its error."""
        settings = self.settings
        files: list[tuple[str | None, Path, InputError | None]] = []
        for file_type in FILE_TYPES:
            for path in getattr(settings, file_type):
                files.append((file_type, self.context.resolve(path), None))
        for named in settings.paths:
            resolved = self.context.resolve(named)
            try:
                expanded = expand_paths([resolved])
            except InputError as exc:
                files.append((None, resolved, exc))
                continue
            for path in expanded:
                detected = detect(path)
                problem = (
                    None
                    if detected
                    else InputError(
                        path,
                        "cannot tell what kind of configuration this is; "
                        "list it under sshd, nginx, "
                        "apache, postgresql or pg_hba instead of paths",
                    )
                )
                files.append((detected, path, problem))
        return files

    def _reading(self, path: Path) -> ConfigReading:
        root = (
            self.context.resolve(self.settings.include_root) if self.settings.include_root else None
        )
        return ConfigReading(
            path, self.context.redactor, include_root=root, display_base=self.context.base_dir
        )

    def _one(self, file_type: str, path: Path) -> Iterator[EvidenceItem]:
        parser, kind = FILE_TYPES[file_type]
        reading = self._reading(path)
        before = self.redaction_counts()
        facts = parser(reading)
        subject = f"{file_type}:{reading.shown(path)}"
        redactions = self.redaction_counts(before)
        yield self.item(
            kind,
            subject,
            facts,
            stats=reading.stats,
            raw_inputs=reading.raw_inputs,
            redactions=redactions,
        )
        if file_type == "postgresql":
            settings = facts["settings"]
            logging = {
                "database_logging": [
                    {
                        "server": "postgresql",
                        "target": facts["target"],
                        **{name: settings[name] for name in postgresql_conf.LOGGING},
                    }
                ]
            }
            yield self.item(
                "logging.config",
                subject,
                logging,
                stats=reading.stats.model_copy(deep=True),
                raw_inputs=[r.model_copy() for r in reading.raw_inputs],
            )


def detect(path: Path) -> str | None:
    """Tell the file type of ``path`` from its name, else its content; None when neither tells."""
    name = path.name.lower()
    full = str(path).lower()
    if "sshd_config" in name:
        return "sshd"
    if "pg_hba" in name:
        return "pg_hba"
    if "postgresql" in name and ".conf" in name:
        return "postgresql"
    if "nginx" in full or "h5bp" in name:
        return "nginx"
    if any(word in full for word in ("apache", "httpd")):
        return "apache"
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None
    return _sniff(head)


def _sniff(text: str) -> str | None:
    lines = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    words = {line.split()[0].lower() for line in lines if line.split()}
    if words & {"<virtualhost", "sslprotocol", "sslengine", "servername", "documentroot"}:
        return "apache"
    if any(line.startswith(("server {", "http {", "ssl_protocols ", "listen ")) for line in lines):
        return "nginx"
    if words & {"passwordauthentication", "permitrootlogin", "kexalgorithms", "subsystem"}:
        return "sshd"
    if words & {"hostssl", "hostnossl"} or (words & {"local", "host"} and "all" in text):
        return "pg_hba"
    if any(
        line.startswith(("ssl =", "log_connections", "password_encryption", "shared_buffers"))
        for line in lines
    ):
        return "postgresql"
    return None
