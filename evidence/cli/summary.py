"""Printing an evaluation: a table in the terminal or JSON, and the exit code it implies."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from evidence.cli.output import print_json, stdout, styled
from evidence.cli.waivers import waiver_json
from evidence.model.results import STATUS_ORDER, Evaluation, Status
from evidence.model.run import RunInfo

EXIT_OK = 0
EXIT_GAPS = 3


def exit_code(evaluation: Evaluation) -> int:
    """0 when nothing is a gap, 3 when any control is not met or lacks evidence."""
    return EXIT_GAPS if evaluation.has_gaps else EXIT_OK


def evaluation_json(run: RunInfo, evaluation: Evaluation, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON document `evaluate --json` and `run --json` print."""
    counts = evaluation.counts()
    split = evaluation.met_split()
    return {
        "run": {"id": run.id, "uid": run.uid, "period": run.period.label, "as_of": evaluation.as_of.isoformat()},
        "catalogues": evaluation.catalogues,
        "counts": {status.value: counts[status] for status in STATUS_ORDER},
        "met": split.model_dump(),
        "results": [r.model_dump(mode="json") for r in evaluation.results],
        "waivers": [waiver_json(w, evaluation.as_of) for w in evaluation.waivers],
        **(extra or {}),
    }


def print_evaluation(run: RunInfo, evaluation: Evaluation, as_json: bool, extra: dict[str, Any] | None = None) -> None:
    """Print the evaluation as a table (or JSON)."""
    if as_json:
        print_json(evaluation_json(run, evaluation, extra))
        return
    console = stdout()
    table = Table(title=f"{', '.join(evaluation.catalogues)} · {run.period.label} · as of {evaluation.as_of:%Y-%m-%d}")
    table.add_column("Control", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Why")
    for result in evaluation.results:
        why = result.reasons[0] if result.reasons else ""
        if len(why) > 140:
            why = why[:137] + "..."
        status = styled(result.status)
        if result.status is Status.MET:
            status += " (verified)" if result.verified else " on attestation"
        table.add_row(result.control_id, status, escape(why))
    console.print(table)
    counts = evaluation.counts()
    split = evaluation.met_split()
    console.print(
        ", ".join(
            f"{styled(s)}: {counts[s]}"
            + (f" (verified {split.verified}, on attestation {split.on_attestation})" if s is Status.MET else "")
            for s in STATUS_ORDER
        )
    )
    for waiver in evaluation.waivers:
        console.print(
            f"waiver {waiver.id} for {waiver.control_id} until {waiver.expires:%Y-%m-%d}, "
            "approved by "
            f"{escape(waiver.approver)} ({waiver.state(evaluation.as_of)}): {escape(waiver.reason)}"
        )
