"""The per-organisation hash chain of sealed runs, as the store keeps it and the pack carries it."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict

from evidence.model.canonical import canonical_json, sha256_hex
from evidence.model.results import Evaluation
from evidence.model.run import RunInfo


class ChainLink(BaseModel):
    """One sealed run: its manifest hash, the previous run's root hash, and its own root hash.

    ``root_hash`` is SHA-256 over the previous root hash and the manifest hash (see
    :func:`evidence.pack.chain.root_hash`), so changing any earlier run changes every later root.
    """

    model_config = ConfigDict(frozen=True)

    run_id: int
    run_uid: str
    period: str
    started_at: datetime
    manifest_sha256: str
    prev_root_hash: str
    root_hash: str


class ChainEntry(BaseModel):
    """A run of an organisation as the store holds it; ``link`` is None for a run never sealed."""

    run: RunInfo
    link: ChainLink | None = None
    manifest: str | None = None
    sealed_evaluation_id: int | None = None


EVALUATION_PREFIX = "dpp-evidence-evaluation-v1"


class EvaluationSeal(BaseModel):
    r"""An evaluation sealed when it was written, chained to its run's root hash.

    ``sha256`` is that of the evaluation's canonical JSON (:func:`sealed_evaluation_text`);
    ``root_hash`` = SHA-256 of ``EVALUATION_PREFIX\n prev_hash\n sha256\n`` where ``prev_hash``
    is the run's root hash for its first evaluation, else the previous evaluation's root hash.
    """

    model_config = ConfigDict(frozen=True)

    evaluation_id: int
    run_uid: str
    sha256: str
    prev_hash: str
    root_hash: str


def sealed_evaluation_text(evaluation: Evaluation) -> str:
    """The canonical JSON an evaluation is sealed as: every field of the model but the waivers.

    Waivers are the ledger's, read again whenever a report is made; everything the evaluation
    decided (statuses, reasons, figures, evidence ids, and any field added to the model later)
    is covered. The as-of instant is written in UTC, however the database returns it.
    """
    normal = evaluation.model_copy(update={"as_of": evaluation.as_of.astimezone(UTC)})
    return canonical_json(normal.model_dump(mode="json", exclude={"waivers"})).decode("utf-8")


def evaluation_root(prev_hash: str, sha256: str) -> str:
    """Root hash of an evaluation seal (see :class:`EvaluationSeal`)."""
    return sha256_hex(f"{EVALUATION_PREFIX}\n{prev_hash}\n{sha256}\n".encode("ascii"))
