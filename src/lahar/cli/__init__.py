"""The ``lahar`` command line.

Each sub-module holds one group of commands and a ``register(app)`` function; this module
builds the Typer app from them. The commands are thin: they call the same public functions a
notebook user calls.

Errors never reach the user as a traceback: a lahar error (invalid data, a refused query, a
missing store) prints ``error: <message>`` and exits with code 1; a usage error (unknown
option, a value out of range) prints one line naming the option and exits with code 2; any
other exception prints one line saying so. ``lahar --debug ...`` (or ``LAHAR_DEBUG=1``) shows
the traceback instead. Exit codes are listed in ``docs/cli.md``.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    # the context class Typer's groups receive (typer.Context is only given to callbacks)
    from typer._click import Context as _GroupContext

from lahar.cli._options import EXIT_FAILED, EXIT_OK, EXIT_USAGE, option_for_parameter
from lahar.errors import LaharError

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "app", "main"]

_DEBUG_KEY = "lahar.debug"
# typer >= 0.20 vendors click: take its exception base from typer's own classes
_ClickException: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)
_PASS_THROUGH = (typer.Exit, typer.Abort, _ClickException)


def _debug(ctx: _GroupContext | None) -> bool:
    if os.environ.get("LAHAR_DEBUG", "") not in ("", "0"):
        return True
    return bool(ctx is not None and ctx.meta.get(_DEBUG_KEY))


def _command_params(exc: BaseException) -> dict[str, Any]:
    """Parameters of the command that raised ``exc`` (found on its traceback), or ``{}``."""
    tb = exc.__traceback__
    found: dict[str, Any] = {}
    while tb is not None:
        ctx = tb.tb_frame.f_locals.get("ctx")
        command = getattr(ctx, "command", None)
        if command is not None and not isinstance(command, TyperGroup):
            found = dict(getattr(ctx, "params", {}))
        tb = tb.tb_next
    return found


def _one_line(exc: BaseException) -> str:
    return str(exc).strip() or type(exc).__name__


class _SafeGroup(TyperGroup):
    """The root group: turns every exception of a command into a clean message and exit code."""

    def invoke(self, ctx: _GroupContext) -> Any:
        try:
            return super().invoke(ctx)
        except _PASS_THROUGH:
            raise
        except LaharError as exc:
            if _debug(ctx):
                raise
            message = option_for_parameter(_one_line(exc), _command_params(exc))
            typer.echo(f"error: {message}", err=True)
            raise typer.Exit(EXIT_FAILED) from None
        except OSError as exc:
            if _debug(ctx):
                raise
            where = f": {exc.filename}" if getattr(exc, "filename", None) else ""
            typer.echo(f"error: {exc.strerror or _one_line(exc)}{where}", err=True)
            raise typer.Exit(EXIT_FAILED) from None
        except Exception as exc:
            if _debug(ctx):
                raise
            message = _one_line(exc)
            mapped = option_for_parameter(message, _command_params(exc))
            if isinstance(exc, ValueError) and mapped != message:
                # a library range check that is not (yet) a DataError: still the user's value
                typer.echo(f"error: {mapped}", err=True)
                raise typer.Exit(EXIT_FAILED) from None
            typer.echo(
                f"error: unexpected {type(exc).__name__}: {_one_line(exc).splitlines()[0]} "
                "(run `lahar --debug ...` for the traceback and please report it)",
                err=True,
            )
            raise typer.Exit(EXIT_FAILED) from None


app = typer.Typer(
    name="lahar",
    cls=_SafeGroup,
    help="Stress-test the AI investment boom: sourced network, analytics, contagion, scenarios.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from lahar import __version__

        typer.echo(f"lahar {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    ctx: typer.Context,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Show the full traceback of an error (or LAHAR_DEBUG=1)."),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Stress-test the AI investment boom: sourced network, analytics, contagion, scenarios.

    Exit codes: 0 ok; 1 a failed check, refused query, invalid data or failed run; 2 a usage
    error (unknown option, a value out of range).
    """
    ctx.meta[_DEBUG_KEY] = debug


# One module per command group, each with register(app). Add new groups here.
_COMMAND_MODULES = ("scenario", "run", "data", "sql", "macro", "analyze", "abm", "analysis")

for _name in _COMMAND_MODULES:
    importlib.import_module(f"lahar.cli.{_name}").register(app)
importlib.import_module("lahar.cli.report").register(app)  # lahar report: the HTML report
importlib.import_module("lahar.cli.serve").register(app)  # lahar serve: REST API and dashboard


def main() -> None:
    """Entry point of the ``lahar`` console script: exit codes 0, 1 or 2, never a traceback."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        typer.echo("error: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # the reader went away (`lahar sql ... | head`): stop quietly
        sys.stderr.close()
        sys.exit(EXIT_OK)
    except Exception as exc:
        if _debug(None) or "--debug" in sys.argv[1:]:
            raise
        typer.echo(
            f"error: unexpected {type(exc).__name__}: {_one_line(exc).splitlines()[0]} "
            "(run `lahar --debug ...` for the traceback)",
            err=True,
        )
        sys.exit(EXIT_FAILED)
