"""The shipped, sourced dataset of the AI-boom network, its schema and its validation.

Files (UTF-8 CSV, documented in ``docs/data.md``): ``sources.csv`` (one row per source),
``entities.csv``, ``exposures.csv`` (typed ties between entities) and ``facts.csv``
(entity-level figures by year). Every row carries a ``source_id``. BEA's input–output tables
and lahar's bridges to them live in ``bea/`` (:func:`load_bea`, :func:`capex_bridge`,
:func:`industry_of_kind`). Nothing is read at import: every loader reads on its first call.
"""

from __future__ import annotations

from pathlib import Path

from lahar.data._bea import (
    BEA_DIR,
    EMPLOYMENT_YEAR,
    IOTable,
    capex_bridge,
    capex_categories,
    industry_of_kind,
    load_bea,
    published_requirements,
    scenario_table,
)
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
from lahar.network import STATUSES, Network

__all__ = [
    "BEA_DIR",
    "DATA_DIR",
    "EMPLOYMENT_YEAR",
    "FILES",
    "IOTable",
    "PARAMETERS_FILE",
    "TERM_FORBIDDEN",
    "TERM_REQUIRED",
    "Field",
    "Metric",
    "Parameter",
    "ParameterSet",
    "capex_bridge",
    "capex_categories",
    "industry_of_kind",
    "load_bea",
    "scenario_table",
    "load_network",
    "load_parameters",
    "metrics",
    "network_from_tables",
    "published_requirements",
    "read_tables",
    "schema",
    "status_weights",
    "validate",
]

DATA_DIR: Path = Path(__file__).parent
"""Folder of the shipped dataset."""


def network_from_tables(tables: dict, params: ParameterSet | None = None) -> Network:
    """Build the :class:`~lahar.network.Network` of a dataset read by :func:`read_tables`.

    The network's conventions come from the parameters (default: the shipped ones):
    ``termless_years`` (:attr:`~lahar.network.Network.years`).
    """
    p = load_parameters() if params is None else params
    return Network.from_frames(
        tables["entities"],
        tables["exposures"],
        tables["facts"],
        termless_years=p.value("termless_years"),
    )


def status_weights(params: ParameterSet | None = None, *, which: str = "value") -> dict[str, float]:
    """The one status-weight table: share of a deal's headline amount that counts, by status.

    Read from the ``status_weight_<status>`` rows of ``parameters.csv`` (model ``network``);
    every model that weighs exposures by status (money flows, commitment losses, the cascade)
    takes this table from its caller.

    Parameters
    ----------
    params : ParameterSet, optional
        Default: the shipped parameters.
    which : {"value", "low", "high"}
        The central weights or an end of their ranges.

    Examples
    --------
    >>> w = status_weights()
    >>> w["announced"], w["drawn"]
    (0.25, 1.0)
    """
    p = load_parameters() if params is None else params
    return {s: p.value(f"status_weight_{s}", which) for s in STATUSES}


def load_network(
    directory: str | Path | None = None, *, params: ParameterSet | None = None
) -> Network:
    """Validate and load a dataset (default: the shipped one) as a Network.

    Parameters
    ----------
    directory : str or Path, optional
        Dataset folder; default :data:`DATA_DIR`.
    params : ParameterSet, optional
        Parameters that set the network's conventions (default: the shipped ones).

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
    return network_from_tables(read_tables(directory), params)
