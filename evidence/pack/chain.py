r"""One hash chain per organisation: each run's root hash covers its manifest and the run before.

``root_hash = SHA-256("dpp-evidence-chain-v1\\n" + prev + "\\n" + manifest_sha256 + "\\n")``
with lowercase hex digests and 64 zeros as the previous root hash of an organisation's first run.
Anyone can recompute it with ``printf`` and ``sha256sum``; changing any sealed run changes its
root hash and breaks the link to every later run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from evidence.errors import PackError
from evidence.model.canonical import sha256_hex
from evidence.model.chain import ChainEntry, ChainLink
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

    @property
    def broken(self) -> bool:
        """Whether any sealed run fails a check."""
        return any(row.status == "broken" for row in self.rows)


def sealed_entry(rows: Sequence[ChainRow], run: RunInfo) -> ChainEntry:
    """Return ``run``'s sealed entry, refusing when the chain up to it is broken or it is unsealed.

    ``rows`` are the audited runs of the organisation up to and including ``run``.
    """
    broken = [
        f"run {r.entry.run.id} ({r.entry.run.period.label}): {problem}"
        for r in rows
        for problem in r.problems
    ]
    if broken:
        raise PackError(
            "refusing to pack: the evidence chain is broken (see `evidence log`)\n"
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
) -> list[ChainRow]:
    """Check every sealed run of an organisation, oldest first.

    Checks the stored manifest against its hash, each root hash and link, and the stored
    evidence and sealed evaluation against what the manifest sealed (``evidence(run_id)`` gives
    a run's stored items; ``evaluations`` its sealed evaluation).
    """
    rows = [ChainRow(entry) for entry in entries]
    sealed = [row for row in rows if row.entry.link is not None]
    broken = link_problems([row.entry.link for row in sealed if row.entry.link is not None])
    for row in sealed:
        link = row.entry.link
        assert link is not None
        row.problems.extend(broken.get(link.run_id, []))
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
