"""The first hour: `init --detect` finds sources, `todo` says what to add next, `template` starts documents."""

from __future__ import annotations

import json
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from evidence.cli.app import main
from evidence.collectors.documents import known_doc_types
from evidence.config import load_config
from evidence.pipeline import open_store
from tests.support import SAMPLES, pdftotext, run_cli

#: Environment without any credential or kubeconfig of the machine running the tests.
CLEAN_ENV = {
    "AWS_ACCESS_KEY_ID": "",
    "AWS_SECRET_ACCESS_KEY": "",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
    "AWS_CONFIG_FILE": "/nonexistent/config",
    "KUBECONFIG": "",
    "OKTA_API_TOKEN": "",
    "OKTA_ORG_URL": "",
    "GOOGLE_APPLICATION_CREDENTIALS": "",
    "AZURE_CLIENT_ID": "",
    "AZURE_TENANT_ID": "",
    "PGDATA": "",
}


def fake_root(root: Path) -> Path:
    """A copy of a host: nginx and auth logs, sshd_config, a PostgreSQL data dir, a Terraform state."""
    shutil.copytree(SAMPLES / "logs" / "nginx", root / "var" / "log" / "nginx")
    for name in ("auth.log", "auth.log.1", "auth.log.2.gz"):
        (root / "var" / "log").mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLES / "logs" / "auth" / name, root / "var" / "log" / name)
    (root / "etc" / "ssh").mkdir(parents=True)
    shutil.copy(SAMPLES / "hosts" / "web-01" / "etc" / "ssh" / "sshd_config", root / "etc" / "ssh" / "sshd_config")
    data = root / "var" / "lib" / "postgresql" / "15" / "main"
    data.mkdir(parents=True)
    for name in ("postgresql.conf", "pg_hba.conf"):
        shutil.copy(SAMPLES / "hosts" / "db-01" / "etc" / "postgresql" / "15" / "main" / name, data / name)
    (root / "srv" / "infra").mkdir(parents=True)
    shutil.copy(SAMPLES / "terraform" / "parcelpilot-prod.tfstate", root / "srv" / "infra" / "prod.tfstate")
    return root


def sources_of(config: Path) -> dict[str, dict[str, object]]:
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    return {s["name"]: s for s in data.get("sources", [])}


@pytest.mark.slow
def test_detect_on_a_fake_root_then_run_stores_evidence_of_every_source(tmp_path: Path) -> None:
    root = fake_root(tmp_path / "host")
    work = tmp_path / "work"
    work.mkdir()
    config = work / "evidence.toml"
    init = run_cli("init", "--detect", "--root", root, config, cwd=work, env=CLEAN_ENV)
    assert init.code == 0, init.stderr
    found = sources_of(config)
    assert found["nginx"]["collector"] == "access-log"
    assert found["nginx"]["paths"] == [f"{root}/var/log/nginx/access.log*"]
    assert found["auth"]["collector"] == "auth-log"
    host = found["this-host"]
    assert host["collector"] == "host-config" and host["include_root"] == str(root)
    assert host["sshd"] == [f"{root}/etc/ssh/sshd_config"]
    assert host["postgresql"] == [f"{root}/var/lib/postgresql/15/main/postgresql.conf"]
    assert host["pg_hba"] == [f"{root}/var/lib/postgresql/15/main/pg_hba.conf"]
    assert found["terraform"]["paths"] == [f"{root}/srv/infra/prod.tfstate"]
    assert "aws" not in {s["collector"] for s in found.values()}
    text = config.read_text(encoding="utf-8")
    assert "# Decides: transport encryption" in text  # every finding says what it decides
    assert "found 1 Terraform file(s)" in init.stderr

    ran = run_cli("run", "--config", config, "--out", work / "out", "--only", "gap-report", "--no-sign",
                  "--quiet", cwd=work, timeout=600)
    assert ran.code == 3, ran.stderr
    loaded = load_config(config)
    store = open_store(loaded, create=False)
    try:
        run = store.latest_run("2026-Q3")
        assert run is not None
        items = store.evidence(run.id)
    finally:
        store.close()
    by_source: dict[str, list[str]] = {}
    for item in items:
        by_source.setdefault(item.source, []).append(item.kind)
    for name in ("nginx", "auth", "this-host", "terraform"):
        assert by_source.get(name), f"no evidence from {name}: {sorted(by_source)}"
    failed = [(i.source, i.error) for i in items if i.error and i.source in {"nginx", "auth", "this-host", "terraform"}]
    assert failed == []
    assert "access.activity" in by_source["nginx"] and "access.activity" in by_source["auth"]
    assert "host.config" in by_source["this-host"]
    assert "encryption.at_rest" in by_source["terraform"]
    # The gap report lists the same to-do as `evidence todo`.
    todo = json.loads(run_cli("todo", "--config", config, "--json", cwd=work).stdout)["steps"]
    report = " ".join(pdftotext(work / "out" / "gap-report-2026-Q3.pdf").split())
    assert "What to do next" in report
    assert f"{todo[0]['action'].replace('`', '')} {len(todo[0]['elements'])}" in report


def test_detect_finding_nothing_is_not_an_error_and_says_where_it_looked(tmp_path: Path) -> None:
    (tmp_path / "empty" / "infra").mkdir(parents=True)
    (tmp_path / "empty" / "infra" / "prod.tfplan").write_bytes(b"PK\x03\x04 binary plan")
    config = tmp_path / "evidence.toml"
    result = run_cli("init", "--detect", "--no-aws", "--root", tmp_path / "empty", config, env=CLEAN_ENV)
    assert result.code == 0, result.stderr
    assert "found nothing to collect from; looked for:" in result.stderr
    assert f"{tmp_path / 'empty'}/var/log/nginx/access.log*" in result.stderr
    assert "sshd configuration" in result.stderr
    assert "prod.tfplan is a binary Terraform plan: save `terraform show -json prod.tfplan" in result.stderr
    text = config.read_text(encoding="utf-8")
    assert "# nothing found; looked for:" in text
    assert sources_of(config).keys() == {"documents"}  # the starter's own source only


def test_detect_names_identity_provider_credentials_without_writing_them(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    config = tmp_path / "evidence.toml"
    secret = "00aBcD-okta-token-never-written"
    env = {**CLEAN_ENV, "OKTA_API_TOKEN": secret, "OKTA_ORG_URL": "https://example.okta.com",
           "AZURE_TENANT_ID": "tenant", "AZURE_CLIENT_ID": "client"}
    result = run_cli("init", "--detect", "--no-aws", "--root", tmp_path / "empty", config, "--json", env=env)
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    by_collector = {f["collector"]: f for f in document["findings"]}
    assert set(by_collector) == {"okta-log", "entra-log"}
    assert by_collector["okta-log"]["ready"] is False
    text = config.read_text(encoding="utf-8")
    assert secret not in text and secret not in result.stdout and secret not in result.stderr
    assert '# collector = "okta-log"' in text  # written commented out until the export exists
    assert "okta-log" not in {s["collector"] for s in sources_of(config).values()}


@pytest.fixture
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def test_detect_adds_an_aws_source_with_the_account_id(tmp_path: Path, moto_endpoint: str) -> None:
    (tmp_path / "empty").mkdir()
    config = tmp_path / "evidence.toml"
    env = {
        **CLEAN_ENV,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": moto_endpoint,
    }
    result = run_cli("init", "--detect", "--root", tmp_path / "empty", config, env=env)
    assert result.code == 0, result.stderr
    aws = sources_of(config)["aws-123456789012"]
    assert aws["collector"] == "aws"
    assert aws["account_id"] == "123456789012"
    assert aws["regions"] == ["eu-west-1"]
    assert aws["endpoint_url"] == moto_endpoint
    assert "testing" not in config.read_text(encoding="utf-8").replace("# --- found", "")
    load_config(config)  # the written source validates


def test_detect_with_refused_aws_credentials_notes_it_and_adds_no_source(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    config = tmp_path / "evidence.toml"
    env = {**CLEAN_ENV, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    result = run_cli("init", "--detect", "--root", tmp_path / "empty", config, env=env)
    assert result.code == 0, result.stderr
    assert "STS GetCallerIdentity failed" in result.stderr
    assert all(s["collector"] != "aws" for s in sources_of(config).values())


def no_sources_config(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "evidence.toml"
    assert run_cli("init", config).code == 0
    text = config.read_text(encoding="utf-8")
    start = text.index("[[sources]]\ncollector = \"documents\"")
    end = text.index("\n\n", start)
    config.write_text(text[:start] + text[end:], encoding="utf-8")
    assert sources_of(config) == {}
    return config


def test_todo_on_a_config_without_sources_lists_the_step_deciding_most_first(tmp_path: Path) -> None:
    config = no_sources_config(tmp_path / "fresh")
    assert run_cli("collect", "--config", config, "--quiet", cwd=tmp_path / "fresh").code == 0
    result = run_cli("todo", "--config", config, "--json", cwd=tmp_path / "fresh")
    assert result.code == 0, result.stderr
    steps = json.loads(result.stdout)["steps"]
    counts = [len(s["elements"]) for s in steps if s["kind"] != "planned"]
    assert counts[0] == max(counts) and counts == sorted(counts, reverse=True)
    first = steps[0]
    assert first["kind"] == "source"
    assert first["action"] in (f"add a `{first['target']}` source", f"add an `{first['target']}` source")
    assert first["summary"].endswith(f"decides {counts[0]} elements of {len(first['controls'])} controls")
    documents = [s for s in steps if s["kind"] == "document"]
    review = next(s for s in documents if s["target"] == "log-review-record")
    # The stricter reading of "bi-weekly" is the default (issue 15): twice a week, every 4 days at most.
    assert review["cadence"] == "every 4 days"
    assert set(review["fields"]) == {"reviewer", "covers", "follow_up"}
    assert "DPP-LOG-4" in review["controls"]
    text = run_cli("todo", "--config", config, "--limit", "3", cwd=tmp_path / "fresh")
    assert text.code == 0
    assert f"  1. {first['summary']}" in text.stdout
    assert f"... and {len(steps) - 3} more" in text.stdout

    summary = run_cli("evaluate", "--config", config, cwd=tmp_path / "fresh")
    assert summary.code == 3
    lines = summary.stdout.splitlines()
    assert len(lines) <= 12, summary.stdout  # nothing is not met yet: counts and the to-do only
    assert "To do next (top 5 of" in summary.stdout and first["summary"] in summary.stdout
    assert "DPP-LOG-4" not in summary.stdout
    every = run_cli("evaluate", "--config", config, "--all", cwd=tmp_path / "fresh")
    assert every.code == 3 and "DPP-LOG-4" in every.stdout and "DPP-ENC-1" in every.stdout


@pytest.mark.slow
def test_todo_on_the_demo_lists_the_remedies_of_its_deliberate_gaps(demo) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("todo", "--config", demo.root / "evidence.toml", "--json", cwd=demo.root)
    assert result.code == 0, result.stderr
    steps = json.loads(result.stdout)["steps"]
    fixes = {s["target"]: s for s in steps if s["kind"] == "fix"}
    not_met = sorted(r["control_id"] for r in demo.document["results"] if r["status"] == "not_met")
    assert "DPP-RET-1" in not_met and "DPP-LOG-4" in not_met
    assert sorted(fixes) == not_met
    from evidence.controls.catalogue import load_catalogue

    dpp = load_catalogue("amazon-dpp@2025-11")
    assert fixes["DPP-RET-1"]["remediation"] == dpp.control("DPP-RET-1").remediation.strip()
    assert fixes["DPP-LOG-4"]["remediation"] == dpp.control("DPP-LOG-4").remediation.strip()
    # The same data as the run's JSON
    assert [s["summary"] for s in demo.document["todo"]] == [s["summary"] for s in steps]
    text = run_cli("todo", "--config", demo.root / "evidence.toml", cwd=demo.root)
    assert "fix DPP-RET-1 (not met)" in text.stdout and "how: " in text.stdout


@pytest.mark.parametrize("doc_type", sorted(known_doc_types()))
def test_a_template_exists_for_every_document_type(doc_type: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", doc_type]) == 0
    out = capsys.readouterr().out
    spec = known_doc_types()[doc_type]
    assert out.startswith("# ")
    assert f'type = "{doc_type}"' in out
    for name in spec.fields:
        assert f"**{name}**" in out
    if spec.auditor:
        assert spec.auditor in out
    entry = out.split("<!-- Register entry to add (documents/register.toml):\n", 1)[1].rsplit("-->", 1)[0]
    parsed = tomllib.loads(entry.replace("YYYY-MM-DD", "2026-09-30"))
    record = parsed["document"][0].get("record", {})
    assert set(record) | ({"covers"} if "covers_start" in parsed["document"][0] else set()) >= {
        f for f in spec.fields if f not in {"approved_by", "approved_on"}
    }


def test_template_of_an_unknown_type_suggests_close_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", "acess-review"]) == 2
    assert "did you mean access-review" in capsys.readouterr().err


def test_detect_a_kubeconfig_adds_a_commented_job_history_source_with_its_export(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster: {server: https://k8s}\n")
    config = tmp_path / "evidence.toml"
    env = {**CLEAN_ENV, "KUBECONFIG": str(kubeconfig)}
    result = run_cli("init", "--detect", "--no-aws", "--root", tmp_path / "empty", config, env=env)
    assert result.code == 0, result.stderr
    text = config.read_text(encoding="utf-8")
    assert "#   kubectl get cronjobs,jobs --all-namespaces -o json > exports/kubernetes-jobs.json" in text
    assert '# collector = "job-history"' in text and '# format = "kubernetes"' in text
    uncommented = text.replace("# collector", "collector").replace("# name", "name").replace(
        "# paths", "paths").replace("# format", "format").replace("# [[sources]]", "[[sources]]")
    assert sources_of_text(uncommented)["kubernetes-jobs"]["collector"] == "job-history"


def sources_of_text(text: str) -> dict[str, dict[str, object]]:
    return {s["name"]: s for s in tomllib.loads(text).get("sources", [])}
