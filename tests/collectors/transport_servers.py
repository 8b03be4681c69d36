"""Real servers for transport tests: `openssl s_server` on loopback, throwaway PostgreSQL clusters.

Certificates are made here with the `cryptography` package. Ports come from binding port 0.
A PostgreSQL cluster is initialised in a private temporary folder with the server binaries
Debian installs, run as the `postgres` user when the tests run as root (initdb refuses root).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

PG_ROOT = Path("/usr/lib/postgresql")


def free_port() -> int:
    """Return a port nothing listens on right now (bound once to port 0 and released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_certificate(
    folder: Path, name: str, not_before: datetime, not_after: datetime, key_bits: int = 2048
) -> tuple[Path, Path]:
    """Write a self-signed certificate for CN=localhost and its key as PEM files in ``folder``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_bits)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{name}.crt", folder / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def wait_for_port(
    port: int, process: subprocess.Popen[bytes] | None = None, timeout: float = 15
) -> None:
    """Return once something accepts connections on loopback ``port`` (fail after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@dataclass
class TlsServer:
    """A running `openssl s_server`: its port and the file its -msg trace goes to."""

    port: int
    log: Path

    def trace(self) -> str:
        """Everything the server logged so far (the handshake messages it sent and received)."""
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def openssl_server(cert: Path, key: Path, log: Path, *options: str) -> Iterator[TlsServer]:
    """Run `openssl s_server` on a free loopback port with ``options``, tracing every handshake."""
    port = free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                "openssl",
                "s_server",
                "-accept",
                f"127.0.0.1:{port}",
                "-cert",
                str(cert),
                "-key",
                str(key),
                "-www",
                "-msg",
                *options,
            ],
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, process)
            yield TlsServer(port, log)
        finally:
            process.terminate()
            process.wait(timeout=10)


@dataclass
class PostgresCluster:
    """A throwaway PostgreSQL server: where it listens and how to reach it as its superuser."""

    port: int
    socket_dir: Path
    data_dir: Path

    @property
    def url(self) -> str:
        """SQLAlchemy URL reaching the server over its Unix socket as `postgres` (trust)."""
        return f"postgresql+psycopg://postgres@/postgres?host={self.socket_dir}&port={self.port}"


def _as_postgres(command: list[str]) -> list[str]:
    """Run ``command`` as the postgres user when we are root (initdb and postgres refuse root)."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _bindir() -> Path:
    versions = sorted(
        (p for p in PG_ROOT.iterdir() if (p / "bin" / "initdb").exists()), key=lambda p: int(p.name)
    )
    if not versions:
        raise RuntimeError(f"no PostgreSQL server binaries under {PG_ROOT} (run `make setup`)")
    return versions[-1] / "bin"


@contextmanager
def postgres_cluster(
    *, ssl: bool, hba: list[str], settings: dict[str, str] | None = None
) -> Iterator[PostgresCluster]:
    """Initialise and start a private cluster on a free loopback port; stop and delete it after."""
    bindir = _bindir()
    root = Path(tempfile.mkdtemp(prefix="evidence-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    try:
        subprocess.run(
            _as_postgres(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
        )
        port = free_port()
        conf = {
            "port": str(port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{root}'",
            "ssl": "on" if ssl else "off",
            "fsync": "off",
            **(settings or {}),
        }
        if ssl:
            now = datetime.now().astimezone()
            cert, key = make_certificate(
                data, "server", now - timedelta(days=1), now + timedelta(days=365)
            )
            conf |= {"ssl_cert_file": f"'{cert}'", "ssl_key_file": f"'{key}'"}
            if os.geteuid() == 0:
                for path in (cert, key):
                    shutil.chown(path, "postgres", "postgres")
        with (data / "postgresql.conf").open("a", encoding="utf-8") as handle:
            handle.writelines(f"{name} = {value}\n" for name, value in conf.items())
        (data / "pg_hba.conf").write_text("\n".join(hba) + "\n", encoding="utf-8")
        if os.geteuid() == 0:
            shutil.chown(data / "pg_hba.conf", "postgres", "postgres")
        subprocess.run(
            _as_postgres(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(root / "server.log"),
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
        try:
            yield PostgresCluster(port=port, socket_dir=root, data_dir=data)
        finally:
            subprocess.run(
                _as_postgres(
                    [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
                ),
                check=False,
                capture_output=True,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
