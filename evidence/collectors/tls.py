"""[tls] Probes configured endpoints with real handshakes: protocol versions, cipher, certificate.

Each endpoint (``host:port``, or ``postgres://host:port`` for a PostgreSQL server reached
through its SSLRequest) becomes one ``tls.endpoints`` item. Certificate expiry is judged
against the run's as-of date, never the clock. An endpoint that cannot be reached is still an
item, with ``error`` set, so its controls say why they are undecided. The chain the server
sent is the item's raw input: its SHA-256 is recorded and a copy (PEM) is kept in the store.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from evidence.collectors.base import Collector, CollectorContext, CollectorSettings
from evidence.collectors.tls_probe import Endpoint, chain_digest, describe_certificate, probe
from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem, ParseStats, RawInput
from evidence.model.facts.tls_endpoints import Endpoint as ProbedEndpoint
from evidence.model.facts.tls_endpoints import TlsEndpoints

KIND = TlsEndpoints.kind
_TARGET = re.compile(
    r"^(?:(?P<scheme>postgres(?:ql)?|tls)://)?(?P<host>\[[^\]]+\]|[^:/\s]+):(?P<port>\d{1,5})$"
)


class EndpointConfig(BaseModel):
    """One endpoint: ``target`` is ``host:port``; ``protocol`` is ``tls`` or ``postgres``."""

    model_config = ConfigDict(extra="forbid")

    target: str
    protocol: str = Field(default="tls", pattern="^(tls|postgres)$")
    server_name: str | None = None
    ca_file: Path | None = None

    @field_validator("target")
    @classmethod
    def _host_port(cls, value: str) -> str:
        match = _TARGET.match(value)
        if match is None or not 0 < int(match["port"]) < 65536:
            raise ValueError("expected host:port (for PostgreSQL: postgres://host:port)")
        return value

    @model_validator(mode="after")
    def _scheme_sets_protocol(self) -> EndpointConfig:
        """Probe a ``postgres://`` target through PostgreSQL's SSLRequest."""
        match = _TARGET.match(self.target)
        if match is not None and (match["scheme"] or "").startswith("postgres"):
            self.protocol = "postgres"
        return self


class TlsSettings(CollectorSettings):
    """Settings: the endpoints to probe, and how long to wait for each connection."""

    endpoints: list[EndpointConfig] = Field(min_length=1)
    timeout_seconds: int = Field(default=5, ge=1, le=60)
    ca_file: Path | None = None

    @field_validator("endpoints", mode="before")
    @classmethod
    def _strings_are_targets(cls, value: Any) -> Any:
        """Read ``"host:port"`` and ``"postgres://host:port"`` as ``{ target = ... }``."""
        if not isinstance(value, list):
            return value
        return [{"target": entry} if isinstance(entry, str) else entry for entry in value]


class TlsCollector(Collector[TlsSettings]):
    """Handshakes with each configured endpoint and records what it accepts."""

    id = "tls"
    assurance = Assurance.OBSERVED
    description = (
        "Live TLS probe (sslyze): protocol versions accepted, cipher, certificate, key size"
    )
    produces = (KIND,)
    paths_setting = "endpoints"

    def __init__(self, settings: TlsSettings, context: CollectorContext) -> None:
        super().__init__(settings, context)
        self._chains: dict[str, bytes] = {}

    def collect(self) -> Iterator[EvidenceItem]:
        """One item per endpoint, in the order configured."""
        endpoints = self.settings.endpoints
        self.context.progress.start("tls: endpoints", total=len(endpoints))
        for config in endpoints:
            yield self._endpoint(config)
            self.context.progress.advance("tls: endpoints")
        self.context.progress.finish("tls: endpoints")

    def _endpoint(self, config: EndpointConfig) -> EvidenceItem:
        match = _TARGET.match(config.target)
        assert match is not None  # validated by the settings model
        host = match["host"].strip("[]")
        ca_file = config.ca_file or self.settings.ca_file
        endpoint = Endpoint(
            host=host,
            port=int(match["port"]),
            protocol=config.protocol,
            server_name=config.server_name,
            ca_file=self.context.resolve(ca_file) if ca_file else None,
        )
        result = probe(endpoint, self.settings.timeout_seconds)
        facts = result.facts
        facts["probed_at"] = self.context.collected_at.isoformat()
        facts["as_of"] = self.context.as_of.isoformat()
        if result.chain and facts["certificate"] is not None:
            leaf = describe_certificate(result.chain[0])
            leaf["subject"] = self.context.redactor.scrub(leaf["subject"])
            leaf["issuer"] = self.context.redactor.scrub(leaf["issuer"])
            facts["certificate"] = {
                **leaf,
                **facts["certificate"],
                **_validity(leaf, self.context.as_of),
            }
        raw_inputs = []
        if result.chain_pem:
            location = f"tls://{endpoint.target} (certificate chain as received)"
            self._chains[location] = result.chain_pem
            raw_inputs.append(
                RawInput(
                    location=location,
                    sha256=chain_digest(result.chain_pem),
                    size=len(result.chain_pem),
                )
            )
        stats = ParseStats(scope=f"{endpoint.protocol}://{endpoint.target}")
        stats.keep()
        at = self.context.collected_at
        return self.item(
            KIND,
            subject=f"{endpoint.protocol}://{endpoint.target}",
            facts=TlsEndpoints(endpoints=[ProbedEndpoint.model_validate(facts)]),
            stats=stats,
            raw_inputs=raw_inputs,
            location=f"{endpoint.protocol}://{endpoint.target}",
            covers=(at, at),
        )

    def redacted_copy(self, location: str) -> Iterator[bytes] | None:
        """Return the certificate chain received (public data) to keep as PEM."""
        pem = self._chains.get(location)
        return iter([pem]) if pem is not None else None


def _validity(leaf: dict[str, Any], as_of: datetime) -> dict[str, Any]:
    not_before = datetime.fromisoformat(leaf["not_before"])
    not_after = datetime.fromisoformat(leaf["not_after"])
    return {
        "expired": not_after < as_of,
        "not_yet_valid": not_before > as_of,
        "days_left": (not_after - as_of).days,
    }
