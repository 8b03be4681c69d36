"""Reproducible sampling: populations from evidence, the same draw every time, recorded, packed."""

from __future__ import annotations

import random
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from evidence import pipeline
from evidence.config import load_config
from evidence.controls.catalogue import load_catalogue
from evidence.errors import SampleError
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_period
from evidence.pack.population import build_population
from evidence.pack.sampling import draw_sample, population_digest, rank_key, redraw_problems
from evidence.pack.verify import verify_pack
from tests.pack.conftest import Packed, read_members, resum, tampered
from tests.support import run_cli, with_store

Q3 = parse_period("2026-Q3")
DPP = load_catalogue("amazon-dpp@2025-11")
WHEN = datetime(2026, 10, 1, tzinfo=UTC)


def item(
    evidence_id: str, kind: str, facts: dict[str, object], source: str = "src"
) -> EvidenceItem:
    return EvidenceItem(
        id=evidence_id,
        kind=kind,
        collector="test",
        source=source,
        subject=evidence_id,
        location=evidence_id,
        collected_at=WHEN,
        facts=facts,
    )


def document(
    evidence_id: str, doc_type: str, day: str, controls: list[str] | None = None
) -> EvidenceItem:
    return item(
        evidence_id,
        "document",
        {
            "doc_type": doc_type,
            "title": f"{doc_type} {day}",
            "date": day,
            "controls": controls or [],
        },
    )


def test_document_population_is_the_control_types_dated_in_the_period() -> None:
    evidence = [
        document("EV-A", "offboarding-record", "2026-07-10"),
        document("EV-B", "offboarding-record", "2026-09-18", ["DPP-ACC-3"]),
        document("EV-C", "offboarding-record", "2026-05-29"),  # before the period
        document("EV-D", "offboarding-record", "2026-08-01", ["DPP-ACC-2"]),  # for another control
        document("EV-E", "access-review", "2026-08-28"),  # another type
    ]
    population = build_population(DPP.control("DPP-ACC-3"), evidence, Q3, ["document"])
    assert [m.id for m in population.members] == ["EV-A", "EV-B"]
    assert population.notes == ["1 member(s) dated outside 2026-Q3 were left out"]


def test_access_activity_principals_and_job_runs_in_the_documented_shapes() -> None:
    access = item(
        "EV-ACC",
        "access.activity",
        {
            "principals": [
                {"principal": "principal:1a2b3c4d5e6f", "logins": 40, "logins_without_mfa": 0},
                {"principal": "principal:0f9e8d7c6b5a", "logins": 3, "logins_without_mfa": 3},
            ],
            "pii_store_access": [
                {"store": "orders-db", "principal": "principal:1a2b3c4d5e6f", "count": 12}
            ],
        },
    )
    jobs = item(
        "EV-JOB",
        "retention.job_runs",
        {
            "jobs": [
                {
                    "job": "purge-pii",
                    "purges": "pii",
                    "expected": 92,
                    "actual": 90,
                    "missed": ["2026-08-03", "2026-08-04"],
                    "failed": [],
                    "longest_gap_hours": 72.0,
                },
                {
                    "job": "purge-logs",
                    "purges": "non-pii",
                    "expected": 13,
                    "actual": 13,
                    "missed": [],
                    "failed": [],
                    "longest_gap_hours": 168.0,
                    "runs": [
                        {"at": "2026-07-05T02:00:00Z", "status": "ok"},
                        {"at": "2026-06-28T02:00:00Z"},
                    ],
                },
            ]
        },
    )
    ret = build_population(DPP.control("DPP-RET-1"), [jobs, access], Q3)
    assert [m.id for m in ret.members if m.kind == "retention.job_runs"] == [
        "EV-JOB/job/purge-logs/run/2026-07-05T02:00:00Z",
        "EV-JOB/job/purge-pii",
    ]
    assert ret.notes == ["1 member(s) dated outside 2026-Q3 were left out"]
    acc = build_population(DPP.control("DPP-ACC-3"), [jobs, access], Q3, ["access.activity"])
    assert [m.id for m in acc.members] == [
        "EV-ACC/principal/principal:0f9e8d7c6b5a",
        "EV-ACC/principal/principal:1a2b3c4d5e6f",
    ]
    assert (
        acc.members[0].label == "principal principal:0f9e8d7c6b5a in src: 3 logins, 3 without MFA"
    )


def test_hr_leavers_are_members_dated_by_their_departure() -> None:
    export = item(
        "EV-HR",
        "identity.leavers",
        {
            "leavers": [
                {"ref": "person:aaaaaaaaaaaa", "left": "2026-08-14T23:59:59Z", "row": "hr.csv:5"},
                {"ref": "person:bbbbbbbbbbbb", "left": "2026-05-29T17:00:00Z", "row": "hr.csv:2"},
            ]
        },
    )
    population = build_population(DPP.control("DPP-ACC-3"), [export], Q3, ["identity.leavers"])
    assert [m.label for m in population.members] == ["leaver person:aaaaaaaaaaaa, left 2026-08-14T23:59:59Z (hr.csv:5)"]
    assert population.notes == ["1 member(s) dated outside 2026-Q3 were left out"]


def test_failed_sources_are_named_and_unknown_kinds_count_whole_items() -> None:
    failed = item("EV-F", "access.activity", {}, source="cloudtrail")
    failed.error = "cannot read bucket"
    other = item("EV-X", "iam.credentials", {"users": []})
    population = build_population(DPP.control("DPP-ACC-7"), [failed, other], Q3)
    assert population.notes == ["source(s) cloudtrail could not be read: their members are missing"]
    assert [m.id for m in population.members] == ["EV-X"]


def members_of(count: int) -> list[EvidenceItem]:
    return [
        document(f"EV-{n:04d}", "offboarding-record", f"2026-08-{(n % 28) + 1:02d}")
        for n in range(count)
    ]


def test_the_same_seed_draws_the_same_members_in_any_input_order() -> None:
    population = build_population(DPP.control("DPP-ACC-3"), members_of(40), Q3, ["document"])
    kwargs = {
        "control_id": "DPP-ACC-3",
        "catalogue": DPP.ref,
        "kinds": ["document"],
        "size": 5,
        "seed": "2026-10-05",
    }
    first = draw_sample(members=population.members, **kwargs)  # type: ignore[arg-type]
    shuffled = list(population.members)
    random.Random(7).shuffle(shuffled)
    again = draw_sample(members=shuffled, **kwargs)  # type: ignore[arg-type]
    assert first.chosen == again.chosen
    assert len(first.chosen) == 5
    assert first.population_sha256 == population_digest(population.members)
    assert first.chosen == [
        m.id for m in sorted(population.members, key=lambda m: rank_key("2026-10-05", m.id))[:5]
    ]
    other = draw_sample(members=population.members, **{**kwargs, "seed": "2026-10-06"})  # type: ignore[arg-type]
    assert other.chosen != first.chosen
    assert redraw_problems(first) == []
    forged = first.model_copy(update={"chosen": list(reversed(first.chosen))})
    assert redraw_problems(forged) == [
        f"sample of DPP-ACC-3 (seed 2026-10-05, size 5): drawing again gives {first.chosen}, "
        f"not the recorded {forged.chosen}"
    ]


def test_the_draw_is_what_sha256sum_gives_in_a_shell() -> None:
    population = build_population(DPP.control("DPP-ACC-3"), members_of(12), Q3, ["document"])
    draw = draw_sample(
        control_id="DPP-ACC-3",
        catalogue=DPP.ref,
        kinds=["document"],
        members=population.members,
        size=4,
        seed="audit-7",
    )
    ids = "\n".join(m.id for m in draw.population) + "\n"
    script = (
        "while read -r id; do printf '%s %s\\n' "
        '"$(printf \'%s:%s\' audit-7 "$id" | sha256sum | cut -c1-64)" '
        "\"$id\"; done | LC_ALL=C sort | head -n 4 | cut -d' ' -f2"
    )
    shell = subprocess.run(
        ["bash", "-c", script], input=ids, capture_output=True, text=True, check=True
    )
    assert shell.stdout.split() == draw.chosen


def test_bad_requests_are_clear_errors() -> None:
    population = build_population(DPP.control("DPP-ACC-3"), members_of(3), Q3, ["document"])
    base = {
        "control_id": "DPP-ACC-3",
        "catalogue": DPP.ref,
        "kinds": ["document"],
        "members": population.members,
    }
    with pytest.raises(SampleError, match="--seed 'two words'"):
        draw_sample(size=1, seed="two words", **base)  # type: ignore[arg-type]
    with pytest.raises(SampleError, match="--size 0: draw at least one member"):
        draw_sample(size=0, seed="1", **base)  # type: ignore[arg-type]
    with pytest.raises(SampleError, match="the population is empty: no usable evidence of kind"):
        draw_sample(
            control_id="DPP-ACC-3",
            catalogue=DPP.ref,
            kinds=["document"],
            members=[],
            size=1,
            seed="1",
        )
    whole = draw_sample(size=10, seed="1", **base)  # type: ignore[arg-type]
    assert whole.notes == ["the population has 3 member(s), so all of them were drawn"]


def test_draws_are_recorded_once_per_run_in_the_store(samples: Path, store_url: str) -> None:
    config = load_config(with_store(samples / "evidence.toml", store_url))
    timing = pipeline.resolve_timing(config, None, None)
    pipeline.full_run(config, timing, None, evaluate_too=False)
    documents = ["document"]  # the offboarding tickets: a population with known members
    run, first_id, first = pipeline.draw_sample(
        config, timing, "dpp-acc-3", size=3, seed="2026-10-05", kinds=documents
    )
    _, again_id, again = pipeline.draw_sample(
        config, timing, "DPP-ACC-3", size=3, seed="2026-10-05", kinds=documents
    )
    _, other_id, _ = pipeline.draw_sample(
        config, timing, "DPP-ACC-3", size=2, seed="2026-10-05", kinds=documents
    )
    assert first_id == again_id != other_id
    assert again.chosen == first.chosen
    assert again.drawn_at == first.drawn_at
    assert first.population_size == 5  # 4 offboarding tickets in 2026-Q3 and the August record
    assert first.notes[0] == "1 member(s) dated outside 2026-Q3 were left out"
    store = pipeline.open_store(config)
    try:
        assert [d.size for d in store.samples(run.id)] == [3, 2]
    finally:
        store.close()
    with pytest.raises(SampleError, match="DPP-ACC-3 needs no evidence of kind tls.endpoints"):
        pipeline.draw_sample(config, timing, "DPP-ACC-3", size=1, seed="1", kinds=["tls.endpoints"])
    with pytest.raises(SampleError, match="no control 'DPP-NOPE-1'"):
        pipeline.draw_sample(config, timing, "DPP-NOPE-1", size=1, seed="1")


def test_the_cli_draw_is_in_the_pack_and_verify_redraws_it(packed: Packed, tmp_path: Path) -> None:
    again = run_cli(
        "sample",
        "DPP-ACC-3",
        "--size",
        "3",
        "--seed",
        "2026-10-05",
        "--config",
        packed.unsigned_config,
        "--json",
    )
    assert again.code == 0, again.stderr
    drawn = orjson.loads(again.stdout)
    samples = orjson.loads(read_members(packed.signed)["samples.json"])
    [recorded] = samples["draws"]
    assert recorded["chosen"] == drawn["chosen"]
    assert len(recorded["chosen"]) == 3
    assert recorded["seed"] == "2026-10-05"
    assert recorded["algorithm"] == "sha256-rank-v1"
    assert recorded["population_sha256"] == drawn["population_sha256"]

    def swap(files: dict[str, bytes]) -> dict[str, bytes]:
        data = orjson.loads(files["samples.json"])
        data["draws"][0]["chosen"][0] = next(
            m["id"]
            for m in data["draws"][0]["population"]
            if m["id"] not in data["draws"][0]["chosen"]
        )
        files["samples.json"] = orjson.dumps(data)
        return resum(files)

    bad = tampered(packed.unsigned, tmp_path / "samples.zip", swap)
    [problem] = verify_pack(bad).failures
    assert problem.startswith(
        "samples.json: draw 0: sample of DPP-ACC-3 (seed 2026-10-05, size 3): drawing again gives"
    )


def test_the_cli_explains_an_empty_population(packed: Packed) -> None:
    result = run_cli(
        "sample",
        "DPP-ENC-1",
        "--size",
        "2",
        "--seed",
        "1",
        "--kind",
        "tls.endpoints",
        "--config",
        packed.unsigned_config,
    )
    assert result.code == 2
    assert (
        "DPP-ENC-1: the population is empty: no usable evidence of kind(s) tls.endpoints"
        in result.stderr
    )
