"""The ``lahar`` command line.

Each sub-module holds one group of commands and a ``register(app)`` function; this module
builds the Typer app from them. The commands are thin: they call the same public functions a
notebook user calls.
"""

from __future__ import annotations

import importlib

import typer

__all__ = ["app", "main"]

app = typer.Typer(
    name="lahar",
    help="Stress-test the AI investment boom: sourced network, analytics, contagion, scenarios.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# One module per command group, each with register(app). Add new groups here.
_COMMAND_MODULES = ("run", "data", "sql", "macro", "analyze", "abm")

for _name in _COMMAND_MODULES:
    importlib.import_module(f"lahar.cli.{_name}").register(app)


def main() -> None:
    """Entry point of the ``lahar`` console script."""
    app()
