"""Real TLS handshakes through sslyze: the protocol versions a server accepts, and its certificate.

sslyze carries its own OpenSSL builds (nassl), one of which still speaks SSL 3.0 and TLS 1.0,
so a server that accepts an old protocol is caught even where the system OpenSSL would not
even offer it. Only the scan commands that do handshakes are run (one per protocol version,
plus the certificate chain): nothing is sent beyond the handshakes, no HTTP request, no
login. For PostgreSQL the probe first sends the 8-byte SSLRequest; a server that answers
``N`` does not offer TLS at all, and only an ``S`` leads on to the handshakes.
"""

from __future__ import annotations

import hashlib
import socket
import struct
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import Certificate
from sslyze.connection_helpers.opportunistic_tls_helpers import ProtocolWithOpportunisticTlsEnum
from sslyze.errors import ServerHostnameCouldNotBeResolved
from sslyze.plugins.certificate_info.implementation import CertificateInfoExtraArgument
from sslyze.plugins.scan_commands import ScanCommand
from sslyze.scanner.models import (
    ScanCommandsExtraArguments,
    ServerScanRequest,
    ServerScanResult,
    ServerScanStatusEnum,
)
from sslyze.scanner.scan_command_attempt import ScanCommandAttemptStatusEnum
from sslyze.scanner.scanner import Scanner
from sslyze.server_setting import ServerNetworkConfiguration, ServerNetworkLocation

from evidence.model.protocols import VERSIONS

# One scan command per protocol version, named as in evidence.model.protocols.
VERSION_SCANS: dict[str, tuple[ScanCommand, str]] = {
    "SSLv2": (ScanCommand.SSL_2_0_CIPHER_SUITES, "ssl_2_0_cipher_suites"),
    "SSLv3": (ScanCommand.SSL_3_0_CIPHER_SUITES, "ssl_3_0_cipher_suites"),
    "TLSv1.0": (ScanCommand.TLS_1_0_CIPHER_SUITES, "tls_1_0_cipher_suites"),
    "TLSv1.1": (ScanCommand.TLS_1_1_CIPHER_SUITES, "tls_1_1_cipher_suites"),
    "TLSv1.2": (ScanCommand.TLS_1_2_CIPHER_SUITES, "tls_1_2_cipher_suites"),
    "TLSv1.3": (ScanCommand.TLS_1_3_CIPHER_SUITES, "tls_1_3_cipher_suites"),
}
_SSLYZE_VERSION_NAMES = {
    "SSL_2_0": "SSLv2",
    "SSL_3_0": "SSLv3",
    "TLS_1_0": "TLSv1.0",
    "TLS_1_1": "TLSv1.1",
    "TLS_1_2": "TLSv1.2",
    "TLS_1_3": "TLSv1.3",
}
# PostgreSQL's SSLRequest: length 8, then the magic code 1234/5679.
SSL_REQUEST = struct.pack("!II", 8, 80877103)


@dataclass(frozen=True)
class Endpoint:
    """What to probe: host, port, protocol (``tls`` or ``postgres``), SNI name, trust store."""

    host: str
    port: int
    protocol: str = "tls"
    server_name: str | None = None
    ca_file: Path | None = None

    @property
    def target(self) -> str:
        """``host:port`` (IPv6 addresses in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass
class ProbeResult:
    """What a probe saw: facts (contract ``tls.endpoints``) and the certificate chain received."""

    facts: dict[str, Any]
    chain_pem: bytes = b""
    chain: list[Certificate] = field(default_factory=list)


def probe(endpoint: Endpoint, timeout: int) -> ProbeResult:
    """Probe one endpoint; a failure to connect is recorded in ``facts["error"]``, never raised."""
    facts: dict[str, Any] = {
        "target": endpoint.target,
        "protocol": endpoint.protocol,
        "server_name": endpoint.server_name or endpoint.host,
        "tls_offered": None,
        "accepted": [],
        "refused": [],
        "not_tested": [],
        "accepted_ciphers": {},
        "cipher": None,
        "cipher_protocol": None,
        "certificate": None,
        "error": None,
    }
    if endpoint.protocol == "postgres":
        answer, problem = postgres_ssl_request(endpoint.host, endpoint.port, timeout)
        if problem is not None:
            facts["error"] = problem
            return ProbeResult(facts)
        if answer == b"N":
            facts["tls_offered"] = False
            return ProbeResult(facts)
    try:
        result = _scan(endpoint, timeout)
    except ServerHostnameCouldNotBeResolved:
        facts["error"] = f"could not resolve {endpoint.host}"
        return ProbeResult(facts)
    if result.scan_status is not ServerScanStatusEnum.COMPLETED or result.scan_result is None:
        facts["error"] = _connectivity_error(result)
        return ProbeResult(facts)
    facts["tls_offered"] = True
    return _read_result(result, facts)


def postgres_ssl_request(host: str, port: int, timeout: int) -> tuple[bytes | None, str | None]:
    """Send PostgreSQL's SSLRequest, read the answer: ``(answer, None)`` or ``(None, error)``."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            connection.sendall(SSL_REQUEST)
            answer = connection.recv(1)
    except socket.gaierror:
        return None, f"could not resolve {host}"
    except OSError as exc:
        return None, f"cannot connect: {exc.strerror or type(exc).__name__}"
    if answer in (b"S", b"N"):
        return answer, None
    if not answer:
        return None, "the server closed the connection after the SSLRequest (not PostgreSQL?)"
    return None, "unexpected answer to the SSLRequest (not a PostgreSQL server?)"


def _scan(endpoint: Endpoint, timeout: int) -> ServerScanResult:
    location = ServerNetworkLocation(endpoint.host, endpoint.port)
    network = ServerNetworkConfiguration(
        tls_server_name_indication=endpoint.server_name or endpoint.host,
        tls_opportunistic_encryption=(
            ProtocolWithOpportunisticTlsEnum.POSTGRES if endpoint.protocol == "postgres" else None
        ),
        network_timeout=timeout,
        network_max_retries=2,
    )
    extra = ScanCommandsExtraArguments(
        certificate_info=CertificateInfoExtraArgument(custom_ca_file=endpoint.ca_file)
        if endpoint.ca_file
        else None
    )
    request = ServerScanRequest(
        server_location=location,
        network_configuration=network,
        scan_commands={
            *(command for command, _ in VERSION_SCANS.values()),
            ScanCommand.CERTIFICATE_INFO,
        },
        scan_commands_extra_arguments=extra,
    )
    # sslyze loads its bundled trust stores, one of which holds a certificate that the
    # cryptography package warns about; the warning says nothing about the server probed.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        scanner = Scanner(per_server_concurrent_connections_limit=2)
        scanner.queue_scans([request])
        (result,) = list(scanner.get_results())
    return result


def _connectivity_error(result: ServerScanResult) -> str:
    trace = result.connectivity_error_trace
    if trace is None:
        return "the TLS connection could not be established"
    text = "".join(trace.format_exception_only()).strip()
    # sslyze's messages read `host:port -> "reason".`; keep the reason.
    reason = text.split("->", 1)[-1].strip().strip(".").strip('"')
    return f"TLS connection failed: {reason}"


def _read_result(result: ServerScanResult, facts: dict[str, Any]) -> ProbeResult:
    scan = result.scan_result
    assert scan is not None
    for version in VERSIONS:
        attempt = getattr(scan, VERSION_SCANS[version][1])
        if attempt.status is not ScanCommandAttemptStatusEnum.COMPLETED or attempt.result is None:
            facts["not_tested"].append(version)
            continue
        accepted = attempt.result.accepted_cipher_suites
        if accepted:
            facts["accepted"].append(version)
            facts["accepted_ciphers"][version] = sorted(
                c.cipher_suite.openssl_name for c in accepted
            )
        else:
            facts["refused"].append(version)
    connectivity = result.connectivity_result
    if connectivity is not None:
        facts["cipher"] = connectivity.cipher_suite_supported
        facts["cipher_protocol"] = _SSLYZE_VERSION_NAMES.get(
            connectivity.highest_tls_version_supported.name
        )
    certificate = scan.certificate_info
    chain: list[Certificate] = []
    if (
        certificate.status is ScanCommandAttemptStatusEnum.COMPLETED
        and certificate.result is not None
    ):
        deployment = certificate.result.certificate_deployments[0]
        chain = list(deployment.received_certificate_chain)
        facts["certificate"] = {
            "chain_length": len(chain),
            "chain_trusted": any(
                v.was_validation_successful for v in deployment.path_validation_results
            ),
            "chain_order_valid": deployment.received_chain_has_valid_order,
        }
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)
    return ProbeResult(facts, chain_pem=pem, chain=chain)


def describe_certificate(certificate: Certificate) -> dict[str, Any]:
    """Subject, issuer, validity, key type and size, and SHA-256 fingerprint of a certificate."""
    key = certificate.public_key()
    key_type, key_bits = _key(key)
    return {
        "subject": certificate.subject.rfc4514_string(),
        "issuer": certificate.issuer.rfc4514_string(),
        "not_before": certificate.not_valid_before_utc.isoformat(),
        "not_after": certificate.not_valid_after_utc.isoformat(),
        "key_type": key_type,
        "key_bits": key_bits,
        "signature_hash": certificate.signature_hash_algorithm.name
        if certificate.signature_hash_algorithm
        else None,
        "sha256": certificate.fingerprint(hashes.SHA256()).hex(),
    }


def chain_digest(pem: bytes) -> str:
    """SHA-256 of the certificate chain as received (PEM), the raw input a probe rests on."""
    return hashlib.sha256(pem).hexdigest()


def _key(key: Any) -> tuple[str, int | None]:
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.key_size
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456
    return type(key).__name__, None
