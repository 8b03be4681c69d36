"""A real RFC 3161 time-stamping authority on loopback, for tests (no outside service).

An HTTP server on 127.0.0.1 answers ``application/timestamp-query`` POSTs with tokens signed by
a throwaway TSA key (pyHanko's DummyTimeStamper does the RFC 3161 part). ``openssl ts -verify``
accepts its tokens with ``ca_pem`` as the CA file.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper


@dataclass
class LocalTsa:
    """A running authority: its URL, its certificate (PEM file) and how many tokens it issued."""

    url: str
    ca_pem: Path
    issued: list[int]


def _authority(directory: Path) -> tuple[DummyTimeStamper, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dpp-evidence test TSA")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime(2026, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2030, 1, 1, tzinfo=UTC))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = directory / "tsa-cert.pem"
    directory.mkdir(parents=True, exist_ok=True)
    pem.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
    )
    return stamper, pem


@contextmanager
def local_tsa(directory: Path) -> Iterator[LocalTsa]:
    """Run an RFC 3161 authority on a free loopback port for the duration of the block."""
    stamper, pem = _authority(directory)
    issued: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802  # the name http.server calls
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            request = tsp.TimeStampReq.load(body)
            reply = stamper.request_tsa_response(request).dump()
            issued.append(len(reply))
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LocalTsa(f"http://127.0.0.1:{server.server_address[1]}/", pem, issued)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
