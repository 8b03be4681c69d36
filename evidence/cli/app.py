"""The `evidence` application: command registration and the one place errors become exit codes.

The exit codes are :class:`evidence.errors.ExitCode`; the --help epilog lists them from it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated

import typer
from rich.markup import escape

from evidence import __version__
from evidence.cli import (
    collectors,
    dataflow,
    diff,
    due,
    evaluate,
    init,
    inspect,
    log,
    pack,
    policies,
    report,
    reveal,
    review,
    run,
    sample,
    signoff,
    template,
    todo,
    verify,
    waivers,
)
from evidence.cli.output import stderr
from evidence.cli.tracing import reraise_internal, set_traceback
from evidence.errors import EvidenceError, ExitCode, SealError


def exit_codes_epilog() -> str:
    """The --help epilog: every exit code with its meaning, from the one enum."""
    return "Exit codes:\n\n" + "\n\n".join(f"{code.value}: {code.meaning}" for code in ExitCode)


app = typer.Typer(
    name="evidence",
    help=(
        "Collect evidence, evaluate Amazon SP-API DPP and AUP controls, and write attestations "
        "auditors can verify."
    ),
    epilog=exit_codes_epilog(),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dpp-evidence {__version__}")
        raise typer.Exit(ExitCode.OK)


@app.callback()
def _root(
    traceback: Annotated[
        bool, typer.Option("--traceback", help="Show the Python traceback of internal errors.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    set_traceback(traceback)


app.command("init")(init.init)
app.command("collect")(run.collect)
app.command("evaluate")(evaluate.evaluate)
app.command("report")(report.report)
app.command("run")(run.run)
app.command("inspect")(inspect.inspect)
app.command("collectors")(collectors.collectors)
app.add_typer(policies.app, name="policies")
app.command("diff")(diff.diff)
app.command("due")(due.due)
app.command("todo")(todo.todo)
app.command("template")(template.template)
app.command("review")(review.review)
app.command("waive")(waivers.waive)
app.command("unwaive")(waivers.unwaive)
app.command("waivers")(waivers.waivers)
app.command("log")(log.log)
app.command("pack")(pack.pack)
app.command("verify")(verify.verify)
app.command("reveal")(reveal.reveal)
app.command("sample")(sample.sample)
app.command("sign-off")(signoff.sign_off)
app.add_typer(dataflow.app, name="dataflow")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns (and exits with) the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    set_traceback("--traceback" in args)
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="evidence", standalone_mode=False)
    except typer.TyperException as exc:  # typer's (vendored click) usage errors: the user's to fix
        show = getattr(exc, "show", None)
        if callable(show):
            show(file=sys.stderr)
        else:
            stderr().print(f"[bold red]error:[/] {escape(str(exc))}")
        code = ExitCode.USER_ERROR
    except typer.Abort:
        stderr().print("aborted")
        code = ExitCode.INTERRUPTED
    except EvidenceError as exc:
        if reraise_internal():
            raise
        for line in str(exc).splitlines() or [type(exc).__name__]:
            stderr().print(f"[bold red]error:[/] {escape(line)}")
        code = ExitCode.VERIFICATION_FAILED if isinstance(exc, SealError) else ExitCode.USER_ERROR
    except KeyboardInterrupt:
        code = ExitCode.INTERRUPTED
    except Exception as exc:
        if reraise_internal():
            raise
        stderr().print(
            f"[bold red]internal error:[/] {escape(type(exc).__name__)}: {escape(str(exc))}\n"
            "This is a bug in dpp-evidence; run again with --traceback and report it."
        )
        code = ExitCode.INTERNAL_ERROR
    else:
        code = ExitCode(result) if isinstance(result, int) else ExitCode.OK
    if argv is None:
        sys.exit(code)
    return code
