"""Facts of ``transport.config``: TLS as configured in web servers and load balancers."""

from __future__ import annotations

from pydantic import Field, JsonValue

from evidence.model.facts import Part
from evidence.model.facts.cloud_snapshot import CloudSnapshot


class TlsSetting(Part):
    """A setting that fixes the TLS protocols allowed (written or by default)."""

    resource: str = Field(description="the listener or block (`nginx server api.example.com`, an ELB listener ARN)")
    location: str | None = Field(None, description="file:line")
    setting: str = Field(description="the exact text that decided it (`ssl_protocols TLSv1.2 TLSv1.3`)")
    protocols: list[str] | None = Field(
        None, description="the versions allowed (names of evidence/model/protocols.py); None: cannot be known"
    )
    default: bool | None = Field(None, description="the server's default applies (nothing written)")
    note: str | None = None


class CipherSetting(Part):
    """A cipher-suite setting."""

    resource: str
    location: str | None = None
    setting: str
    ciphers: str = Field(description="the OpenSSL cipher string")


class PlaintextListener(Part):
    """A listener without TLS, and what it does with a request."""

    resource: str
    location: str | None = None
    port: int | None = None
    setting: str
    action: str = Field(description="redirects, refuses or serves")
    carries: str | None = Field(None, description="http, tcp or mail")


class LoadBalancerListener(Part):
    """One load balancer listener (aws, aws-cli, terraform)."""

    listener: str = Field(description="its ARN (or Terraform address)")
    load_balancer: str | None = None
    region: str | None = None
    port: int | None = None
    protocol: str | None = Field(None, description="HTTP, HTTPS, TLS, TCP...")
    ssl_policy: str | None = None
    protocols: list[str] | None = Field(None, description="the versions its policy allows (None: unknown policy)")
    protocols_from: str | None = None
    default_action: str | None = None
    redirects_to_https: bool | None = None
    origin: str | None = None
    error: str | None = None


class TransportConfig(CloudSnapshot):
    """TLS settings as configured, with file and line: protocols, ciphers, plain listeners and redirects.

    host-config (nginx, Apache) gives ``server``, ``files``, ``tls_settings``, ``cipher_settings``,
    ``plaintext_listeners`` and ``tls_listeners``; the AWS and Terraform sources give ``listeners``.
    ``setting`` is the exact text that decided an entry; ``protocols`` is null when the allowed
    versions cannot be known (an unset nginx default).
    """

    kind = "transport.config"
    produced_by = ("host-config", "aws", "aws-cli", "terraform")

    server: str | None = None
    files: list[str] | None = None
    tls_settings: list[TlsSetting] | None = None
    cipher_settings: list[CipherSetting] | None = None
    plaintext_listeners: list[PlaintextListener] | None = None
    tls_listeners: list[JsonValue] | None = None
    listeners: list[LoadBalancerListener] | None = None
