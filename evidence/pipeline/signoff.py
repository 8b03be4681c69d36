"""`evidence sign-off`: a person approves the reports of a period, and only then are they signed.

Reports are rendered unsigned. The sign-off checks the chain and every rendered report against
the hash the store recorded, writes a PAdES-signed copy of each (``*.signed.pdf``, with an RFC
3161 timestamp when ``[signing] tsa_url`` is set) naming the signer and role, and records who
approved which reports and when: a record hashed and sealed after the evaluation's seal (see
evidence/model/signoff.py), signed with the same key. The auditor pack carries the records in
signoffs.json and `evidence verify` checks each one.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from evidence.config.schema import Config
from evidence.controls.catalogue import load_catalogue
from evidence.errors import ConfigError, PackError
from evidence.model.catalogue import Catalogue
from evidence.model.results import Evaluation
from evidence.model.signoff import (
    SignedReport,
    SignOff,
    SignOffRecord,
    record_sha256,
    signoff_root,
    signoff_text,
)
from evidence.pack import chain
from evidence.pack.signing import fingerprint, load_signer
from evidence.pipeline.context import Timing, latest_run, open_store
from evidence.pipeline.integrity import verify_run
from evidence.pipeline.keys import signing_key_file
from evidence.render.sign import load_signing_key, sign_pdf, signed_path


@dataclass(frozen=True)
class SignOffResult:
    """What a sign-off wrote: the record and the signed copies."""

    signoff: SignOff
    run_id: int
    signed: list[Path]


def owned_controls(
    who: tuple[str, ...], owners: dict[str, str], catalogues: list[Catalogue], evaluation: Evaluation
) -> list[str]:
    """Controls judged in ``evaluation`` whose family is owned by any of ``who`` (a name or role).

    [owners] in the config names an owner per family, by person or by role.
    """
    wanted = {" ".join(w.split()).casefold() for w in who}
    families = {f for f, owner in owners.items() if " ".join(owner.split()).casefold() in wanted}
    by_key = {(c.ref, k.id): k.family for c in catalogues for k in c.controls}
    return sorted(
        r.control_id
        for r in evaluation.results
        if by_key.get((r.catalogue, r.control_id)) in families
    )


def independence_warning(name: str, role: str, owned: list[str], families: list[str]) -> str | None:
    """The warning a sign-off carries when the signer owns controls the reports judge."""
    if not owned:
        return None
    shown = ", ".join(owned[:8]) + (f" and {len(owned) - 8} more" if len(owned) > 8 else "")
    return (
        f"the signer, {name} ({role}), owns {len(owned)} control(s) these reports judge "
        f"(famil{'y' if len(families) == 1 else 'ies'} {', '.join(families)}: {shown}); "
        "the approval is not independent of the work it approves"
    )


def sign_off(
    config: Config,
    timing: Timing,
    *,
    name: str,
    role: str,
    key_path: Path | None = None,
    password: bytes | None = None,
    now: datetime | None = None,
) -> SignOffResult:
    """Sign off the reports of the newest evaluation of the period's newest run."""
    if not name.strip() or not role.strip():
        raise ConfigError("sign-off: --as NAME and --role ROLE must not be empty")
    key = signing_key_file(config, required=True, given=key_path, password=password).key
    assert key is not None  # required: no key is a ConfigError
    pdf_key = load_signing_key(key.data, key.password, str(key.path))
    record_key = load_signer(key.path, key.password)
    tsa_url = config.signing.tsa_url if config.signing else None
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    store = open_store(config, create=False)
    try:
        run = latest_run(store, timing)
        verify_run(store, run, "sign off")
        found = store.latest_evaluation(run.id)
        if found is None:
            raise PackError(
                f"run {run.id} has no evaluation; run `evidence report --period "
                f"{run.period.label}` first"
            )
        evaluation_id, evaluation = found
        # The newest rendering of each report (a report rendered again elsewhere replaces it).
        newest = {
            r["kind"]: r for r in store.reports(evaluation_id) if not r["kind"].endswith(":signed")
        }
        unsigned = {Path(r["path"]): r for r in newest.values()}
        if not unsigned:
            raise PackError(
                f"evaluation {evaluation_id} of run {run.id} has no rendered reports; run "
                f"`evidence report --period {run.period.label}` first"
            )
        catalogues = [load_catalogue(ref) for ref in evaluation.catalogues]
        owned = owned_controls((name, role), config.owners, catalogues, evaluation)
        families = sorted(
            {k.family for c in catalogues for k in c.controls if k.id in owned}
        )
        warning = independence_warning(name, role, owned, families)
        reason = f"Signed off by {name}, {role}, on {moment:%Y-%m-%d}"
        if warning:
            reason += f". Warning: {warning}"
        seals = [e.seal for e in store.stored_evaluations(run.id) if e.seal and e.id == evaluation_id]
        if not seals:
            raise PackError(f"evaluation {evaluation_id} of run {run.id} is not sealed")
        earlier = [s for s in store.signoffs(run.id) if s.record.evaluation_id == evaluation_id]
        prev = earlier[-1].root_hash if earlier else seals[0].root_hash
        reports: list[SignedReport] = []
        written: list[tuple[Path, dict[str, object], str, int]] = []
        for report_path, row in sorted(unsigned.items()):
            actual = _sha256(report_path)
            if actual != row["sha256"]:
                raise PackError(
                    f"{report_path} changed since it was rendered (sha256 {actual}, the store "
                    f"recorded {row['sha256']}): render it again with `evidence report`"
                )
            target = signed_path(report_path)
            made = sign_pdf(
                report_path,
                target,
                pdf_key,
                kind=str(row["kind"]),
                pages=int(str(row["pages"])),
                reason=reason,
                name=f"{name} ({role})",
                tsa_url=tsa_url,
            )
            reports.append(
                SignedReport(
                    name=report_path.name,
                    kind=str(row["kind"]),
                    sha256=str(row["sha256"]),
                    signed_name=target.name,
                    signed_sha256=made.sha256,
                )
            )
            written.append((target, row, made.sha256, made.pages))
        record = SignOffRecord(
            run_uid=run.uid,
            period=run.period.label,
            evaluation_id=evaluation_id,
            signer=name,
            role=role,
            signed_at=moment.isoformat().replace("+00:00", "Z"),
            certificate_subject=record_key.certificate.subject.rfc4514_string(),
            certificate_sha256=fingerprint(record_key.certificate).replace(":", "").lower(),
            reports=reports,
            owned_controls=owned,
            warnings=[warning] if warning else [],
        )
        digest = record_sha256(record)
        signoff = SignOff(
            record=record,
            sha256=digest,
            prev_hash=prev,
            root_hash=signoff_root(prev, digest),
            signature=base64.b64encode(record_key.sign(signoff_text(record))).decode("ascii"),
            certificate_pem=record_key.certificate_pem.decode("ascii"),
        )
        with store.append_to(run.id) as writer:
            for target, row, sha, pages in written:
                writer.add_report(evaluation_id, f"{row['kind']}:signed", str(target), sha, pages, moment)
            writer.add_signoff(evaluation_id, signoff, moment)
        return SignOffResult(signoff=signoff, run_id=run.id, signed=[w[0] for w in written])
    finally:
        store.close()


def _sha256(path: Path) -> str:
    try:
        return chain.file_sha256(path)
    except OSError as exc:
        raise PackError(f"{path}: cannot read the rendered report: {exc.strerror}") from None
