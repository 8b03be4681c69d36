"""Checking an auditor pack offline, with nothing but the pack: files, signature, chain, content.

Every check runs even when an earlier one failed, so the report lists everything that is wrong,
each as one sentence naming the file, run or control and both values.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from evidence.errors import PackError
from evidence.model.canonical import sha256_hex
from evidence.model.chain import ChainLink, EvaluationSeal, evaluation_root, sealed_evaluation_text
from evidence.model.results import Evaluation
from evidence.model.sampling import SampleDraw
from evidence.model.signoff import SignOff, record_sha256, signoff_root, signoff_text
from evidence.pack import layout
from evidence.pack.chain import link_problems
from evidence.pack.manifest import (
    Manifest,
    evaluation_entry,
    parse_manifest,
    status_differences,
    stored_copies,
)
from evidence.pack.safezip import DEFAULT_LIMITS, Limits, SafeZip
from evidence.pack.sampling import redraw_problems
from evidence.pack.signing import (
    fingerprint,
    load_certificate,
    normalise_fingerprint,
    public_key_pem,
    signature_valid,
)
from evidence.pack.timestamp import check_token


@dataclass
class VerifyReport:
    """What verifying a pack found: checks passed, failures, notes, and what the pack is."""

    path: Path
    passed: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failures


def verify_pack(
    path: Path, trust: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> VerifyReport:
    """Verify the pack at ``path``; ``trust`` is the fingerprint the signer certificate must have.

    An unsafe or unreadable zip raises PackError; everything else is reported.
    """
    trusted = normalise_fingerprint(trust) if trust else None
    with SafeZip(path, limits) as pack:
        return _Verifier(pack, VerifyReport(path), trusted).run()


class _Verifier:
    def __init__(self, pack: SafeZip, report: VerifyReport, trusted: str | None) -> None:
        self.pack = pack
        self.report = report
        self.trusted = trusted
        self.names = set(pack.names)
        self.actual: dict[str, str] = {}

    def fail(self, message: str) -> None:
        self.report.failures.append(message)

    def json(self, name: str) -> Any:
        if name not in self.names:
            return None
        try:
            return orjson.loads(self.pack.read(name))
        except orjson.JSONDecodeError as exc:
            self.fail(f"{name}: not valid JSON ({exc})")
        except PackError as exc:
            self.fail(str(exc))
        return None

    def run(self) -> VerifyReport:
        for name in layout.REQUIRED:
            if name not in self.names:
                self.fail(f"missing: {name} (every pack has it)")
        self._hash_all()
        sums = self._check_files()
        self._check_signature(sums)
        self._check_timestamp()
        manifest = self._check_chain()
        if manifest is not None:
            self._check_copies(manifest)
            evaluation = self._check_evaluation(manifest)
            if evaluation is not None:
                self._check_oscal(evaluation)
            self._check_samples(manifest)
        self._check_signoffs()
        return self.report

    def _hash_all(self) -> None:
        for name in sorted(self.names):
            try:
                self.actual[name] = self.pack.sha256(name)
            except PackError as exc:
                self.fail(f"modified: {exc}")

    def _check_files(self) -> bytes | None:
        if layout.SUMS not in self.names:
            return None
        sums = self.pack.read(layout.SUMS)
        listed, bad = layout.parse_sums(sums)
        for line in bad:
            self.fail(line)
        for name, expected in sorted(listed.items()):
            if name not in self.names:
                self.fail(f"missing: {name} is listed in {layout.SUMS} but not in the pack")
            elif name in self.actual and self.actual[name] != expected:
                self.fail(
                    f"modified: {name}: sha256 is {self.actual[name]}, "
                    f"{layout.SUMS} says {expected}"
                )
        for name in sorted(self.names - listed.keys() - set(layout.UNLISTED)):
            self.fail(f"added: {name} is in the pack but not listed in {layout.SUMS}")
        intact = sum(1 for n, e in listed.items() if self.actual.get(n) == e)
        self.report.passed.append(
            f"{intact} of {len(listed)} files listed in {layout.SUMS} match their SHA-256"
        )
        return sums

    def _check_signature(self, sums: bytes | None) -> None:
        info = self.json(layout.PACK_INFO) or {}
        self.report.facts["signed"] = layout.SIGNATURE in self.names
        if layout.SIGNATURE not in self.names:
            if info.get("signed"):
                self.fail(f"missing: {layout.SIGNATURE} (pack.json says the pack is signed)")
            if self.trusted:
                self.fail(f"not signed: --trust was given, but the pack has no {layout.SIGNATURE}")
            if not info.get("signed") and not self.trusted:
                self.report.notes.append(
                    "the pack is not signed: it proves nothing about who made it. Anyone can build "
                    "a consistent unsigned pack; trust it only if its root hash matches one the "
                    "developer gave you by another channel"
                )
            return
        if layout.CERTIFICATE not in self.names:
            self.fail(
                f"missing: {layout.CERTIFICATE} "
                "(the pack is signed, so it needs the signer certificate)"
            )
            return
        try:
            certificate = load_certificate(self.pack.read(layout.CERTIFICATE), layout.CERTIFICATE)
        except PackError as exc:
            self.fail(str(exc))
            return
        found = fingerprint(certificate)
        self.report.facts["fingerprint"] = found
        self.report.facts["signer"] = certificate.subject.rfc4514_string()
        if sums is not None and signature_valid(
            certificate, self.pack.read(layout.SIGNATURE), sums
        ):
            self.report.passed.append(
                f"signature over {layout.SUMS} verified with {layout.CERTIFICATE} ({found})"
            )
        elif sums is not None:
            self.fail(
                f"bad signature: {layout.SIGNATURE} does not verify {layout.SUMS} with the key of "
                f"{layout.CERTIFICATE} (fingerprint {found})"
            )
        if layout.PUBLIC_KEY in self.names and self.pack.read(layout.PUBLIC_KEY) != public_key_pem(
            certificate
        ):
            self.fail(f"{layout.PUBLIC_KEY} is not the public key of {layout.CERTIFICATE}")
        if self.trusted is not None:
            if found.replace(":", "").lower() == self.trusted:
                self.report.passed.append("the signer is the trusted key (--trust)")
            else:
                self.fail(
                    f"untrusted signer: {layout.CERTIFICATE} has fingerprint {found}, "
                    "not the trusted "
                    f"{_colons(self.trusted)}"
                )

    def _check_timestamp(self) -> None:
        """An RFC 3161 token over SHA256SUMS.sig must stamp exactly that signature."""
        info = self.json(layout.PACK_INFO) or {}
        if layout.TIMESTAMP not in self.names:
            if info.get("timestamped"):
                self.fail(f"missing: {layout.TIMESTAMP} (pack.json says the signature is timestamped)")
            return
        if layout.SIGNATURE not in self.names:
            self.fail(f"{layout.TIMESTAMP} stamps {layout.SIGNATURE}, which the pack does not have")
            return
        check = check_token(
            self.pack.read(layout.TIMESTAMP), self.pack.read(layout.SIGNATURE), layout.SIGNATURE
        )
        for problem in check.problems:
            self.fail(f"bad timestamp: {layout.TIMESTAMP}: {problem}")
        if check.gen_time is not None:
            self.report.facts["timestamp"] = check.gen_time.isoformat()
        if check.authority is not None:
            self.report.facts["timestamp_authority"] = check.authority
        if not check.problems:
            self.report.passed.append(
                f"RFC 3161 timestamp of {layout.SIGNATURE}: {check.gen_time:%Y-%m-%d %H:%M:%S %Z} "
                f"by {check.authority} (SHA-256 fingerprint {check.authority_fingerprint}); "
                "trust it only if you trust that authority"
            )

    def _check_chain(self) -> Manifest | None:
        before = len(self.report.failures)
        data = self.json(layout.CHAIN)
        if data is None:
            return None
        try:
            links = [ChainLink.model_validate(link) for link in data["links"]]
        except (KeyError, TypeError, ValidationError) as exc:
            self.fail(f"{layout.CHAIN}: malformed: {str(exc).splitlines()[0]}")
            return None
        if not links:
            self.fail(f"{layout.CHAIN}: lists no links")
            return None
        by_id = {link.run_id: link for link in links}
        for run_id, problems in link_problems(links).items():
            for problem in problems:
                self.fail(f"chain broken at run {run_id} ({by_id[run_id].period}): {problem}")
        last = links[-1]
        self.report.facts.update(root_hash=last.root_hash, prev_root_hash=last.prev_root_hash)
        if layout.MANIFEST not in self.names:
            return None
        try:
            manifest = parse_manifest(self.pack.read(layout.MANIFEST), layout.MANIFEST)
        except PackError as exc:
            self.fail(str(exc))
            return None
        if manifest.sha256 != last.manifest_sha256:
            self.fail(
                f"manifest edited: {layout.MANIFEST} has sha256 {manifest.sha256}, "
                "but the chain seals "
                f"{last.manifest_sha256} for run {last.run_id} ({last.period})"
            )
        run = manifest.data.get("run", {})
        if run.get("uid") != last.run_uid:
            self.fail(
                f"{layout.MANIFEST} is of run {run.get('uid')}, "
                f"but the chain ends at run {last.run_uid}"
            )
        self.report.facts.update(
            organisation=manifest.data.get("organisation", {}).get("legal_name"),
            period=manifest.data.get("period", {}).get("label"),
            run_uid=run.get("uid"),
        )
        if len(self.report.failures) == before:
            self.report.passed.append(
                f"{len(links)} chain link(s) and the sealed manifest are consistent"
            )
        return manifest

    def _check_copies(self, manifest: Manifest) -> None:
        before = len(self.report.failures)
        sealed = stored_copies(manifest.data.get("evidence", []))
        packed: dict[str, str] = {}
        for name in self.names:
            if name.startswith(layout.EVIDENCE_DIR):
                digest = name.removeprefix(layout.EVIDENCE_DIR).split("/", 1)[0]
                packed[digest] = name
                if digest not in sealed:
                    self.fail(f"added: {name} is not a redacted copy sealed in the manifest")
                elif self.actual.get(name) not in (None, digest):
                    self.fail(f"modified: {name} does not hash to the sealed {digest}")
        for digest, evidence_ids in sorted(sealed.items()):
            if digest not in packed:
                self.fail(
                    f"missing: the redacted copy {digest} of {', '.join(evidence_ids)} "
                    "is sealed in the "
                    f"manifest but not in the pack"
                )
        if len(self.report.failures) == before:
            self.report.passed.append(
                f"all {len(sealed)} redacted copies sealed in the manifest are in the pack"
            )

    def _check_evaluation(self, manifest: Manifest) -> Evaluation | None:
        data = self.json(layout.EVALUATION)
        if data is None:
            return None
        try:
            evaluation = Evaluation.model_validate(
                {k: v for k, v in data.items() if k not in ("evaluation_id", "sealed")}
            )
        except ValidationError as exc:
            self.fail(f"{layout.EVALUATION}: malformed: {exc.error_count()} problem(s)")
            return None
        self._check_evaluation_seal(evaluation, data.get("evaluation_id"))
        sealed = manifest.data.get("evaluation")
        if data.get("sealed"):
            if sealed is None:
                self.fail(
                    f"{layout.EVALUATION} says it is sealed, but the manifest seals no evaluation"
                )
            else:
                entry = evaluation_entry(evaluation) or {}
                for problem in status_differences(sealed, entry, where=layout.EVALUATION):
                    self.fail(problem)
        else:
            self.report.notes.append(
                f"{layout.EVALUATION} is a later evaluation "
                f"(as of {evaluation.as_of.isoformat()}); "
                "the chain seals the evidence and the statuses in the manifest"
            )
        return evaluation

    def _check_evaluation_seal(self, evaluation: Evaluation, evaluation_id: Any) -> None:
        """evaluation.json must be what its seal in chain.json hashed, whatever it claims to be."""
        chain_data = self.json(layout.CHAIN) or {}
        try:
            seals = [EvaluationSeal.model_validate(s) for s in chain_data.get("evaluation_seals", [])]
            links = [ChainLink.model_validate(link) for link in chain_data.get("links", [])]
        except (TypeError, ValidationError):
            self.fail(f"{layout.CHAIN}: evaluation_seals are malformed")
            return
        seal = next((s for s in seals if s.evaluation_id == evaluation_id), None)
        if seal is None:
            self.fail(
                f"{layout.EVALUATION} (evaluation {evaluation_id}) has no seal in {layout.CHAIN}: "
                "every evaluation is sealed when it is written, so its statuses cannot be trusted"
            )
            return
        actual = sha256_hex(sealed_evaluation_text(evaluation).encode("utf-8"))
        if actual != seal.sha256:
            self.fail(
                f"{layout.EVALUATION} was edited after sealing: it hashes to {actual}, "
                f"but {layout.CHAIN} seals {seal.sha256} for evaluation {evaluation_id}"
            )
        prev = links[-1].root_hash if links else None
        for item in seals:
            if item.prev_hash != prev or evaluation_root(item.prev_hash, item.sha256) != item.root_hash:
                self.fail(
                    f"{layout.CHAIN}: the seal of evaluation {item.evaluation_id} does not chain from "
                    "the run's root hash"
                )
            prev = item.root_hash
            if item.evaluation_id == evaluation_id:
                break
        if actual == seal.sha256:
            self.report.passed.append(
                f"{layout.EVALUATION} is the evaluation sealed as {seal.root_hash[:16]}… in {layout.CHAIN}"
            )

    def _check_oscal(self, evaluation: Evaluation) -> None:
        data = self.json(layout.ASSESSMENT_RESULTS)
        if data is None:
            return
        expected = {(r.catalogue, r.control_id): r.status.value for r in evaluation.results}
        found: dict[tuple[str, str], str] = {}
        try:
            for finding in data["assessment-results"]["results"][0]["findings"]:
                props = {p["name"]: p["value"] for p in finding.get("props", [])}
                control_id = finding["target"]["target-id"].removesuffix("_smt")
                found[(props["catalogue"], control_id)] = props["status"]
        except (KeyError, IndexError, TypeError):
            self.fail(
                f"{layout.ASSESSMENT_RESULTS}: not the assessment results dpp-evidence writes"
            )
            return
        for key in sorted(expected.keys() | found.keys()):
            if found.get(key) != expected.get(key):
                self.fail(
                    f"{layout.ASSESSMENT_RESULTS}: finding for {key[1]} ({key[0]}) says "
                    f"{found.get(key, 'nothing')}, "
                    f"{layout.EVALUATION} says {expected.get(key, 'nothing')}"
                )

    def _check_samples(self, manifest: Manifest) -> None:
        data = self.json(layout.SAMPLES)
        if data is None:
            return
        before = len(self.report.failures)
        known = {entry["id"] for entry in manifest.data.get("evidence", [])}
        for index, raw in enumerate(data.get("draws", [])):
            try:
                draw = SampleDraw.model_validate(raw)
            except ValidationError:
                self.fail(f"{layout.SAMPLES}: draw {index} is malformed")
                continue
            for problem in redraw_problems(draw):
                self.fail(f"{layout.SAMPLES}: draw {index}: {problem}")
            strangers = sorted({m.evidence_id for m in draw.population} - known)
            if strangers:
                self.fail(
                    f"{layout.SAMPLES}: draw {index} names evidence not sealed in the manifest: "
                    f"{', '.join(strangers)}"
                )
        if data.get("draws") and len(self.report.failures) == before:
            self.report.passed.append(
                f"{len(data['draws'])} sample draw(s) reproduce from their seeds"
            )


    def _check_signoffs(self) -> None:
        """Each sign-off record must hash to its seal, chain from the evaluation and be signed."""
        data = self.json(layout.SIGNOFFS)
        if data is None:
            return
        chain_data = self.json(layout.CHAIN) or {}
        try:
            seals = {
                s["evaluation_id"]: s["root_hash"] for s in chain_data.get("evaluation_seals", [])
            }
            links = chain_data.get("links", [])
            run_uid = links[-1]["run_uid"] if links else None
            entries = [SignOff.model_validate(entry) for entry in data.get("signoffs", [])]
        except (KeyError, TypeError, AttributeError, ValidationError):
            self.fail(f"{layout.SIGNOFFS}: malformed")
            return
        before = len(self.report.failures)
        previous: dict[int, str] = {}
        latest = {r.signed_name: i for i, e in enumerate(entries) for r in e.record.reports}
        for index, entry in enumerate(entries):
            record = entry.record
            label = f"{layout.SIGNOFFS}: sign-off {index} ({record.signer}, {record.signed_at})"
            actual = record_sha256(record)
            if actual != entry.sha256:
                self.fail(
                    f"{label}: the record was altered: it hashes to {actual}, "
                    f"but was sealed as {entry.sha256}"
                )
            if signoff_root(entry.prev_hash, entry.sha256) != entry.root_hash:
                self.fail(f"{label}: root_hash is not the seal of prev_hash and sha256")
            expected_prev = previous.get(record.evaluation_id, seals.get(record.evaluation_id))
            if entry.prev_hash != expected_prev:
                self.fail(
                    f"{label}: does not chain from the seal of evaluation {record.evaluation_id} "
                    f"in {layout.CHAIN} (prev_hash {entry.prev_hash}, expected {expected_prev})"
                )
            previous[record.evaluation_id] = entry.root_hash
            if record.run_uid != run_uid:
                self.fail(f"{label}: signs off run {record.run_uid}, not the packed run {run_uid}")
            self._check_signoff_signature(label, entry)
            for report in record.reports:
                checks = [(report.name, report.sha256)]
                if latest.get(report.signed_name) == index:
                    checks.append((report.signed_name, report.signed_sha256))
                else:  # a later sign-off signed the report again: the pack has that copy
                    self.report.notes.append(
                        f"{label}: {report.signed_name} was signed again by sign-off "
                        f"{latest.get(report.signed_name)}; the pack holds that copy"
                    )
                for name, digest in checks:
                    member = f"{layout.REPORTS_DIR}{name}"
                    if member not in self.names:
                        self.fail(f"{label}: approved {member}, which the pack does not have")
                    elif self.actual.get(member) != digest:
                        self.fail(
                            f"{label}: {member} hashes to {self.actual.get(member)}, "
                            f"not the approved {digest}"
                        )
            for warning in record.warnings:
                self.report.notes.append(f"sign-off by {record.signer}: {warning}")
        self.report.facts["signoffs"] = [
            {"signer": e.record.signer, "role": e.record.role, "signed_at": e.record.signed_at}
            for e in entries
        ]
        if entries and len(self.report.failures) == before:
            self.report.passed.append(
                f"{len(entries)} sign-off record(s) are sealed after their evaluation, signed, "
                "and approve the reports in the pack"
            )

    def _check_signoff_signature(self, label: str, entry: SignOff) -> None:
        try:
            certificate = load_certificate(entry.certificate_pem.encode("ascii"), label)
            signature = base64.b64decode(entry.signature, validate=True)
        except (PackError, ValueError) as exc:
            self.fail(f"{label}: {exc}")
            return
        if not signature_valid(certificate, signature, signoff_text(entry.record)):
            self.fail(f"{label}: the signer's signature does not verify the record")
        found = fingerprint(certificate).replace(":", "").lower()
        if found != entry.record.certificate_sha256:
            self.fail(f"{label}: certificate_pem is not the certificate the record names")


def _colons(hex_digest: str) -> str:
    upper = hex_digest.upper()
    return ":".join(upper[i : i + 2] for i in range(0, len(upper), 2))
