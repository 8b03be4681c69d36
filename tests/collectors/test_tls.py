"""The tls collector against real servers on loopback: openssl s_server and throwaway PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from transport_evaluation import collector_context, decide, outcome
from transport_servers import (
    PostgresCluster,
    free_port,
    make_certificate,
    openssl_server,
    postgres_cluster,
)

from evidence.collectors.tls import TlsCollector, TlsSettings
from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem
from evidence.model.results import Status

NOW = datetime.now(UTC).replace(microsecond=0)
LEGACY = ("-cipher", "DEFAULT:@SECLEVEL=0")


def probe(
    tmp_path: Path, *endpoints: str | dict[str, str], as_of: datetime = NOW
) -> list[EvidenceItem]:
    settings = TlsSettings.model_validate({"endpoints": list(endpoints), "timeout_seconds": 5})
    return list(TlsCollector(settings, collector_context(tmp_path, as_of, "tls")).collect())


@pytest.fixture
def valid_cert(tmp_path: Path) -> tuple[Path, Path]:
    return make_certificate(tmp_path, "valid", NOW - timedelta(days=30), NOW + timedelta(days=200))


def test_server_accepting_tls10_is_not_met_and_the_probe_negotiated_tls10(
    tmp_path: Path, valid_cert: tuple[Path, Path]
) -> None:
    with openssl_server(*valid_cert, tmp_path / "s.log", "-tls1", *LEGACY) as server:
        (item,) = probe(tmp_path, f"127.0.0.1:{server.port}")
        trace = server.trace()
    (endpoint,) = item.facts["endpoints"]
    assert endpoint["accepted"] == ["TLSv1.0"]
    assert endpoint["cipher_protocol"] == "TLSv1.0"
    assert "TLSv1.0" in endpoint["accepted_ciphers"]
    # The server itself answered our ClientHello with a TLS 1.0 ServerHello: the probe
    # really spoke TLS 1.0, which Debian's own OpenSSL would not even offer.
    assert re.search(r">>> TLS 1\.0, Handshake \[length [0-9a-f]+\], ServerHello", trace)
    result = decide([item], "DPP-ENC-1", NOW)
    check = outcome(result, "tls_min_version")
    assert check.status is Status.NOT_MET
    assert result.status is Status.NOT_MET
    assert f"127.0.0.1:{server.port}" in check.reasons[0]
    assert "accepts TLSv1.0 (minimum TLSv1.2)" in check.reasons[0]
    assert item.id in check.reasons[0]
    assert check.figures["endpoints_accepting_old_protocols"] == 1


def test_server_with_tls12_and_later_only_is_met(
    tmp_path: Path, valid_cert: tuple[Path, Path]
) -> None:
    with openssl_server(
        *valid_cert, tmp_path / "s.log", "-no_ssl3", "-no_tls1", "-no_tls1_1"
    ) as server:
        (item,) = probe(tmp_path, f"127.0.0.1:{server.port}")
    (endpoint,) = item.facts["endpoints"]
    assert endpoint["accepted"] == ["TLSv1.2", "TLSv1.3"]
    assert {"SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1"} <= set(endpoint["refused"])
    certificate = endpoint["certificate"]
    assert certificate["key_type"] == "RSA"
    assert certificate["key_bits"] == 2048
    assert certificate["expired"] is False
    assert certificate["days_left"] in (199, 200)
    assert item.raw_inputs
    assert item.raw_inputs[0].location.startswith("tls://127.0.0.1:")
    result = decide([item], "DPP-ENC-1", NOW)
    check = outcome(result, "tls_min_version")
    assert check.status is Status.MET, check.reasons
    assert "accepts only TLSv1.2, TLSv1.3" in check.reasons[0]
    assert item.id in result.evidence_ids
    # A probe of one endpoint decides the endpoint elements, observed; SSH, internal connections
    # and unencrypted channels need their own evidence, so the control is not yet met.
    elements = {e.id: e for e in result.elements}
    for decided in ("external_endpoints", "certificate_keys"):
        assert elements[decided].status is Status.MET
        assert elements[decided].assurance is Assurance.OBSERVED
    assert elements["ssh"].status is Status.INSUFFICIENT
    assert result.status is Status.INSUFFICIENT


def test_expired_certificate_is_not_met(tmp_path: Path) -> None:
    cert = make_certificate(tmp_path, "old", NOW - timedelta(days=400), NOW - timedelta(days=35))
    with openssl_server(*cert, tmp_path / "s.log", "-no_tls1", "-no_tls1_1") as server:
        (item,) = probe(tmp_path, f"127.0.0.1:{server.port}")
    certificate = item.facts["endpoints"][0]["certificate"]
    assert certificate["expired"] is True
    assert certificate["days_left"] < 0
    check = outcome(decide([item], "DPP-ENC-1", NOW), "tls_min_version")
    assert check.status is Status.NOT_MET
    expiry = (NOW - timedelta(days=35)).date().isoformat()
    assert (
        f"expired on {expiry}, before the as-of date {NOW.date().isoformat()}" in check.reasons[0]
    )
    assert check.figures["expired_certificates"] == 1


def test_expiry_is_judged_at_the_as_of_date_not_the_clock(tmp_path: Path) -> None:
    # Valid today and for 10 more days: judged as of 20 days from now, it has expired.
    cert = make_certificate(tmp_path, "soon", NOW - timedelta(days=30), NOW + timedelta(days=10))
    later = NOW + timedelta(days=20)
    with openssl_server(*cert, tmp_path / "s.log", "-no_tls1", "-no_tls1_1") as server:
        (item,) = probe(tmp_path, f"127.0.0.1:{server.port}", as_of=later)
    assert item.facts["endpoints"][0]["certificate"]["expired"] is True
    assert outcome(decide([item], "DPP-ENC-1", later), "tls_min_version").status is Status.NOT_MET


def test_small_rsa_key_is_not_met(tmp_path: Path) -> None:
    cert = make_certificate(
        tmp_path, "weak", NOW - timedelta(days=1), NOW + timedelta(days=90), key_bits=1024
    )
    with openssl_server(*cert, tmp_path / "s.log", "-no_tls1", "-no_tls1_1", *LEGACY) as server:
        (item,) = probe(tmp_path, f"127.0.0.1:{server.port}")
    check = outcome(decide([item], "DPP-ENC-1", NOW), "tls_min_version")
    assert check.status is Status.NOT_MET
    assert "certificate key is RSA 1024 bits (minimum 2048)" in check.reasons[0]


def test_unreachable_endpoint_is_insufficient_never_met(tmp_path: Path) -> None:
    (item,) = probe(tmp_path, f"127.0.0.1:{free_port()}")
    endpoint = item.facts["endpoints"][0]
    assert endpoint["error"]
    assert endpoint["accepted"] == []
    check = outcome(decide([item], "DPP-ENC-1", NOW), "tls_min_version")
    assert check.status is Status.INSUFFICIENT
    assert "could not be probed" in check.reasons[0]


def test_probe_far_from_the_as_of_date_cannot_decide(
    tmp_path: Path, valid_cert: tuple[Path, Path]
) -> None:
    long_ago = NOW - timedelta(days=200)
    with openssl_server(*valid_cert, tmp_path / "s.log", "-no_tls1", "-no_tls1_1") as server:
        (item,) = probe(tmp_path, f"127.0.0.1:{server.port}", as_of=long_ago)
    check = outcome(decide([item], "DPP-ENC-1", long_ago), "tls_min_version")
    assert check.status is Status.INSUFFICIENT
    assert "200 days from the as-of date" in check.reasons[0]


@pytest.fixture(scope="module")
def pg_with_ssl() -> Iterator[PostgresCluster]:
    with postgres_cluster(
        ssl=True, hba=["local all all trust", "hostssl all all 127.0.0.1/32 scram-sha-256"]
    ) as c:
        yield c


@pytest.fixture(scope="module")
def pg_without_ssl() -> Iterator[PostgresCluster]:
    with postgres_cluster(
        ssl=False, hba=["local all all trust", "host all all 127.0.0.1/32 scram-sha-256"]
    ) as c:
        yield c


def test_postgres_with_ssl_answers_the_sslrequest_and_is_probed(
    tmp_path: Path, pg_with_ssl: PostgresCluster
) -> None:
    (item,) = probe(tmp_path, f"postgres://127.0.0.1:{pg_with_ssl.port}")
    (endpoint,) = item.facts["endpoints"]
    assert endpoint["protocol"] == "postgres"
    assert endpoint["tls_offered"] is True
    # PostgreSQL's default ssl_min_protocol_version is TLSv1.2.
    assert endpoint["accepted"]
    assert set(endpoint["accepted"]) <= {"TLSv1.2", "TLSv1.3"}
    assert "TLSv1.0" in endpoint["refused"]
    assert endpoint["certificate"]["key_bits"] == 2048
    check = outcome(decide([item], "DPP-ENC-1", NOW), "tls_min_version")
    assert check.status is Status.MET, check.reasons


def test_postgres_without_ssl_answers_n_and_is_not_met(
    tmp_path: Path, pg_without_ssl: PostgresCluster
) -> None:
    (item,) = probe(
        tmp_path, {"target": f"127.0.0.1:{pg_without_ssl.port}", "protocol": "postgres"}
    )
    (endpoint,) = item.facts["endpoints"]
    assert endpoint["tls_offered"] is False
    assert endpoint["error"] is None
    check = outcome(decide([item], "DPP-ENC-1", NOW), "tls_min_version")
    assert check.status is Status.NOT_MET
    assert "answered 'N' to PostgreSQL's SSLRequest" in check.reasons[0]


def test_a_tls_server_is_not_mistaken_for_postgres(
    tmp_path: Path, valid_cert: tuple[Path, Path]
) -> None:
    with openssl_server(*valid_cert, tmp_path / "s.log", "-no_tls1") as server:
        (item,) = probe(tmp_path, f"postgres://127.0.0.1:{server.port}")
    assert "SSLRequest" in item.facts["endpoints"][0]["error"]


def test_settings_reject_a_target_without_port() -> None:
    with pytest.raises(ValueError, match="expected host:port"):
        TlsSettings.model_validate({"endpoints": ["api.example.com"]})
