"""Facts of ``tls.endpoints``: what live TLS probes observed at each endpoint."""

from __future__ import annotations

from pydantic import Field

from evidence.model.facts import Facts, Part


class Certificate(Part):
    """The certificate an endpoint served, judged at the as-of date."""

    subject: str | None = None
    issuer: str | None = None
    not_before: str | None = Field(None, description="ISO 8601")
    not_after: str | None = Field(None, description="ISO 8601 (None: the certificate could not be read)")
    expired: bool | None = Field(None, description="expired at the as-of date")
    not_yet_valid: bool | None = Field(None, description="issued after the as-of date")
    days_left: int | None = Field(None, description="days from the as-of date to expiry")
    key_type: str | None = Field(None, description="RSA, EC, DSA...")
    key_bits: int | None = None
    signature_hash: str | None = None
    sha256: str | None = None
    chain_length: int | None = None
    chain_trusted: bool | None = None
    chain_order_valid: bool | None = None


class Endpoint(Part):
    """One probed endpoint: protocol versions accepted and refused, cipher, certificate."""

    target: str = Field(description="host:port")
    protocol: str | None = Field(None, description="tls or postgres")
    accepted: list[str] = Field(default_factory=list, description="versions a handshake succeeded at")
    refused: list[str] = Field(default_factory=list)
    not_tested: list[str] = Field(
        default_factory=list, description="versions whose scan failed: never counted as refused"
    )
    accepted_ciphers: dict[str, list[str]] | None = Field(None, description="OpenSSL names per version")
    cipher: str | None = Field(None, description="the negotiated cipher")
    cipher_protocol: str | None = Field(None, description="the version the cipher was negotiated at")
    certificate: Certificate | None = None
    tls_offered: bool | None = Field(
        None, description="False when a PostgreSQL server answers N to the SSLRequest (then accepted is empty)"
    )
    server_name: str | None = None
    probed_at: str | None = None
    as_of: str | None = None
    error: str | None = Field(None, description="why the endpoint could not be probed")


class TlsEndpoints(Facts):
    """Per endpoint: versions accepted/refused, negotiated cipher, certificate, PostgreSQL SSLRequest answer."""

    kind = "tls.endpoints"
    produced_by = ("tls",)

    endpoints: list[Endpoint] = Field(default_factory=list)
