"""`evidence init --detect`: find, read-only, what this machine and environment can give evidence from.

Each place looked at gives at most one finding: a source for the config, with comments saying
what it decides. Nothing is changed and nothing is read beyond the names and first bytes of
files, except one AWS call (STS GetCallerIdentity) when credentials are present. Secrets are
never written: identity-provider credentials are named by their environment variables only.
A finding that needs an export first (an Okta System Log, a journal, a cluster's jobs) is
written commented out, with the command that makes the export.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Folders never searched for Terraform files.
_SKIP_DIRS = {".git", ".terraform", "node_modules", ".venv", "venv", "__pycache__", ".evidence", ".tox"}
#: How deep under the folder Terraform files are looked for.
_TERRAFORM_DEPTH = 4
_TERRAFORM_LIMIT = 50
#: Terraform's binary plan files: read through `terraform show -json`.
_BINARY_PLANS = {".tfplan", ".plan"}


@dataclass(frozen=True)
class Finding:
    """A source to write: its collector, name and settings, what it decides, and whether it is ready.

    A finding that is not ``ready`` is written commented out, after ``todo`` (how to make the
    export it reads).
    """

    collector: str
    name: str
    settings: Mapping[str, Any]
    decides: str
    found: str
    ready: bool = True
    todo: Sequence[str] = ()

    def as_json(self) -> dict[str, Any]:
        """The finding as `evidence init --detect --json` prints it."""
        return {
            "collector": self.collector,
            "name": self.name,
            "settings": dict(self.settings),
            "decides": self.decides,
            "found": self.found,
            "ready": self.ready,
            "todo": list(self.todo),
        }


@dataclass
class Detection:
    """What was found, and every place that was looked at (so "nothing found" says where)."""

    findings: list[Finding] = field(default_factory=list)
    looked_for: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def detect(root: Path, env: Mapping[str, str], folder: Path, *, aws: bool = True) -> Detection:
    """Look under ``root`` (``/`` for this machine), in ``env`` and, for Terraform, in ``folder``."""
    found = Detection()
    for step in (_web_logs, _auth_logs, _postgres_logs, _host_config, _kubernetes):
        step(root, env, found)
    _terraform(folder, found)
    if aws:
        _aws(env, found)
    _identity_providers(env, found)
    return found


def _under(root: Path, path: str) -> Path:
    return root / path.lstrip("/")


def _files(folder: Path, prefixes: Sequence[str]) -> list[Path]:
    """Files directly in ``folder`` whose names start with one of ``prefixes``, sorted."""
    if not folder.is_dir():
        return []
    try:
        return sorted(p for p in folder.iterdir() if p.is_file() and p.name.startswith(tuple(prefixes)))
    except OSError:
        return []


def _usable(files: list[Path], found: Detection) -> list[Path]:
    """The files that can be read; a note names those that cannot (run as a user who can)."""
    readable = [f for f in files if _readable(f)]
    if len(readable) < len(files):
        skipped = [str(f) for f in files if f not in readable]
        found.notes.append(
            f"cannot read {', '.join(skipped[:3])}{' and more' if len(skipped) > 3 else ''}: "
            "run as a user who may read them (the adm group reads most logs)"
        )
    return readable


def _readable(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            handle.read(1)
        return True
    except OSError:
        return False


def _web_logs(root: Path, env: Mapping[str, str], found: Detection) -> None:
    places = (
        ("nginx", "access-log", "/var/log/nginx", ("access.log",), "combined"),
        ("apache", "access-log", "/var/log/apache2", ("access.log", "other_vhosts_access.log"), "combined"),
        ("httpd", "access-log", "/var/log/httpd", ("access_log",), "combined"),
    )
    for name, collector, folder, prefixes, fmt in places:
        path = _under(root, folder)
        found.looked_for.append(f"{name} access logs: {path}/{prefixes[0]}*")
        files = _usable(_files(path, prefixes), found)
        if files:
            found.findings.append(
                Finding(
                    collector=collector,
                    name=name,
                    settings={"paths": [str(path / f"{prefixes[0]}*")], "format": fmt},
                    decides="who reached the application and when (DPP logging and access controls: "
                    "activity logged on every day of the period, no PII in logs)",
                    found=f"{len(files)} {name} access log file(s) in {path}",
                )
            )


def _auth_logs(root: Path, env: Mapping[str, str], found: Detection) -> None:
    for name, prefix in (("auth.log", "auth.log"), ("secure", "secure")):
        path = _under(root, "/var/log")
        found.looked_for.append(f"SSH and sudo log: {path}/{prefix}*")
        files = _usable(_files(path, (prefix,)), found)
        if files:
            found.findings.append(
                Finding(
                    collector="auth-log",
                    name="auth",
                    settings={"paths": [str(path / f"{prefix}*")]},
                    decides="SSH, sudo and account changes: unique accounts, MFA on logins, offboarding "
                    "(DPP access controls) and log coverage",
                    found=f"{len(files)} {name} file(s) in {path}",
                )
            )
            return
    journal = _under(root, "/var/log/journal")
    found.looked_for.append(f"systemd journal: {journal}")
    if journal.is_dir():
        export = "exports/journal-auth.json"
        found.findings.append(
            Finding(
                collector="auth-log",
                name="journal-auth",
                settings={"paths": [export]},
                decides="SSH, sudo and account changes from the journal (DPP access controls)",
                found=f"a systemd journal in {journal} (binary: it is read through an export)",
                ready=False,
                todo=(
                    f"journalctl -o json _COMM=sshd _COMM=sudo --since 2026-07-01 > {export}  "
                    "(adjust --since to the period's start)",
                ),
            )
        )


def _postgres_logs(root: Path, env: Mapping[str, str], found: Detection) -> None:
    folders = [_under(root, "/var/log/postgresql")]
    folders += [d / "log" for d in _postgres_data_dirs(root, env)]
    for folder in folders:
        found.looked_for.append(f"PostgreSQL server log: {folder}/postgresql*")
        files = _usable(_files(folder, ("postgresql",)), found)
        if files:
            found.findings.append(
                Finding(
                    collector="postgres-log",
                    name="postgresql-log",
                    settings={"paths": [str(folder / "postgresql*")]},
                    decides="database connections and authentication (DPP logging and access controls)",
                    found=f"{len(files)} PostgreSQL log file(s) in {folder}",
                )
            )
            return


def _postgres_data_dirs(root: Path, env: Mapping[str, str]) -> list[Path]:
    """Folders holding a postgresql.conf: PGDATA, Debian's /etc/postgresql/*/main, data dirs."""
    candidates: list[Path] = []
    if env.get("PGDATA"):
        candidates.append(_under(root, env["PGDATA"]))
    for base in ("/etc/postgresql", "/var/lib/postgresql"):
        folder = _under(root, base)
        if folder.is_dir():
            candidates += sorted(p.parent for p in folder.glob("*/main/postgresql.conf"))
            candidates += sorted(p.parent for p in folder.glob("*/data/postgresql.conf"))
    for fixed in ("/var/lib/pgsql/data", "/var/lib/postgresql/data"):
        candidates.append(_under(root, fixed))
    unique: dict[str, Path] = {}
    for path in candidates:
        if (path / "postgresql.conf").is_file():
            unique.setdefault(str(path), path)
    return list(unique.values())


def _host_config(root: Path, env: Mapping[str, str], found: Detection) -> None:
    settings: dict[str, Any] = {}
    seen: list[str] = []
    files = (
        ("sshd", "/etc/ssh/sshd_config"),
        ("nginx", "/etc/nginx/nginx.conf"),
        ("apache", "/etc/apache2/apache2.conf"),
        ("apache", "/etc/httpd/conf/httpd.conf"),
    )
    for key, path in files:
        full = _under(root, path)
        found.looked_for.append(f"{key} configuration: {full}")
        if full.is_file() and _readable(full):
            settings.setdefault(key, []).append(str(full))
            seen.append(str(full))
    found.looked_for.append(
        f"PostgreSQL configuration: $PGDATA, {_under(root, '/etc/postgresql')}/*/main, "
        f"{_under(root, '/var/lib/postgresql')}/*/main, {_under(root, '/var/lib/pgsql/data')}"
    )
    for folder in _postgres_data_dirs(root, env):
        settings.setdefault("postgresql", []).append(str(folder / "postgresql.conf"))
        seen.append(str(folder / "postgresql.conf"))
        if (folder / "pg_hba.conf").is_file():
            settings.setdefault("pg_hba", []).append(str(folder / "pg_hba.conf"))
            seen.append(str(folder / "pg_hba.conf"))
    if not settings:
        return
    if root.resolve() != Path("/"):
        settings = {"include_root": str(root), **settings}
    found.findings.append(
        Finding(
            collector="host-config",
            name="this-host",
            settings=settings,
            decides="transport encryption and authentication settings of SSH, web and database servers "
            "(DPP encryption in transit, access controls, database connection logging)",
            found=", ".join(seen),
        )
    )


def _kubernetes(root: Path, env: Mapping[str, str], found: Detection) -> None:
    configured = [p for p in env.get("KUBECONFIG", "").split(os.pathsep) if p]
    paths = [Path(p) for p in configured] or [_under(root, str(Path(env.get("HOME", "/root")) / ".kube/config"))]
    for path in paths:
        found.looked_for.append(f"kubeconfig: {path}")
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")[:200_000]
        except OSError:
            continue
        if "clusters:" not in text:
            continue
        export = "exports/kubernetes-jobs.json"
        found.findings.append(
            Finding(
                collector="job-history",
                name="kubernetes-jobs",
                settings={"paths": [export], "format": "kubernetes"},
                decides="runs of scheduled purge jobs (CronJobs) over the period (DPP retention)",
                found=f"a kubeconfig at {path} (its clusters' CronJobs are read through an export)",
                ready=False,
                todo=(f"kubectl get cronjobs,jobs --all-namespaces -o json > {export}  (daily: Kubernetes "
                      "keeps only the last few Jobs)",),
            )
        )
        return


def _terraform(folder: Path, found: Detection) -> None:
    found.looked_for.append(f"Terraform state and plan JSON: *.tfstate, *.tfplan.json, plan.json under {folder}")
    walked = sorted(_walk_terraform(folder, 0))
    binary = [p for p in walked if p.suffix in _BINARY_PLANS or p.name in {"tfplan", "plan.out"}]
    files = [p for p in walked if p not in binary][:_TERRAFORM_LIMIT]
    for plan in binary[:3]:
        found.notes.append(
            f"{plan} is a binary Terraform plan: save `terraform show -json {plan.name} > {plan.name}.json` "
            "and add the .json to the terraform source"
        )
    if files:
        found.findings.append(
            Finding(
                collector="terraform",
                name="terraform",
                settings={"paths": [str(p) for p in files]},
                decides="AWS settings as applied: encryption at rest, keys, lifecycle, password policy, "
                "network exposure, logging (DPP encryption, retention, network controls)",
                found=f"{len(files)} Terraform file(s) under {folder}",
            )
        )


def _walk_terraform(folder: Path, depth: int) -> Iterator[Path]:
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.is_symlink():
            continue
        if entry.is_dir():
            if depth < _TERRAFORM_DEPTH and entry.name not in _SKIP_DIRS:
                yield from _walk_terraform(entry, depth + 1)
        elif entry.suffix in _BINARY_PLANS or entry.name in {"tfplan", "plan.out"}:
            yield entry
        elif entry.name.endswith(".tfstate") or entry.name.endswith((".tfplan.json", ".tfstate.json")) or (
            entry.name == "plan.json" and any(p.suffix == ".tf" for p in folder.glob("*.tf"))
        ):
            yield entry


def _aws(env: Mapping[str, str], found: Detection) -> None:
    """One STS GetCallerIdentity call with the standard credential chain; nothing else is called."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    found.looked_for.append(
        "AWS credentials: environment (AWS_ACCESS_KEY_ID, AWS_PROFILE), ~/.aws/credentials and config, "
        "instance role (checked with STS GetCallerIdentity only)"
    )
    if not any(env.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE")):
        home = Path(env.get("HOME", str(Path.home())))
        if not any((home / ".aws" / name).is_file() for name in ("credentials", "config")):
            return
    try:
        session = boto3.Session(profile_name=env.get("AWS_PROFILE") or None)
        if session.get_credentials() is None:
            return
        region = session.region_name or "us-east-1"
        endpoint = env.get("AWS_ENDPOINT_URL_STS") or env.get("AWS_ENDPOINT_URL")
        client = session.client(
            "sts",
            region_name=region,
            endpoint_url=endpoint or None,
            config=Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=10),
        )
        identity = client.get_caller_identity()
    except (BotoCoreError, ClientError) as exc:
        found.notes.append(f"AWS credentials were found but STS GetCallerIdentity failed: {exc}")
        return
    account = str(identity.get("Account", ""))
    settings: dict[str, Any] = {"account_id": account, "regions": [region]}
    if env.get("AWS_PROFILE"):
        settings["profile"] = env["AWS_PROFILE"]
    if endpoint:
        settings["endpoint_url"] = endpoint
    found.findings.append(
        Finding(
            collector="aws",
            name=f"aws-{account}",
            settings=settings,
            decides="AWS account settings, live and read-only: encryption at rest and keys, IAM password "
            "policy and credentials, secret rotation, network exposure, CloudTrail and log retention",
            found=f"AWS credentials for account {account} in {region}",
        )
    )


_IDENTITY = (
    (
        "okta-log",
        "okta",
        ("OKTA_API_TOKEN", "OKTA_CLIENT_TOKEN", "OKTA_ORG_URL", "OKTA_DOMAIN"),
        "exports/okta",
        "curl -H \"Authorization: SSWS $OKTA_API_TOKEN\" \"$OKTA_ORG_URL/api/v1/logs?since=2026-07-01T00:00:00Z\" "
        "> exports/okta/system-log.json  (follow the Link: next headers for every page)",
        "sign-ins with MFA, lockouts, deactivations and admin grants in Okta (DPP access controls)",
    ),
    (
        "google-workspace-log",
        "google-workspace",
        ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_WORKSPACE_ADMIN", "GOOGLE_ADMIN_EMAIL"),
        "exports/google-workspace",
        "save the Admin SDK Reports API activities (applicationName=login and admin) as JSON in "
        "exports/google-workspace/",
        "sign-ins with 2-step verification and account suspensions in Google Workspace (DPP access controls)",
    ),
    (
        "entra-log",
        "entra",
        ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "MSGRAPH_CLIENT_ID", "GRAPH_CLIENT_ID"),
        "exports/entra",
        "save Microsoft Graph /auditLogs/signIns and /auditLogs/directoryAudits as JSON in exports/entra/",
        "sign-ins with MFA and account changes in Microsoft Entra ID (DPP access controls)",
    ),
)


def _identity_providers(env: Mapping[str, str], found: Detection) -> None:
    """Identity-provider credentials, named by variable only: their collectors read exports."""
    for collector, name, variables, export, how, decides in _IDENTITY:
        found.looked_for.append(f"{name} credentials in the environment: {', '.join(variables)}")
        present = [v for v in variables if env.get(v)]
        if present:
            found.findings.append(
                Finding(
                    collector=collector,
                    name=name,
                    settings={"paths": [export]},
                    decides=decides,
                    found=f"{', '.join(present)} set in the environment (values not read)",
                    ready=False,
                    todo=(how,),
                )
            )


def render_sources(detection: Detection) -> str:
    """The ``[[sources]]`` tables of the findings, commented, to append to a starter config."""
    lines = ["", "# --- found by `evidence init --detect` ----------------------------------------------------"]
    if not detection.findings:
        lines.append("# nothing found; looked for:")
        lines += [f"#   {place}" for place in detection.looked_for]
    for finding in detection.findings:
        lines += ["", f"# {finding.found}", f"# Decides: {finding.decides}"]
        body = ["[[sources]]", f"collector = {_toml(finding.collector)}", f"name = {_toml(finding.name)}"]
        body += [f"{key} = {_toml(value)}" for key, value in finding.settings.items()]
        if finding.ready:
            lines += body
        else:
            lines.append("# Needs an export first; make it, then remove the # before each line below:")
            lines += [f"#   {step}" for step in finding.todo]
            lines += [f"# {line}" for line in body]
    return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    """A TOML value: strings and lists of strings (JSON's escapes are TOML's basic-string escapes)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
