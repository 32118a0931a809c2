"""The dashboard's charts: the HTML report's figures (:mod:`lahar.report.figures`) by name.

The web app sends :func:`~lahar.report.figures.figure_json` of the same builders the report
uses, so a chart reads the same in both; this module only says which inputs each takes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd
import plotly.graph_objects as go

from lahar.analytics import circularity as circ
from lahar.data import ParameterSet, status_weights
from lahar.errors import LaharError
from lahar.network import Network
from lahar.report import figures as fg
from lahar.report.runs import StoredRun
from lahar.scenarios import rank

__all__ = ["DATASET_FIGURES", "RUN_FIGURES", "compare_figure", "dataset_figure", "run_figure"]

DATASET_FIGURES: dict[str, str] = {
    "network": "The network of firms and deals",
    "circular_flows": "Circular money flows (the largest circulation)",
    "leverage": "Leverage with off-balance-sheet debt added back",
    "collateral": "GPU collateral: book and economic value",
    "refinancing_wall": "The refinancing wall",
    "gap": "The monetization gap by firm",
    "concentration": "Savings riding on the largest stocks",
    "power": "Data-centre power demand",
}
"""Charts of the dataset: name -> title."""

RUN_FIGURES: dict[str, str] = {
    "waterfall": "Losses of firms by channel",
    "defaults": "Who defaults",
    "distribution": "Loss distributions over the draws",
    "macro": "GDP, jobs, savings and the grid",
}
"""Charts of one scenario run: name -> title."""


def _importance(net: Network, params: ParameterSet) -> pd.Series | None:
    """Losses each firm's failure alone causes: the network chart's node sizes, as in the report.

    None where the data cannot carry the cascade (a firm without a balance sheet): every node
    the same size then.
    """
    try:
        return rank(net, params).set_index("entity")["loss_caused"]
    except LaharError:
        return None


def dataset_figure(
    name: str, net: Network, params: ParameterSet, tables: Mapping[str, pd.DataFrame]
) -> go.Figure:
    """One chart of the dataset (a key of :data:`DATASET_FIGURES`).

    Parameters
    ----------
    name : str
        The chart.
    net : Network
        The network.
    params : ParameterSet
        The parameters (status weights of the money flows).
    tables : mapping of str to DataFrame
        :func:`lahar.report.all_tables` of the network.
    """
    builders: dict[str, Callable[[], go.Figure]] = {
        "network": lambda: fg.network_figure(net, importance=_importance(net, params)),
        "circular_flows": lambda: fg.circular_flows_figure(
            circ.max_circulation(circ.money_flows(net, status_weights=status_weights(params))),
            net.entities["name"].astype(str).tolist(),
        ),
        "leverage": lambda: fg.leverage_figure(tables["leverage_firms"]),
        "collateral": lambda: fg.collateral_figure(tables["leverage_collateral"]),
        "refinancing_wall": lambda: fg.refinancing_wall_figure(tables["leverage_wall"]),
        "gap": lambda: fg.gap_figure(tables["gap_firms"]),
        "concentration": lambda: fg.concentration_figure(
            tables["concentration_savings"], tables["concentration_index"]
        ),
        "power": lambda: fg.power_figure(tables["energy_load"]),
    }
    return builders[name]()


def run_figure(name: str, run: StoredRun, names: Mapping[str, str]) -> go.Figure | None:
    """One chart of a finished run (a key of :data:`RUN_FIGURES`); None when it has no data.

    ``distribution`` needs the run's draw-level Parquet files; the others its stored results.
    """
    if name == "waterfall":
        return fg.loss_waterfall(run.summary)
    if name == "defaults":
        return fg.defaults_figure(run.entities, names)
    if name == "distribution":
        return None if run.draws_table.empty else fg.distribution_figure(run.draws_table)
    if name == "macro":
        return fg.macro_figure(run.summary)
    raise KeyError(name)


def compare_figure(runs: Mapping[str, StoredRun], outcome: str) -> go.Figure:
    """One outcome across runs (label -> run): the 5-95 % band, median and mean of each."""
    return fg.scenarios_fan({label: r.summary for label, r in runs.items()}, outcome)
