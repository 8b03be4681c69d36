"""`evidence evaluate`: evaluate the newest run of a period and print the result."""

from __future__ import annotations

from pathlib import Path

from evidence.cli.options import AllOption, AsOfOption, ConfigOption, JsonOption, PeriodOption
from evidence.cli.summary import exit_code, print_evaluation
from evidence.cli.tracing import reraise_internal
from evidence.config import load_config
from evidence.errors import ExitCode


def evaluate(
    config: ConfigOption = Path("evidence.toml"),
    period: PeriodOption = None,
    as_of: AsOfOption = None,
    json: JsonOption = False,
    show_all: AllOption = False,
) -> ExitCode:
    """Evaluate every control against the newest collected run of the period.

    Prints the counts, the controls not met and the top of the to-do list; --all prints every
    control, --json everything. Exit code 0 when all controls are met, 3 when there are gaps.
    """
    from evidence import pipeline  # lazy: keeps `evidence --help` fast

    loaded = load_config(config)
    timing = pipeline.resolve_timing(loaded, period, as_of)
    run, evaluation, _, _ = pipeline.evaluate_stored(
        loaded, timing, as_of_given=as_of is not None, reraise=reraise_internal()
    )
    print_evaluation(run, evaluation, json, steps=pipeline.todo(loaded, evaluation), show_all=show_all)
    return exit_code(evaluation)
