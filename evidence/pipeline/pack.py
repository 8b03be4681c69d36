"""The auditor pack of a period's newest run: evidence, evaluation, reports, packed config."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from cryptography.hazmat.primitives import serialization

from evidence import __version__
from evidence.config.schema import Config
from evidence.controls.catalogue import load_catalogue
from evidence.errors import PackError
from evidence.model.run import RunInfo
from evidence.pack import layout, reveal
from evidence.pack import pack as pack_writer
from evidence.pack.manifest import parse_manifest
from evidence.pack.pack import DiskFile, PackInput, PackResult, copy_files, report_files
from evidence.pipeline.context import (
    Timing,
    config_digest,
    latest_run,
    open_store,
    own_networks,
    people,
    pseudonym_key,
    redactor,
)
from evidence.pipeline.integrity import verify_run
from evidence.pipeline.keys import signer
from evidence.pipeline.report import crosswalk_roll_ups, report_set_data
from evidence.redact import Redactor
from evidence.render.html_set import HtmlLinks, render_html_set
from evidence.store import Store


def packed_config(config: Config, identities: Mapping[str, str], run: RunInfo) -> bytes:
    """The config as validated, for the pack: secrets are references (``{env = "NAME"}``).

    Secrets are references by construction; people's names and the run's pseudonymised
    identities are replaced as in the evidence, so no clear name sits beside a pseudonym.
    """
    if config.secrets.pseudonym_key is not None:
        redact, _ = redactor(config)
    else:  # no key: pseudonyms that stay the same for the run, so the same run packs the same bytes
        seed = hashlib.sha256(f"dpp-evidence packed config\n{run.uid}\n{run.config_sha256}".encode()).digest()
        redact = Redactor(seed, people(config), own_networks(config), keyed=False)
    for value in identities.values():
        redact.principal(value)
    data = config.model_dump(mode="json", exclude_none=True)  # sources keep their own settings
    return layout.json_bytes(redact.scrub_data(data, addresses=False))


def run_identities(config: Config, store: Store, run: RunInfo) -> dict[str, str] | None:
    """The run's pseudonym -> value map of staff and system identities (None if it kept none)."""
    sealed = store.identity_key(run.id)
    if sealed is None:
        return None
    return reveal.open_identities(sealed, pseudonym_key(config))


def write_pack(config: Config, timing: Timing, target: Path, reveal_to: Path | None = None) -> PackResult:
    """Write the auditor pack of the period's newest run (its newest evaluation and reports).

    With ``reveal_to`` (the auditor's certificate), the run's key to its pseudonyms goes into
    the pack encrypted to that certificate (see :mod:`evidence.pack.reveal`).
    """
    key = signer(config)
    recipient = None
    if reveal_to is not None:
        try:
            recipient = reveal.load_certificate(reveal_to.read_bytes(), str(reveal_to))
        except OSError as exc:
            raise PackError(f"cannot read the auditor's certificate {reveal_to}: {exc.strerror}") from None
    store = open_store(config, create=False)
    try:
        run = latest_run(store, timing)
        rows = verify_run(store, run, "pack")
        entry = rows[-1].entry
        found = store.latest_evaluation(run.id)
        if found is None:
            raise PackError(
                f"run {run.id} has no evaluation; "
                f"run `evidence evaluate --period {run.period.label}` first"
            )
        evaluation_id, evaluation = found
        evidence = store.evidence(run.id)
        seals = [e.seal for e in store.stored_evaluations(run.id) if e.seal is not None and e.id <= evaluation_id]
        data = PackInput(
            run=run,
            manifest=parse_manifest(entry.manifest or "", f"manifest of run {run.id}"),
            links=[r.entry.link for r in rows if r.entry.link is not None],
            evaluation=evaluation,
            evaluation_id=evaluation_id,
            evaluation_sealed=evaluation_id == entry.sealed_evaluation_id,
            evaluation_seals=seals,
            catalogues=[load_catalogue(ref) for ref in evaluation.catalogues],
            evidence=evidence,
            reports=report_files(store.reports(evaluation_id), evaluation_id, run),
            copies=copy_files(evidence, store.copy_path),
            samples=store.samples(run.id),
            tool_version=__version__,
            signer=key,
            owners=dict(config.owners),
            due_days=dict(config.gap_plan.due_days),
            signoffs=[s for s in store.signoffs(run.id) if s.record.evaluation_id == evaluation_id],
            tsa_url=config.signing.tsa_url if config.signing and key else None,
        )
        identities = run_identities(config, store, run) if config.secrets.pseudonym_key else None
        data.extra[layout.CONFIG] = packed_config(config, identities or {}, run)
        data.config_matches = config_digest(config) == run.config_sha256
        data.crosswalks = crosswalk_roll_ups(config, evaluation, evidence, run.period)
        if recipient is not None:
            if identities is None:
                raise PackError(
                    f"run {run.id} kept no key to its pseudonyms (it ran without a configured "
                    "secrets.pseudonym_key, or found no identities), so --reveal-to has nothing to add"
                )
            content = reveal.document(identities, run.uid, run.period.label)
            data.extra[reveal.MEMBER] = reveal.envelope(content, recipient)
            data.extra[reveal.RECIPIENT] = recipient.public_bytes(serialization.Encoding.PEM)
        shown = evaluation.model_copy(update={"waivers": store.waivers.all()})
        data.html = render_html_set(
            report_set_data(config, run, shown, evidence, data.samples),
            pack_links(data.reports, data.copies),
        )
        return pack_writer.write_pack(data, target)
    finally:
        store.close()


def pack_links(reports: list[DiskFile], copies: list[DiskFile]) -> HtmlLinks:
    """Where the HTML set in the pack's html/ folder finds the PDFs and each evidence file."""
    evidence: dict[str, list[tuple[str, str]]] = {}
    for copy in copies:
        for evidence_id in copy.evidence_ids:
            evidence.setdefault(evidence_id, []).append((PurePosixPath(copy.name).name, f"../{copy.name}"))
    return HtmlLinks(
        evidence=evidence, pdfs={PurePosixPath(r.name).name: f"../{r.name}" for r in reports}
    )
