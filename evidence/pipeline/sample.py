"""Reproducible samples of a control's population, recorded with the run."""

from __future__ import annotations

from datetime import UTC, datetime

from evidence.config.schema import Config
from evidence.controls.catalogue import load_catalogue
from evidence.model.run import RunInfo
from evidence.model.sampling import SampleDraw
from evidence.pack import sampling
from evidence.pack.population import build_population, find_control, like_items
from evidence.pack.sample_items import completeness, describe_items
from evidence.pack.sample_sizes import recommended_size
from evidence.pipeline.context import Timing, latest_run, open_store


def draw_sample(
    config: Config,
    timing: Timing,
    control_id: str,
    *,
    size: int | None,
    seed: str,
    kinds: list[str] | None = None,
    seed_from: str | None = None,
) -> tuple[RunInfo, int, SampleDraw]:
    """Draw a reproducible sample of a control's population in the period's newest run.

    Without ``size`` the size comes from the table of evidence/pack/sample_sizes.py (by the
    control's frequency). ``seed_from`` records who chose the seed. The draw is recorded for
    the run; the auditor pack carries it in samples.json and the workbook.
    """
    store = open_store(config, create=False)
    try:
        run = latest_run(store, timing)
        catalogue, control = find_control([load_catalogue(r) for r in run.catalogues], control_id)
        evidence = store.evidence(run.id)
        population = build_population(control, evidence, run.period, kinds or [])
        single = None if kinds else like_items(population, control)
        if single is not None:
            others = sorted({m.kind for m in population.members} - {single})
            population = build_population(control, evidence, run.period, [single])
            population.notes.append(
                f"one population of like items: {single} only; the control's other evidence "
                f"({', '.join(others)}) is drawn with --kind"
            )
        choice = recommended_size(control, len(population.members), run.period)
        basis = choice.basis
        if size is not None:
            basis = f"--size {size} given; the table proposes {choice.size}: {choice.basis}"
        draw = sampling.draw_sample(
            control_id=control.id,
            catalogue=catalogue.ref,
            kinds=population.kinds,
            members=population.members,
            size=size if size is not None else choice.size,
            seed=seed,
            notes=population.notes,
            drawn_at=datetime.now(UTC).replace(microsecond=0),
        )
        found = store.latest_evaluation(run.id)
        draw = draw.model_copy(
            update={
                "seed_from": seed_from or "not stated (chosen by whoever ran the draw)",
                "frequency": choice.frequency,
                "size_basis": basis,
                "completeness": completeness(draw, evidence),
                "items": describe_items(draw, control, found[1] if found else None),
            }
        )
        with store.append_to(run.id) as writer:
            draw_id, recorded = writer.add_sample(draw)
        return run, draw_id, recorded
    finally:
        store.close()
