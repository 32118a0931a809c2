"""Option types and callbacks that check a value at the command line, in the CLI's own words.

Every callback raises :class:`typer.BadParameter`, which click prints as one line naming the
option the user typed (``Invalid value for '--spillover': must be a number in [-1, 1]; got
-2.``) and exits with code 2. The library checks the same ranges again
(:mod:`lahar._validation`); these checks exist so that the message names the option, not an
internal parameter.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "FormatOption",
    "choice",
    "close_matches",
    "dataset_dir",
    "exposure_ids",
    "exposure_statuses",
    "finite_float",
    "float_in",
    "known_ids",
    "nonnegative_float",
    "option_for_parameter",
    "positive_float",
    "positive_int",
    "share",
    "status_weights",
]

EXIT_OK = 0
"""Exit code: success."""
EXIT_FAILED = 1
"""Exit code: a failed check, a refused query, invalid data or a failed run."""
EXIT_USAGE = 2
"""Exit code: a usage error (unknown command or option, a value out of range)."""

Callback = Callable[[typer.Context, typer.CallbackParam, Any], Any]


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else f"{value}"


def float_in(
    low: float = -math.inf,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
    meaning: str = "",
) -> Callback:
    """A callback accepting a finite number in the given interval.

    Examples
    --------
    >>> import typer
    >>> check = float_in(0, 1)
    >>> check(None, None, 0.5)
    0.5
    >>> try:
    ...     check(None, None, float("nan"))
    ... except typer.BadParameter as exc:
    ...     print(exc)
    must be a finite number in [0, 1]; got nan.
    """
    lo = "(" if low_open else "["
    hi = ")" if high_open else "]"
    if math.isinf(low) and math.isinf(high):
        wanted = "a finite number"
    elif math.isinf(high):
        wanted = f"a finite number {'>' if low_open else '>='} {low:g}"
    elif math.isinf(low):
        wanted = f"a finite number {'<' if high_open else '<='} {high:g}"
    else:
        wanted = f"a finite number in {lo}{low:g}, {high:g}{hi}"
    suffix = f" ({meaning})" if meaning else ""

    def check(ctx: typer.Context | None, param: Any, value: float | None) -> float | None:
        if value is None:
            return value
        ok = math.isfinite(value)
        ok = ok and (value > low if low_open else value >= low)
        ok = ok and (value < high if high_open else value <= high)
        if not ok:
            raise typer.BadParameter(f"must be {wanted}{suffix}; got {_show(value)}.")
        return value

    return check


finite_float = float_in()
"""Any finite number (no nan, no inf)."""
share = float_in(0.0, 1.0, meaning="a share: 0 = none, 1 = all")
"""A share in [0, 1]."""
nonnegative_float = float_in(0.0)
"""A finite number >= 0."""
positive_float = float_in(0.0, low_open=True)
"""A finite number > 0."""


def positive_int(ctx: typer.Context | None, param: Any, value: int | None) -> int | None:
    """Accept an integer >= 1.

    Examples
    --------
    >>> positive_int(None, None, 3)
    3
    """
    if value is not None and value < 1:
        raise typer.BadParameter(f"must be an integer >= 1; got {value}.")
    return value


def close_matches(word: str, known: Iterable[str], n: int = 3) -> str:
    """A ``" (did you mean a, b?)"`` hint, or ``""`` when nothing is close.

    Examples
    --------
    >>> close_matches("comitted", ["announced", "committed", "drawn"])
    " (did you mean 'committed'?)"
    """
    hits = difflib.get_close_matches(word, list(known), n=n, cutoff=0.6)
    return f" (did you mean {', '.join(map(repr, hits))}?)" if hits else ""


def choice(*allowed: str) -> Callback:
    """A callback accepting one of ``allowed`` (and suggesting the closest on a typo).

    Examples
    --------
    >>> choice("table", "csv", "json")(None, None, "csv")
    'csv'
    """

    def check(ctx: typer.Context | None, param: Any, value: str | None) -> str | None:
        if value is not None and value not in allowed:
            raise typer.BadParameter(
                f"must be one of {', '.join(allowed)}; got {value!r}"
                f"{close_matches(value, allowed)}."
            )
        return value

    return check


FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="Output: table, csv or json.",
        callback=choice("table", "csv", "json"),
    ),
]
"""The ``--format`` option shared by the commands that print tables."""


def _split_ids(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def known_ids(what: str, ids_of: Callable[[Path | None], Iterable[str] | None]) -> Callback:
    """A callback for comma-separated ids that must exist; unknown ones list close matches.

    Parameters
    ----------
    what : str
        What the ids are, for the message (``"exposure"``).
    ids_of : callable
        ``ids_of(data_dir)`` returns the known ids of the dataset given by ``--data`` (make
        that option eager so it is parsed first), or ``None`` when they cannot be read (the
        command then reports the dataset's own problems).
    """

    def check(ctx: typer.Context | None, param: Any, value: str | None) -> str | None:
        if not value:
            return value
        data = ctx.params.get("data") if ctx is not None else None
        known = ids_of(data)
        if known is None:
            return value
        known = set(known)
        bad = [x for x in _split_ids(value) if x not in known]
        if bad:
            hints = "; ".join(f"{b!r}{close_matches(b, known)}" for b in bad[:5])
            more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
            raise typer.BadParameter(f"unknown {what} id {hints}{more}.")
        return value

    return check


def status_weights(statuses: Callable[[], Iterable[str]]) -> Callback:
    """A callback for ``status=weight,...`` text: known statuses, finite weights >= 0.

    ``"1"`` alone (every weight 1) is accepted. The text is returned unchanged.

    Examples
    --------
    >>> import typer
    >>> check = status_weights(lambda: ["announced", "committed"])
    >>> check(None, None, "announced=0.3")
    'announced=0.3'
    >>> try:
    ...     check(None, None, "committed=-1")
    ... except typer.BadParameter as exc:
    ...     print(exc)
    the weight of 'committed' must be a finite number >= 0; got '-1'.
    """

    def check(ctx: typer.Context | None, param: Any, value: str | None) -> str | None:
        if value is None or value.strip() in ("1", "1.0"):
            return value
        known = list(statuses())
        for part in _split_ids(value):
            key, sep, raw = (x.strip() for x in part.partition("="))
            if not sep:
                raise typer.BadParameter(
                    f"expected status=weight pairs separated by commas; got {part!r}."
                )
            if key not in known:
                raise typer.BadParameter(
                    f"unknown status {key!r}{close_matches(key, known)}; statuses are "
                    f"{', '.join(known)}."
                )
            try:
                weight = float(raw)
            except ValueError:
                weight = math.nan
            if not (math.isfinite(weight) and weight >= 0):
                raise typer.BadParameter(
                    f"the weight of {key!r} must be a finite number >= 0; got {raw!r}."
                )
        return value

    return check


# Library parameter -> (the option a user types, its name in the command's signature), for
# messages that escape the edge checks.
_OPTION_OF = {
    "rest_return": ("--spillover", "spillover"),
    "ai_cut": ("--capex-cut", "capex_cut"),
    "cut": ("--capex-cut", "capex_cut"),
    "capex_cut": ("--capex-cut", "capex_cut"),
    "spread_years": ("--spread-years", "spread_years"),
    "status_weights": ("--weights", "weights"),
    "exclude": ("--exclude", "exclude"),
    "reverse": ("--reverse", "reverse"),
    "which": ("--range", "which"),
    "top": ("--top", "top"),
    "max_rows": ("--max-rows", "max_rows"),
    "timeout_s": ("--timeout", "timeout"),
    "outcome": ("--outcome", "outcome"),
    "quantity": ("--quantity", "quantity"),
    "bounds": ("--range", "within"),
    "draws": ("--draws", "draws"),
}
_PARAMETER_MESSAGE = re.compile(
    r"The '(?P<name>\w+)' parameter of (?P<func>[\w.]+)(?:\(\))? (?P<rest>.*)", re.S
)


def option_for_parameter(message: str, params: dict[str, Any] | None = None) -> str:
    """Rewrite a library message about parameter ``x`` of ``f()`` to name the CLI option.

    Only when the option was part of the command (``params`` holds its name); the message is
    returned unchanged otherwise.

    Examples
    --------
    >>> option_for_parameter(
    ...     "The 'rest_return' parameter of savings_losses() must be >= -1. Got -2 instead.",
    ...     {"spillover": -2.0},
    ... )
    'Invalid value for --spillover: must be >= -1. Got -2 instead.'
    """
    m = _PARAMETER_MESSAGE.match(message)
    if m is None or m["name"] not in _OPTION_OF:
        return message
    option, name = _OPTION_OF[m["name"]]
    if params is not None and name not in params:
        return message
    return f"Invalid value for {option}: {m['rest']}"


def dataset_dir(ctx: typer.Context | None, param: Any, value: Path | None) -> Path | None:
    """Accept an existing dataset folder (not a file).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> dataset_dir(None, None, d) == d
    True
    """
    if value is None:
        return value
    if not value.exists():
        raise typer.BadParameter(f"no such folder: {value}.")
    if not value.is_dir():
        raise typer.BadParameter(
            f"{value} is a file; give the folder that holds sources.csv, entities.csv, "
            "exposures.csv and facts.csv."
        )
    return value


def exposure_ids(data: Path | None) -> list[str] | None:
    """Exposure ids of a dataset folder (default: shipped), or None when it does not read."""
    from lahar.data import read_tables
    from lahar.errors import LaharError

    try:
        return list(read_tables(data)["exposures"]["id"])
    except (LaharError, OSError):
        return None


def exposure_statuses() -> list[str]:
    """The exposure statuses the schema allows."""
    from lahar.data import schema

    return next(list(f.allowed) for f in schema()["exposures.csv"] if f.name == "status")
