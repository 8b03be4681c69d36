"""[terraform] on real states and plans, v3 inline and v4+ split resources, and secret redaction."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from collector_testing import collector_context, quiet_trail, realdata
from sqlalchemy import create_engine, inspect, text

from evidence.collectors.terraform.collector import TerraformCollector, TerraformSettings
from evidence.controls.catalogue import load_catalogue
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.errors import InputError
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_period
from evidence.model.results import ControlResult, Status
from tests.support import pdftotext, run_cli, with_store

FIXTURES = Path(__file__).parent / "fixtures" / "terraform"
ROOT = Path(__file__).resolve().parents[2]
PLANTED = "foobarbaz"  # the plaintext test password in driftctl_aws_db_instance.tfstate


CONFIG = realdata("config")


#: When the states were saved. Without it the collector takes the files' modification time,
#: which is when this checkout was made: the checks' freshness would depend on the clone date.
CAPTURED = datetime(2026, 9, 29, 9, 0, tzinfo=UTC)


def collect(paths: list[Path], tmp_path: Path) -> tuple[TerraformCollector, list[EvidenceItem]]:
    collector = TerraformCollector(
        TerraformSettings(paths=paths, captured_at=CAPTURED), collector_context(tmp_path, "tf")
    )
    return collector, [i.seal() for i in collector.collect()]


def facts(items: list[EvidenceItem], kind: str) -> dict[str, object]:
    return next(i.facts for i in items if i.kind == kind)


def results(items: list[EvidenceItem]) -> dict[str, ControlResult]:
    period = parse_period("2026-Q3")
    evaluation = evaluate(
        [load_catalogue("amazon-dpp@2025-11")],
        EvaluationInput([*items, quiet_trail(items)], period, period.end_at),
    )
    return {r.control_id: r for r in evaluation.results}


def check(result: ControlResult, name: str) -> tuple[Status, str]:
    found = next(o for o in result.outcomes if o.check == name)
    return found.status, " ".join(found.reasons)


@pytest.mark.parametrize(
    "name",
    sorted(
        p.name
        for p in CONFIG.glob("*")
        if p.name.startswith(("driftctl_", "terraform-compliance_"))
    ),
)
def test_every_realdata_state_and_plan_is_read(name: str, tmp_path: Path) -> None:
    _, items = collect([CONFIG / name], tmp_path)
    assert items
    assert all(not i.error and i.stats.rejected == 0 and i.stats.kept >= 1 for i in items)
    assert all(i.facts["documents"][0]["file"] == name for i in items)


def test_driftctl_negative_cases_are_not_met_naming_the_setting(tmp_path: Path) -> None:
    _, items = collect(
        [CONFIG / "driftctl_aws_db_instance.tfstate", CONFIG / "driftctl_aws_s3_full.tfstate"],
        tmp_path,
    )
    at_rest = {r["id"]: r for r in facts(items, "encryption.at_rest")["resources"]}  # type: ignore[attr-defined]
    db = at_rest["terraform-20201015115018309600000001"]
    assert db["encrypted"] is False
    assert db["setting"] == "storage_encrypted = false"
    assert at_rest["bucket-martin-test-drift"]["encrypted"] is False
    status, reasons = check(results(items)["DPP-ENC-2"], "storage_encrypted")
    assert status is Status.NOT_MET
    assert "RDS instance terraform-20201015115018309600000001" in reasons
    assert "storage_encrypted = false [aws_db_instance.default]" in reasons
    assert "S3 bucket bucket-martin-test-drift" in reasons
    lifecycle = facts(items, "storage.lifecycle")["buckets"]  # type: ignore[index]
    assert {b["bucket"]: b["rules"] for b in lifecycle}["bucket-martin-test-drift"] == []


def test_driftctl_keys_rotation_off_and_asymmetric_keys_noted(tmp_path: Path) -> None:
    _, items = collect([CONFIG / "driftctl_aws_kms_key.tfstate"], tmp_path)
    keys = {k["id"]: k for k in facts(items, "encryption.kms")["keys"]}  # type: ignore[attr-defined]
    assert {k["rotation_enabled"] for k in keys.values()} == {False}
    assert keys["8ee21d91-c000-428c-8032-235aac55da36"]["usage"] == "SIGN_VERIFY"
    status, reasons = check(results(items)["DPP-ENC-3"], "kms_rotation_enabled")
    # bar signs (cannot rotate), baz is disabled, foo is RSA: none is a rotatable key in use.
    assert status is Status.INSUFFICIENT
    assert "cannot rotate automatically" in " ".join(results(items)["DPP-ENC-3"].reasons)


def test_plan_success_and_failure_for_s3_encryption(tmp_path: Path) -> None:
    _, failing = collect(
        [CONFIG / "terraform-compliance_test_s3_encryption_failure_plan.out.json"], tmp_path
    )
    _, passing = collect(
        [CONFIG / "terraform-compliance_test_s3_encryption_success_plan.out.json"], tmp_path
    )
    bad = facts(failing, "encryption.at_rest")["resources"][0]  # type: ignore[index]
    good = facts(passing, "encryption.at_rest")["resources"][0]  # type: ignore[index]
    assert bad["encrypted"] is False
    assert good["encrypted"] is True
    assert good["setting"] == 'sse_algorithm = "aws:kms", kms_master_key_id = "123456"'
    assert facts(passing, "encryption.at_rest")["documents"][0]["kind"] == "plan"  # type: ignore[index]


def test_split_resources_of_a_plan_resolve_their_bucket_through_references(tmp_path: Path) -> None:
    _, items = collect([FIXTURES / "plan-v5-split-resources.json"], tmp_path)
    bucket = facts(items, "encryption.at_rest")["resources"]  # type: ignore[index]
    labels = next(r for r in bucket if r["id"] == "fixture-labels")
    assert labels["encrypted"] is True
    assert labels["origin"] == "aws_s3_bucket_server_side_encryption_configuration.labels"
    rules = facts(items, "storage.lifecycle")["buckets"][0]["rules"]  # type: ignore[index]
    assert rules == [
        {
            "id": "expire-labels",
            "status": "Enabled",
            "prefix": "labels/",
            "expiration_days": 30,
            "expiration_date": None,
            "noncurrent_expiration_days": None,
            "tag_filter": False,
        }
    ]
    groups = facts(items, "logging.config")["log_groups"]  # type: ignore[index]
    assert groups[0]["name"] == "/fixture/app"
    assert groups[0]["retention_days"] == 90
    status, reasons = check(results(items)["DPP-LOG-2"], "log_group_retention")
    assert status is Status.NOT_MET
    assert "retention_in_days = 90" in reasons


def test_show_json_state_inline_v3_settings(tmp_path: Path) -> None:
    _, items = collect([FIXTURES / "show-json-state.json"], tmp_path)
    evaluated = results(items)
    status, reasons = check(evaluated["DPP-NET-1"], "no_world_open_admin_ports")
    assert status is Status.NOT_MET
    assert "sg-0fixture000000001 (admin)" in reasons
    assert "22 (SSH)" in reasons
    status, reasons = check(evaluated["DPP-ENC-1"], "load_balancer_tls_policy")
    assert status is Status.NOT_MET
    assert "ELBSecurityPolicy-2016-08 allows TLSv1, TLSv1.1" in reasons
    secret = facts(items, "secrets.rotation")["secrets"][0]  # type: ignore[index]
    assert secret["rotation_days"] == 90
    assert secret["last_rotated"] is None
    status, reasons = check(evaluated["DPP-CRED-2"], "secret_rotation")
    assert status is Status.INSUFFICIENT
    assert "no rotation or creation date on record" in reasons
    lifecycle = facts(items, "storage.lifecycle")["buckets"][0]["rules"][0]  # type: ignore[index]
    assert lifecycle["expiration_days"] == 400
    assert lifecycle["prefix"] == "logs/"


@pytest.mark.parametrize(
    ("fixture", "planted"),
    [
        (CONFIG / "driftctl_aws_db_instance.tfstate", [PLANTED]),
        (FIXTURES / "plan-v5-split-resources.json", ["fixture-plan-secret-7731"]),
        (
            FIXTURES / "show-json-state.json",
            ["fixture-show-secret-4410", "amzn1.oa2-cs.v1.fixture"],
        ),
    ],
    ids=["driftctl-state", "plan", "show-json"],
)
def test_stored_copy_redacts_secrets_field_by_field(
    fixture: Path, planted: list[str], tmp_path: Path
) -> None:
    collector, items = collect([fixture], tmp_path)
    raw = fixture.read_text()
    copy = b"".join(collector.redacted_copy(str(fixture)) or []).decode()
    document = json.loads(copy)  # still a Terraform document, only with values removed
    assert document.keys() == json.loads(raw).keys()
    for secret in planted:
        assert secret in raw
        assert secret not in copy
        assert all(secret not in json.dumps(i.facts) for i in items)
    assert "[REDACTED]" in copy


def test_not_a_terraform_document_is_rejected_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a Terraform state or plan"):
        collect([CONFIG / "awscli-examples" / "kms__describe-key__output2.json"], tmp_path)
    with pytest.raises(InputError, match=r"sshd_config:\d+: invalid JSON"):
        collect([CONFIG / "debian12_openssh-server_sshd_config"], tmp_path)


def _store_text(url: str, base: Path) -> str:
    """Everything the store holds as text: every row of every table."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path = path if path.is_absolute() else base / path
        return path.read_bytes().decode("utf-8", errors="replace")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            chunks = [
                repr(list(conn.execute(text(f'SELECT * FROM "{table}"'))))
                for table in inspect(conn).get_table_names()
            ]
    finally:
        engine.dispose()
    return "\n".join(chunks)


MINIMAL_CONFIG = """
review_period = "2026-Q3"

[organisation]
legal_name = "Fennel & Finch Commerce Ltd"
developer_id = "amzn1.sp.solution.7f3c2a10-4b8e-4d1a-9c55-2e0f6a9b1d34"
applications = ["ParcelPilot"]

[store]
url = "sqlite:///.evidence/evidence.db"
copies_dir = ".evidence"

[policy]
catalogues = ["amazon-dpp@2025-11"]

[[sources]]
collector = "terraform"
name = "terraform-drift"
paths = ["driftctl_aws_db_instance.tfstate"]
"""


@pytest.mark.slow
def test_planted_password_appears_in_no_output(store_url: str, tmp_path: Path) -> None:
    work = tmp_path / "project"
    work.mkdir()
    state = work / "driftctl_aws_db_instance.tfstate"
    shutil.copy(CONFIG / "driftctl_aws_db_instance.tfstate", state)
    config = work / "evidence.toml"
    config.write_text(MINIMAL_CONFIG)
    with_store(config, store_url)
    out = tmp_path / "out"
    result = run_cli("run", "--config", config, "--out", out, "--json")
    assert result.code == 3, result.stderr
    assert json.loads(result.stdout)["counts"]
    inspected = run_cli("inspect", "terraform", state, "--json", "--period", "2026-Q3")
    assert inspected.code == 0, inspected.stderr
    assert "terraform-20201015115018309600000001" in inspected.stdout  # the database was read
    pdfs = sorted(out.glob("*.pdf"))
    assert pdfs
    copies = [
        p
        for p in (work / ".evidence").rglob("*")
        if p.is_file() and not p.name.endswith((".db", ".lock"))
    ]
    assert copies, "a redacted copy of the state must have been stored"
    places = {
        "run --json": result.stdout,
        "run stderr": result.stderr,
        "inspect --json": inspected.stdout + inspected.stderr,
        "store": _store_text(store_url, work),
        "stored copies": "".join(p.read_bytes().decode("utf-8", errors="replace") for p in copies),
        **{f"pdf {p.name}": pdftotext(p) for p in pdfs},
        **{f"pdf bytes {p.name}": p.read_bytes().decode("latin-1") for p in pdfs},
    }
    assert PLANTED in state.read_text()
    assert "storage_encrypted = false" in places[f"pdf {pdfs[0].name}"]
    leaks = [where for where, content in places.items() if PLANTED in content]
    assert leaks == []
