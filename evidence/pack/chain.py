r"""One hash chain per organisation: each run's root hash covers its manifest and the run before.

``root_hash = SHA-256("dpp-evidence-chain-v1\\n" + prev + "\\n" + manifest_sha256 + "\\n")``
with lowercase hex digests and 64 zeros as the previous root hash of an organisation's first run.
Anyone can recompute it with ``printf`` and ``sha256sum``; changing any sealed run changes its
root hash and breaks the link to every later run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import orjson

from evidence.errors import PackError, SealError
from evidence.model.canonical import sha256_hex
from evidence.model.chain import (
    ChainEntry,
    ChainLink,
    EvaluationSeal,
    evaluation_root,
    sealed_evaluation_text,
)
from evidence.model.evidence import EvidenceItem
from evidence.model.results import Evaluation
from evidence.model.run import RunInfo
from evidence.pack.manifest import differences, parse_manifest

GENESIS = "0" * 64
PREFIX = "dpp-evidence-chain-v1"


def root_hash(prev_root_hash: str, manifest_sha256: str) -> str:
    """Return the root hash of a run whose manifest hashes to ``manifest_sha256``."""
    return sha256_hex(f"{PREFIX}\n{prev_root_hash}\n{manifest_sha256}\n".encode("ascii"))


def link_problems(links: Sequence[ChainLink], *, from_genesis: bool = True) -> dict[int, list[str]]:
    """Broken links of a chain excerpt, oldest first: run id -> what is wrong, in sentences.

    Each root hash must match its manifest hash and previous root hash, and each previous root
    hash must be the root hash of the run before (64 zeros before the first when
    ``from_genesis``).
    """
    problems: dict[int, list[str]] = {}
    before: ChainLink | None = None
    for link in links:
        found = problems.setdefault(link.run_id, [])
        expected_root = root_hash(link.prev_root_hash, link.manifest_sha256)
        if link.root_hash != expected_root:
            found.append(
                f"root hash {link.root_hash[:16]}… does not match its manifest hash and previous "
                f"root hash (they give {expected_root[:16]}…)"
            )
        if before is None:
            if from_genesis and link.prev_root_hash != GENESIS:
                found.append(
                    f"link broken: first sealed run of the chain, but its previous root hash is "
                    f"{link.prev_root_hash[:16]}…, not {GENESIS[:16]}… (the start of a chain)"
                )
        elif link.prev_root_hash != before.root_hash:
            found.append(
                f"link broken: previous root hash {link.prev_root_hash[:16]}… is not the root hash "
                f"of run {before.run_id} ({before.period}), {before.root_hash[:16]}…"
            )
        before = link
    return {run_id: found for run_id, found in problems.items() if found}


@dataclass
class ChainRow:
    """One run as `evidence log` shows it: its link (if sealed) and what is wrong with it."""

    entry: ChainEntry
    problems: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``ok``, ``broken`` or ``unsealed``."""
        if self.entry.link is None:
            return "unsealed"
        return "broken" if self.problems else "ok"


@dataclass
class ChainLog:
    """One organisation's chain as `evidence log` shows it."""

    developer_id: str
    organisation: str
    rows: list[ChainRow]
    #: Seals the store's witness names that are no longer in the database (deleted runs).
    missing: list[str] = field(default_factory=list)

    @property
    def broken(self) -> bool:
        """Whether any sealed run fails a check, or a witnessed seal is gone."""
        return bool(self.missing) or any(row.status == "broken" for row in self.rows)


def sealed_entry(rows: Sequence[ChainRow], run: RunInfo, verb: str = "pack") -> ChainEntry:
    """Return ``run``'s sealed entry, refusing when the chain up to it is broken or it is unsealed.

    ``rows`` are the audited runs of the organisation up to and including ``run``.
    """
    broken = [
        f"run {r.entry.run.id} ({r.entry.run.period.label}): {problem}"
        for r in rows
        for problem in r.problems
    ]
    if broken:
        raise SealError(
            f"refusing to {verb}: the stored evidence differs from its seals (see `evidence log`)\n"
            + "\n".join(broken)
        )
    entry = rows[-1].entry
    if entry.run.id != run.id or entry.link is None or entry.manifest is None:
        raise PackError(
            f"run {run.id} was made before runs were sealed; "
            f"run `evidence run` to pack {run.period.label}"
        )
    return entry


def audit_chain(
    entries: Sequence[ChainEntry],
    evidence: Callable[[int], Sequence[EvidenceItem]],
    evaluations: Mapping[int, Evaluation | None],
    stored_evaluations: Callable[[int], Sequence[StoredEvaluationLike]] | None = None,
    only: Collection[int] | None = None,
) -> list[ChainRow]:
    """Check every sealed run of an organisation, oldest first.

    Checks the stored manifest against its hash, each root hash and link, and the stored
    evidence and sealed evaluation against what the manifest sealed (``evidence(run_id)`` gives
    a run's stored items; ``evaluations`` its sealed evaluation), and every evaluation of the
    run against its own seal (``stored_evaluations(run_id)``). Links are checked for every run;
    the contents only for the runs in ``only`` when it is given.
    """
    rows = [ChainRow(entry) for entry in entries]
    sealed = [row for row in rows if row.entry.link is not None]
    broken = link_problems([row.entry.link for row in sealed if row.entry.link is not None])
    for row in sealed:
        link = row.entry.link
        assert link is not None
        row.problems.extend(broken.get(link.run_id, []))
        if only is not None and link.run_id not in only:
            continue
        if stored_evaluations is not None:
            row.problems.extend(evaluation_problems(link.root_hash, stored_evaluations(link.run_id)))
        text = row.entry.manifest or ""
        actual = sha256_hex(text.encode("utf-8"))
        if actual != link.manifest_sha256:
            row.problems.append(
                f"stored manifest hashes to {actual[:16]}…, "
                f"but the run sealed {link.manifest_sha256[:16]}…"
            )
            continue
        manifest = parse_manifest(text, where=f"manifest of run {link.run_id}")
        row.problems.extend(
            differences(manifest, evidence(link.run_id), evaluations.get(link.run_id))
        )
    return rows


class StoredEvaluationLike(Protocol):
    """What the store gives for one evaluation: itself, its status columns, its sealed text and seal."""

    @property
    def id(self) -> int: ...  # noqa: D102
    @property
    def evaluation(self) -> Evaluation: ...  # noqa: D102
    @property
    def statuses(self) -> Mapping[tuple[str, str], tuple[str, str]]: ...  # noqa: D102
    @property
    def sealed_text(self) -> str | None: ...  # noqa: D102
    @property
    def seal(self) -> EvaluationSeal | None: ...  # noqa: D102


def evaluation_problems(run_root: str, stored: Sequence[StoredEvaluationLike]) -> list[str]:
    """How a run's stored evaluations differ from their seals, one sentence per difference.

    Each evaluation's seal must hash its sealed text and chain from the run's root hash (the
    first) or the previous evaluation's root hash; what the store now holds must be what was
    sealed, status columns included.
    """
    problems: list[str] = []
    prev = run_root
    for item in stored:
        where = f"evaluation {item.id}"
        for (catalogue, control), (column, result) in sorted(item.statuses.items()):
            if column != result:
                problems.append(
                    f"{where}: control {control} ({catalogue}): the status column says {column}, "
                    f"the stored result says {result}"
                )
        seal = item.seal
        if seal is None or item.sealed_text is None:
            problems.append(f"{where} has no seal: it was stored without one, or its seal was deleted")
            continue
        actual = sha256_hex(item.sealed_text.encode("utf-8"))
        if actual != seal.sha256:
            problems.append(
                f"{where}: its sealed copy hashes to {actual[:16]}…, but the seal says {seal.sha256[:16]}…"
            )
        if seal.prev_hash != prev:
            problems.append(
                f"{where}: seal link broken: previous hash {seal.prev_hash[:16]}… is not {prev[:16]}… "
                "(the run's root hash or the previous evaluation's)"
            )
        if evaluation_root(seal.prev_hash, seal.sha256) != seal.root_hash:
            problems.append(f"{where}: seal root hash does not match its previous hash and evaluation hash")
        prev = seal.root_hash
        problems.extend(
            f"{where}: {change}" for change in evaluation_changes(item.sealed_text, item.evaluation)
        )
    return problems


def evaluation_changes(sealed_text: str, evaluation: Evaluation) -> list[str]:
    """How ``evaluation`` differs from the canonical JSON it was sealed as, control by control."""
    now_text = sealed_evaluation_text(evaluation)
    if now_text == sealed_text:
        return []
    try:
        before: dict[str, Any] = orjson.loads(sealed_text)
    except orjson.JSONDecodeError:
        return ["its sealed copy is not valid JSON"]
    now: dict[str, Any] = orjson.loads(now_text)
    changes: list[str] = []
    for key in sorted((before.keys() | now.keys()) - {"results"}):
        if before.get(key) != now.get(key):
            changes.append(f"{key} changed after sealing ({before.get(key)!r} sealed, {now.get(key)!r} stored)")

    def by_control(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(r.get("catalogue"), r.get("control_id")): r for r in data.get("results", [])}

    sealed_results, stored_results = by_control(before), by_control(now)
    for control in sorted(sealed_results.keys() | stored_results.keys(), key=str):
        label = f"control {control[1]} ({control[0]})"
        old, new = sealed_results.get(control), stored_results.get(control)
        if old is None:
            changes.append(f"{label}: result in the store was not sealed")
        elif new is None:
            changes.append(f"{label}: sealed result missing from the store")
        elif old.get("status") != new.get("status"):
            changes.append(f"{label}: status {new.get('status')} in the store, {old.get('status')} sealed")
        elif old != new:
            fields = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
            changes.append(f"{label}: {', '.join(fields)} changed after sealing")
    if not changes:
        changes.append("differs from what was sealed (order of results)")
    return changes


def file_sha256(path: Path) -> str:
    """SHA-256 of a file on disk, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
