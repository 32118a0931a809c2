"""The shipped, sourced dataset of the AI-boom network, its schema and its validation.

Files (UTF-8 CSV, documented in ``docs/data.md``): ``sources.csv`` (one row per source),
``entities.csv``, ``exposures.csv`` (typed ties between entities) and ``facts.csv``
(entity-level figures by year). Every row carries a ``source_id``.
"""

from __future__ import annotations

from pathlib import Path

from lahar.data._parameters import PARAMETERS_FILE, Parameter, ParameterSet, load_parameters
from lahar.data._validate import (
    FILES,
    TERM_FORBIDDEN,
    TERM_REQUIRED,
    Field,
    Metric,
    metrics,
    read_tables,
    schema,
    validate,
)
from lahar.network import Network

__all__ = [
    "DATA_DIR",
    "FILES",
    "PARAMETERS_FILE",
    "TERM_FORBIDDEN",
    "TERM_REQUIRED",
    "Field",
    "Metric",
    "Parameter",
    "ParameterSet",
    "load_network",
    "load_parameters",
    "metrics",
    "network_from_tables",
    "read_tables",
    "schema",
    "validate",
]

DATA_DIR: Path = Path(__file__).parent
"""Folder of the shipped dataset."""


def network_from_tables(tables: dict) -> Network:
    """Build the :class:`~lahar.network.Network` of a dataset read by :func:`read_tables`."""
    return Network.from_frames(tables["entities"], tables["exposures"], tables["facts"])


def load_network(directory: str | Path | None = None) -> Network:
    """Validate and load a dataset (default: the shipped one) as a Network.

    Parameters
    ----------
    directory : str or Path, optional
        Dataset folder; default :data:`DATA_DIR`.

    Returns
    -------
    Network

    Raises
    ------
    DataError
        The dataset does not validate; every problem is listed.

    Examples
    --------
    >>> from lahar.data import load_network
    >>> net = load_network()
    >>> net.n >= 60 and net.m >= 150
    True
    """
    return network_from_tables(read_tables(directory))
