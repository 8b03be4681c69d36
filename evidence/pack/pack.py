"""Writing the auditor pack: one deterministic zip an auditor can check with sha256sum and openssl.

Entries are sorted by name and stamped with the run's start time, so the same run and the same
reports give the same bytes (an ECDSA signature aside, which is randomised by design). Every
file copied from disk is hashed as it is read and must match the hash the store recorded.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path, PurePosixPath
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from evidence.errors import PackError
from evidence.model.catalogue import Catalogue
from evidence.model.chain import EVALUATION_PREFIX, ChainLink, EvaluationSeal
from evidence.model.crosswalk import Crosswalk, CrosswalkEvaluation
from evidence.model.evidence import EvidenceItem
from evidence.model.results import STATUS_ORDER, Evaluation
from evidence.model.run import RunInfo
from evidence.model.sampling import SampleDraw
from evidence.model.signoff import SIGNOFF_PREFIX, SignOff
from evidence.pack import chain, layout
from evidence.pack.manifest import Manifest
from evidence.pack.oscal import catalog_document
from evidence.pack.oscal_crosswalk import crosswalk_catalog_document, crosswalk_results_document
from evidence.pack.oscal_results import ResultsInput, assessment_results_document, poam_document
from evidence.pack.reveal import MEMBER as REVEAL_MEMBER
from evidence.pack.sampling import ALGORITHM
from evidence.pack.signing import Signer, fingerprint
from evidence.pack.timestamp import request_token
from evidence.pack.workbook import WorkbookInput, write_workbook
from evidence.render.pdf_pages import control_pages
from evidence.render.report_set import attestation_name
from evidence.resources import templates_dir

_CHUNK = 1 << 20


@dataclass(frozen=True)
class DiskFile:
    """A file on disk that goes into the pack, with the SHA-256 the store recorded for it."""

    name: str
    path: Path
    sha256: str
    role: str
    evidence_ids: tuple[str, ...] = ()


@dataclass
class PackInput:
    """Everything a pack is made of, handed over by the pipeline."""

    run: RunInfo
    manifest: Manifest
    links: list[ChainLink]
    evaluation: Evaluation
    evaluation_id: int
    evaluation_sealed: bool
    catalogues: list[Catalogue]
    evidence: list[EvidenceItem]
    reports: list[DiskFile]
    copies: list[DiskFile]
    samples: list[SampleDraw]
    tool_version: str
    signer: Signer | None = None
    #: The HTML report set by path inside html/ (rendered by the pipeline; may be empty).
    html: dict[str, bytes] = field(default_factory=dict)
    #: The run's evaluation seals up to the packed evaluation (chain.json carries them).
    evaluation_seals: list[EvaluationSeal] = field(default_factory=list)
    #: Owners of control families and days to fix by severity (the workbook's request list).
    owners: dict[str, str] = field(default_factory=dict)
    due_days: dict[str, int] = field(default_factory=dict)
    #: Sign-offs of the packed evaluation (signoffs.json), sealed after its evaluation seal.
    signoffs: list[SignOff] = field(default_factory=list)
    #: An RFC 3161 time-stamping authority: when set (and signed), SHA256SUMS.sig is timestamped.
    tsa_url: str | None = None
    #: Further files by name: the config (config/evidence.json), the pseudonym key for the auditor.
    extra: dict[str, bytes] = field(default_factory=dict)
    #: Whether the config packed is the one the run recorded (same SHA-256 as the run's).
    config_matches: bool | None = None
    #: The crosswalk frameworks the config selects, each with its roll-up of the packed evaluation.
    crosswalks: list[tuple[Crosswalk, CrosswalkEvaluation]] = field(default_factory=list)

    @property
    def link(self) -> ChainLink:
        """Return this run's own link (the last of the excerpt)."""
        return self.links[-1]


@dataclass
class PackResult:
    """What `evidence pack` wrote."""

    path: Path
    sha256: str
    files: int
    root_hash: str
    prev_root_hash: str
    fingerprint: str | None


def report_files(reports: list[dict[str, Any]], evaluation_id: int, run: RunInfo) -> list[DiskFile]:
    """List the reports the store recorded for an evaluation (newest row per path) as pack files."""
    by_path = {Path(r["path"]): r for r in reports}
    if not by_path:
        raise PackError(
            f"evaluation {evaluation_id} of run {run.id} has no rendered reports; "
            f"run `evidence report --period {run.period.label}` first"
        )
    return [
        DiskFile(
            name=f"{layout.REPORTS_DIR}{path.name}", path=path, sha256=r["sha256"], role=r["kind"]
        )
        for path, r in by_path.items()
    ]


def copy_files(evidence: list[EvidenceItem], locate: Callable[[str], Path]) -> list[DiskFile]:
    """One pack file per distinct stored redacted copy, with every evidence id it belongs to.

    ``locate`` turns a stored copy's relative path into its place on disk.
    """
    found: dict[str, tuple[str, str, list[str]]] = {}
    for item in evidence:
        for raw in item.raw_inputs:
            if raw.stored_sha256 and raw.stored_path:
                _, _, ids = found.setdefault(
                    raw.stored_sha256,
                    (copy_name(raw.location, verbatim=raw.stored_sha256 == raw.sha256), raw.stored_path, []),
                )
                if item.id not in ids:
                    ids.append(item.id)
    return [
        DiskFile(
            name=f"{layout.EVIDENCE_DIR}{sha}/{name}",
            path=locate(stored),
            sha256=sha,
            role="evidence",
            evidence_ids=tuple(ids),
        )
        for sha, (name, stored, ids) in sorted(found.items())
    ]


_COMPRESSED = (".gz", ".bz2", ".xz", ".zst")
_TEXT_SUFFIXES = (".json", ".jsonl", ".ndjson", ".log", ".csv", ".txt", ".xml", ".yaml", ".yml", ".toml", ".md")


def copy_name(location: str, *, verbatim: bool) -> str:
    """The name of a stored copy in the pack, saying what it is.

    A copy identical to its input keeps the input's name; a redacted one is stored
    decompressed, so it loses ``.gz`` and says ``redacted``
    (``…_CloudTrail_eu-west-1_20260901T0000Z_x.json.gz`` -> ``….redacted.json``).
    """
    name = layout.safe_file_name(PurePosixPath(location.split("#", 1)[0]).name)
    if verbatim:
        return name
    lower = name.lower()
    for suffix in _COMPRESSED:
        if lower.endswith(suffix):
            name, lower = name[: -len(suffix)], lower[: -len(suffix)]
            break
    else:
        return name
    for suffix in _TEXT_SUFFIXES:
        if lower.endswith(suffix) and len(name) > len(suffix):
            return f"{name[: -len(suffix)]}.redacted{name[-len(suffix):]}"
    return f"{name}.redacted"


def cloudtrail_files(evidence: list[EvidenceItem], copies: list[DiskFile]) -> dict[str, Any] | None:
    """cloudtrail/files.json: every CloudTrail delivery and digest file read, as delivered.

    Each entry gives the S3 key (from ``AWSLogs/`` on for a local copy of the bucket), the
    SHA-256 and size of the file as CloudTrail delivered it, the SHA-256 of its decompressed
    content (what a digest lists) where known, and the copy in this pack: the digest files
    themselves (verbatim) and redacted delivery files.
    """
    by_copy = {d.sha256: d.name for d in copies}
    content: dict[str, str] = {}
    found: dict[str, dict[str, Any]] = {}
    for item in evidence:
        if item.collector != "cloudtrail":
            continue
        content.update((item.provenance or {}).get("content_sha256", {}))
        for raw in item.raw_inputs:
            if not raw.sha256 or raw.location.startswith(("athena://", "aws://")):
                continue
            key = _s3_key(raw.location)
            found.setdefault(
                key,
                {
                    "key": key,
                    "kind": "digest" if "CloudTrail-Digest/" in key else "delivery",
                    "original_sha256": raw.sha256,
                    "size": raw.size,
                    "copy": by_copy.get(raw.stored_sha256 or ""),
                    "copy_is_original": raw.stored_sha256 == raw.sha256,
                    "not_copied": raw.stored_note,
                },
            )
    if not found:
        return None
    for entry in found.values():
        name = entry["key"].rsplit("/", 1)[-1]
        if entry["kind"] == "delivery" and name in content:
            entry["content_sha256"] = content[name]
    return {
        "format": "dpp-evidence-cloudtrail-files/1",
        "note": (
            "original_sha256 is the SHA-256 of each file as CloudTrail delivered it (sha256sum of the "
            "object in the trail bucket); content_sha256 is that of its decompressed content, which "
            "the digest files list as hashValue. ORIGINAL-SHA256SUMS lists the first by S3 key."
        ),
        "files": [found[k] for k in sorted(found)],
    }


def _s3_key(location: str) -> str:
    if location.startswith("s3://"):
        return location.split("#", 1)[0][5:].split("/", 1)[-1]
    text = location.replace("\\", "/")
    marker = text.find("AWSLogs/")
    return text[marker:] if marker >= 0 else text


def write_pack(data: PackInput, target: Path) -> PackResult:
    """Write the pack of ``data`` to ``target`` (atomically: a failed pack leaves no file)."""
    if not data.links or data.link.run_uid != data.run.uid:
        raise PackError(f"run {data.run.id} is not sealed, so it cannot be packed")
    members = _members(data)
    digests = {name: _digest(content) for name, content in members.items()}
    members[layout.README] = _readme(data)
    digests[layout.README] = _digest(members[layout.README])
    sums = layout.format_sums(digests)
    members[layout.SUMS] = sums
    if data.signer is not None:
        signature = data.signer.sign(sums)
        members[layout.SIGNATURE] = signature
        if data.tsa_url:
            members[layout.TIMESTAMP] = request_token(data.tsa_url, signature)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        _write_zip(partial, members, data.run)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return PackResult(
        path=target,
        sha256=_file_sha256(target),
        files=len(members),
        root_hash=data.link.root_hash,
        prev_root_hash=data.link.prev_root_hash,
        fingerprint=fingerprint(data.signer.certificate) if data.signer else None,
    )


def _members(data: PackInput) -> dict[str, bytes | DiskFile]:
    """Every file of the pack but README.txt, SHA256SUMS and the signature."""
    members: dict[str, bytes | DiskFile] = {
        layout.MANIFEST: data.manifest.text.encode("utf-8"),
        layout.CHAIN: layout.json_bytes(chain_document(data)),
        layout.EVALUATION: layout.json_bytes(
            {
                "evaluation_id": data.evaluation_id,
                "sealed": data.evaluation_sealed,
                **data.evaluation.model_dump(mode="json"),
            }
        ),
        layout.SAMPLES: layout.json_bytes(
            {"algorithm": ALGORITHM, "draws": [d.model_dump(mode="json") for d in data.samples]}
        ),
    }
    for disk in [*data.reports, *data.copies]:
        if disk.name in members:
            raise PackError(f"two files would be packed as {disk.name}")
        members[disk.name] = disk
    for name, content in data.html.items():
        members[f"{layout.HTML_DIR}{name}"] = content
    for name, content in data.extra.items():
        if name in members:
            raise PackError(f"two files would be packed as {name}")
        members[name] = content
    catalog_files = {}
    for catalogue in data.catalogues:
        name = layout.catalog_name(catalogue.ref)
        catalog_files[catalogue.ref] = name
        members[name] = layout.json_bytes(catalog_document(catalogue))
    for crosswalk, rolled in data.crosswalks:
        members[layout.catalog_name(crosswalk.ref)] = layout.json_bytes(crosswalk_catalog_document(crosswalk))
        members[layout.crosswalk_results_name(crosswalk.ref)] = layout.json_bytes(
            crosswalk_results_document(data.run, data.evaluation.as_of, crosswalk, rolled, data.tool_version)
        )
    trail = cloudtrail_files(data.evidence, data.copies)
    if trail is not None:
        members[layout.CLOUDTRAIL] = layout.json_bytes(trail)
        members[layout.CLOUDTRAIL_SUMS] = "".join(
            f"{f['original_sha256']}  {f['key']}\n" for f in trail["files"]
        ).encode("utf-8")
    results = ResultsInput(
        run=data.run,
        evaluation=data.evaluation,
        catalogues=data.catalogues,
        evidence=data.evidence,
        tool_version=data.tool_version,
        manifest_sha256=data.manifest.sha256,
        root_hash=data.link.root_hash,
        evidence_files=_files_by_evidence(data.copies),
        catalog_files=catalog_files,
    )
    members[layout.ASSESSMENT_RESULTS] = layout.json_bytes(assessment_results_document(results))
    members[layout.WORKBOOK] = workbook_bytes(data)
    members[layout.SIGNOFFS] = layout.json_bytes(signoffs_document(data.signoffs))
    poam = poam_document(results)
    if poam is not None:
        members[layout.POAM] = layout.json_bytes(poam)
    if data.signer is not None:
        members[layout.CERTIFICATE] = data.signer.certificate_pem
        members[layout.PUBLIC_KEY] = data.signer.public_key_pem
    members[layout.PACK_INFO] = layout.json_bytes(_pack_info(data, members))
    return members


def signoffs_document(signoffs: list[SignOff]) -> dict[str, Any]:
    """signoffs.json: who approved which reports and when, each record sealed and signed."""
    return {
        "format": "dpp-evidence-signoffs/1",
        "rule": (
            "sha256 = SHA-256 of the record's canonical JSON (sorted keys, no whitespace); "
            f"root_hash = SHA-256 of '{SIGNOFF_PREFIX}\\n' + prev_hash + '\\n' + sha256 + '\\n'; "
            "prev_hash is the root hash of the evaluation's seal in chain.json for the first "
            "sign-off, else the previous sign-off's root hash; signature = the signer's "
            "signature (base64; SHA-256, PKCS#1 v1.5 or ECDSA) over that canonical JSON, checked "
            "with certificate_pem"
        ),
        "signoffs": [s.model_dump(mode="json") for s in signoffs],
    }


def workbook_bytes(data: PackInput) -> bytes:
    """The auditor workbook of the pack (workbook.xlsx)."""
    files: dict[str, list[str]] = {}
    for disk in data.copies:
        for evidence_id in disk.evidence_ids:
            files.setdefault(evidence_id, []).append(disk.name)
    pdfs: dict[str, str] = {}
    pages: dict[tuple[str, str], int] = {}
    for catalogue in data.catalogues:
        name = attestation_name(catalogue, data.run.period)
        found = next((d for d in data.reports if PurePosixPath(d.name).name == name), None)
        if found is None:
            continue
        pdfs[catalogue.ref] = found.name
        for control_id, page in control_pages(found.path).items():
            pages[(catalogue.ref, control_id)] = page
    return write_workbook(
        WorkbookInput(
            evaluation=data.evaluation,
            catalogues=data.catalogues,
            evidence=data.evidence,
            samples=data.samples,
            files=files,
            pdfs=pdfs,
            pages=pages,
            owners=data.owners,
            due_days=data.due_days,
            seed_from={i: d.seed_from for i, d in enumerate(data.samples) if d.seed_from},
            attributes={
                (i, item.id): (item.attributes, item.result)
                for i, d in enumerate(data.samples)
                for item in d.items
            },
            stamp=data.run.started_at,
        )
    )


def chain_document(data: PackInput) -> dict[str, Any]:
    """chain.json: the organisation's chain up to this run, enough to check every link offline."""
    return {
        "format": "dpp-evidence-chain/1",
        "developer_id": data.run.developer_id,
        "rule": (
            f"root_hash = SHA-256 of the text '{chain.PREFIX}\\n' + prev_root_hash + '\\n' + "
            "manifest_sha256 + '\\n' (lowercase hex); the first run's prev_root_hash is 64 zeros"
        ),
        "genesis": chain.GENESIS,
        "links": [link.model_dump(mode="json") for link in data.links],
        "evaluation_rule": (
            f"each evaluation is sealed when written: root_hash = SHA-256 of '{EVALUATION_PREFIX}\\n' + "
            "prev_hash + '\\n' + sha256 + '\\n', where sha256 is that of the evaluation's canonical "
            "JSON (evaluation.json without evaluation_id, sealed and waivers; sorted keys, no "
            "whitespace) and prev_hash is the run's root hash, then the previous evaluation's"
        ),
        "evaluation_seals": [seal.model_dump(mode="json") for seal in data.evaluation_seals],
    }


def _pack_info(data: PackInput, members: dict[str, bytes | DiskFile]) -> dict[str, Any]:
    counts = data.evaluation.counts()
    return {
        "format": layout.FORMAT,
        "tool": {"name": "dpp-evidence", "version": data.tool_version},
        "organisation": {
            "legal_name": data.run.organisation,
            "developer_id": data.run.developer_id,
        },
        "run": {"id": data.run.id, "uid": data.run.uid, "period": data.run.period.label},
        "evaluation": {
            "id": data.evaluation_id,
            "as_of": data.evaluation.as_of.isoformat(),
            "sealed": data.evaluation_sealed,
            "counts": {status.value: counts[status] for status in STATUS_ORDER},
        },
        "root_hash": data.link.root_hash,
        "prev_root_hash": data.link.prev_root_hash,
        "manifest_sha256": data.manifest.sha256,
        "signed": data.signer is not None,
        "timestamped": data.signer is not None and bool(data.tsa_url),
        "config": (
            {
                "path": layout.CONFIG,
                "run_config_sha256": data.run.config_sha256,
                "same_as_run": data.config_matches,
            }
            if layout.CONFIG in members
            else None
        ),
        "pseudonym_key": REVEAL_MEMBER if REVEAL_MEMBER in members else None,
        "files": [
            {
                "path": name,
                "role": (
                    content.role
                    if isinstance(content, DiskFile)
                    else "html" if name.startswith(layout.HTML_DIR) else "data"
                ),
                "evidence_ids": list(content.evidence_ids) if isinstance(content, DiskFile) else [],
            }
            for name, content in sorted(members.items())
        ],
    }


def _files_by_evidence(copies: list[DiskFile]) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for disk in copies:
        for evidence_id in disk.evidence_ids:
            found.setdefault(evidence_id, []).append((disk.name, disk.sha256))
    return found


def _readme(data: PackInput) -> bytes:
    environment = Environment(
        loader=FileSystemLoader(str(templates_dir() / "pack")),
        autoescape=False,  # plain text for a terminal, never HTML
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Names from the config or the evidence stay on one line, so none can pose as a command.
    environment.filters["oneline"] = lambda value: " ".join(str(value).split())
    counts = data.evaluation.counts()
    text = environment.get_template("README.txt.j2").render(
        run=data.run,
        link=data.link,
        previous=data.links[-2] if len(data.links) > 1 else None,
        prefix=chain.PREFIX,
        manifest_sha256=data.manifest.sha256,
        evaluation=data.evaluation,
        evaluation_sealed=data.evaluation_sealed,
        counts=[(status.label, counts[status]) for status in STATUS_ORDER],
        reports=[d.name for d in data.reports],
        copies=len(data.copies),
        html=bool(data.html),
        samples=data.samples,
        revealed=REVEAL_MEMBER in data.extra,
        cloudtrail=cloudtrail_files(data.evidence, data.copies) is not None,
        signed=data.signer is not None,
        timestamped=data.signer is not None and bool(data.tsa_url),
        tsa_url=data.tsa_url or "",
        fingerprint=fingerprint(data.signer.certificate) if data.signer else None,
        tool_version=data.tool_version,
    )
    return text.encode("utf-8")


def _chunks(content: bytes | DiskFile) -> Iterator[bytes]:
    """Yield a member's bytes; a file on disk must still hash to what the store recorded."""
    if isinstance(content, bytes):
        yield content
        return
    digest = hashlib.sha256()
    try:
        with content.path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                yield chunk
    except OSError as exc:
        raise PackError(f"cannot read {content.path} for {content.name}: {exc.strerror}") from None
    if digest.hexdigest() != content.sha256:
        raise PackError(
            f"{content.path} ({content.name}) changed since the store recorded it: sha256 is "
            f"{digest.hexdigest()}, the store recorded {content.sha256}"
        )


def _digest(content: bytes | DiskFile) -> str:
    digest = hashlib.sha256()
    for chunk in _chunks(content):
        digest.update(chunk)
    return digest.hexdigest()


def _write_zip(path: Path, members: dict[str, bytes | DiskFile], run: RunInfo) -> None:
    stamp = run.started_at.astimezone(UTC)
    date_time = (
        max(stamp.year, 1980),
        stamp.month,
        stamp.day,
        stamp.hour,
        stamp.minute,
        stamp.second,
    )
    with zipfile.ZipFile(path, "w") as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            content = members[name]
            size = content.path.stat().st_size if isinstance(content, DiskFile) else len(content)
            with archive.open(info, "w", force_zip64=size >= zipfile.ZIP64_LIMIT) as out:
                for chunk in _chunks(content):
                    out.write(chunk)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
