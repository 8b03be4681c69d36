"""The hash chain: root hashes as sha256sum computes them, and every kind of broken link."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime

from evidence.model.chain import ChainLink
from evidence.pack.chain import GENESIS, link_problems, root_hash


def shell_root_hash(prev: str, manifest_sha256: str) -> str:
    """Compute the root hash as the auditor README does: printf and sha256sum."""
    command = f"printf 'dpp-evidence-chain-v1\\n%s\\n%s\\n' {prev} {manifest_sha256} | sha256sum"
    return subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, check=True
    ).stdout[:64]


def chain_of(count: int) -> list[ChainLink]:
    links: list[ChainLink] = []
    prev = GENESIS
    for number in range(1, count + 1):
        manifest = f"{number:064x}"
        root = root_hash(prev, manifest)
        links.append(
            ChainLink(
                run_id=number,
                run_uid=f"uid-{number}",
                period=f"2026-Q{number}",
                started_at=datetime(2026, number * 3, 1, tzinfo=UTC),
                manifest_sha256=manifest,
                prev_root_hash=prev,
                root_hash=root,
            )
        )
        prev = root
    return links


def test_root_hash_is_what_printf_and_sha256sum_give() -> None:
    links = chain_of(2)
    assert root_hash(GENESIS, links[0].manifest_sha256) == shell_root_hash(
        GENESIS, links[0].manifest_sha256
    )
    assert links[1].root_hash == shell_root_hash(links[0].root_hash, links[1].manifest_sha256)


def test_an_intact_chain_has_no_problems() -> None:
    assert link_problems(chain_of(3)) == {}


def test_a_changed_manifest_hash_breaks_its_own_root() -> None:
    links = chain_of(3)
    links[1] = links[1].model_copy(update={"manifest_sha256": "f" * 64})
    problems = link_problems(links)
    assert list(problems) == [2]
    assert "does not match its manifest hash and previous root hash" in problems[2][0]


def test_a_rewritten_run_breaks_the_link_of_the_next_one() -> None:
    links = chain_of(3)
    # A forger who recomputes run 2's root hash after changing its manifest still breaks run 3.
    forged_root = root_hash(links[0].root_hash, "e" * 64)
    links[1] = links[1].model_copy(update={"manifest_sha256": "e" * 64, "root_hash": forged_root})
    problems = link_problems(links)
    assert list(problems) == [3]
    assert problems[3] == [
        f"link broken: previous root hash {links[2].prev_root_hash[:16]}… is not the root hash "
        f"of run 2 (2026-Q2), {forged_root[:16]}…"
    ]


def test_the_first_link_must_start_from_zeros() -> None:
    links = chain_of(2)[1:]
    assert "first sealed run of the chain" in link_problems(links)[2][0]
    assert link_problems(links, from_genesis=False) == {}
