"""Reproducible sampling: the same population, seed and size always draw the same members.

Algorithm ``sha256-rank-v1``: sort the population by member id; give each member the key
SHA-256("<seed>:<member id>") in lowercase hex; draw the ``size`` members with the smallest
keys, in key order. It needs no random-number generator, so any tool with SHA-256 (even
``sha256sum``) can redo a draw from the ids recorded in the pack's samples.json.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from evidence.errors import SampleError
from evidence.model.canonical import canonical_json, sha256_hex
from evidence.model.sampling import PopulationMember, SampleDraw

ALGORITHM = "sha256-rank-v1"
_SEED = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


def rank_key(seed: str, member_id: str) -> str:
    """Return the key that orders a member in a draw with ``seed``."""
    return sha256_hex(f"{seed}:{member_id}".encode())


def population_digest(members: Sequence[PopulationMember]) -> str:
    """Hash the canonical JSON list of the members' ids, sorted (SHA-256)."""
    return sha256_hex(canonical_json(sorted(m.id for m in members)))


def draw_sample(
    *,
    control_id: str,
    catalogue: str,
    kinds: Sequence[str],
    members: Sequence[PopulationMember],
    size: int,
    seed: str,
    notes: Sequence[str] = (),
    drawn_at: datetime | None = None,
) -> SampleDraw:
    """Draw ``size`` members (all of them when the population is smaller) with ``seed``."""
    if not _SEED.match(seed):
        raise SampleError(f"--seed {seed!r}: use 1-100 letters, digits, '.', '_' or '-'")
    if size < 1:
        raise SampleError(f"--size {size}: draw at least one member")
    if not members:
        raise SampleError(
            f"{control_id}: the population is empty: no usable evidence of kind(s) "
            f"{', '.join(kinds) or 'none'} in this run"
            + (f" ({'; '.join(notes)})" if notes else "")
        )
    ordered = sorted(members, key=lambda m: m.id)
    chosen = sorted(ordered, key=lambda m: rank_key(seed, m.id))[:size]
    all_notes = list(notes)
    if size >= len(ordered):
        all_notes.append(f"the population has {len(ordered)} member(s), so all of them were drawn")
    return SampleDraw(
        control_id=control_id,
        catalogue=catalogue,
        kinds=sorted(kinds),
        seed=seed,
        size=size,
        algorithm=ALGORITHM,
        population_size=len(ordered),
        population_sha256=population_digest(ordered),
        population=ordered,
        chosen=[m.id for m in chosen],
        notes=all_notes,
        drawn_at=drawn_at,
    )


def redraw_problems(draw: SampleDraw) -> list[str]:
    """Say why a recorded draw does not reproduce from its population, seed and size."""
    label = f"sample of {draw.control_id} (seed {draw.seed}, size {draw.size})"
    if draw.algorithm != ALGORITHM:
        return [f"{label}: unknown algorithm {draw.algorithm!r}"]
    problems = []
    if population_digest(draw.population) != draw.population_sha256:
        problems.append(
            f"{label}: the population listed does not hash to the recorded population hash"
        )
    if len(draw.population) != draw.population_size:
        problems.append(
            f"{label}: {len(draw.population)} members listed, {draw.population_size} recorded"
        )
    expected = [
        m.id for m in sorted(draw.population, key=lambda m: rank_key(draw.seed, m.id))[: draw.size]
    ]
    if expected != draw.chosen:
        problems.append(f"{label}: drawing again gives {expected}, not the recorded {draw.chosen}")
    return problems
