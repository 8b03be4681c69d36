"""The per-organisation hash chain of sealed runs, as the store keeps it and the pack carries it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

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
