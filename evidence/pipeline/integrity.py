"""The evidence chain: a run checked before its sealed facts are read, and the chain log."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from evidence.config.schema import Config
from evidence.model.evidence import EvidenceItem
from evidence.model.run import RunInfo
from evidence.pack import chain
from evidence.pipeline.context import open_store
from evidence.store import Store


def _audit(store: Store, developer_id: str, only: Collection[int] | None = None) -> list[chain.ChainRow]:
    entries = store.chain(developer_id)
    sealed = {
        e.run.id: e.sealed_evaluation_id
        for e in entries
        if e.sealed_evaluation_id and (only is None or e.run.id in only)
    }
    evaluations = {run_id: store.evaluation(eid) for run_id, eid in sealed.items()}
    return chain.audit_chain(entries, store.evidence, evaluations, store.stored_evaluations, only)


def verify_run(store: Store, run: RunInfo, verb: str) -> list[chain.ChainRow]:
    """Check the chain up to ``run`` and everything sealed in it; SealError (exit 4) on a mismatch.

    ``evaluate``, ``report`` and ``pack`` read the facts and statuses only after this passed.
    """
    rows = [r for r in _audit(store, run.developer_id, only={run.id}) if r.entry.run.id <= run.id]
    chain.sealed_entry(rows, run, verb)
    return rows


def chain_log(config: Config, every_organisation: bool = False) -> list[chain.ChainLog]:
    """Each organisation's runs with their links, every seal checked against the stored rows.

    Also checks every stored copy against the hash it was sealed with, and the store's witness
    of seals for runs and evaluations whose rows are gone.
    """
    store = open_store(config, create=False)
    try:
        org = config.organisation
        wanted = [(org.developer_id, org.legal_name)]
        if every_organisation:
            wanted = store.organisations()
        logs = []
        for dev, name in wanted:
            rows = _audit(store, dev)
            for row in rows:
                if row.entry.link is not None:
                    row.problems.extend(copy_problems(store, store.evidence(row.entry.run.id)))
            logs.append(chain.ChainLog(dev, name, rows, missing=witness_problems(store, dev, rows)))
        return logs
    finally:
        store.close()


def copy_problems(store: Store, evidence: Sequence[EvidenceItem]) -> list[str]:
    """Stored copies that are missing or no longer hash to what was sealed."""
    problems: list[str] = []
    seen: set[str] = set()
    for item in evidence:
        for raw in item.raw_inputs:
            if not raw.stored_sha256 or not raw.stored_path or raw.stored_path in seen:
                continue
            seen.add(raw.stored_path)
            path = store.copy_path(raw.stored_path)
            try:
                actual = chain.file_sha256(path)
            except OSError:
                problems.append(f"stored copy {raw.stored_path} of evidence {item.id} is missing")
                continue
            if actual != raw.stored_sha256:
                problems.append(
                    f"stored copy {raw.stored_path} of evidence {item.id} was edited: it hashes to "
                    f"{actual[:16]}…, sealed {raw.stored_sha256[:16]}…"
                )
    return problems


def witness_problems(store: Store, developer_id: str, rows: Sequence[chain.ChainRow]) -> list[str]:
    """Seals the store's witness records that the database no longer holds (deleted runs)."""
    lines = store.blobs.witnessed()
    if lines is None:
        return []
    runs = {r.entry.run.uid: r.entry.link.root_hash for r in rows if r.entry.link is not None}
    evaluations = {
        (uid, str(e.id)): e.seal.root_hash
        for r in rows
        for uid in [r.entry.run.uid]
        for e in store.stored_evaluations(r.entry.run.id)
        if e.seal is not None
    }
    problems = []
    for line in lines:
        parts = line.split()
        if len(parts) == 4 and parts[0] == "run" and parts[1] == developer_id:
            if runs.get(parts[2]) != parts[3]:
                problems.append(
                    f"run {parts[2]} was sealed with root hash {parts[3][:16]}… (store witness), "
                    "but the store no longer holds it: deleted or re-sealed"
                )
        elif len(parts) == 5 and parts[0] == "evaluation" and parts[1] == developer_id:
            if parts[2] in runs and evaluations.get((parts[2], parts[3])) != parts[4]:
                problems.append(
                    f"evaluation {parts[3]} of run {parts[2]} was sealed with root hash "
                    f"{parts[4][:16]}… (store witness), but the store no longer holds that seal"
                )
    return problems
