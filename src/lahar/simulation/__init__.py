"""Simulation: the agent-based model of the AI-capex boom and bust (:mod:`lahar.simulation.abm`).

=============================  ==========================================================
:func:`simulate`               many runs at once, arrays over runs x agents
:func:`summarize`              bust probability, timing, depth and losses
:func:`model`                  one run as a time series (black-it's calibration interface)
:func:`market_returns`         the investor block alone (builders switched off)
:func:`initial_conditions`     agents calibrated from the shipped network
=============================  ==========================================================
"""

from lahar.simulation._submodels import bass_advance, bass_cdf
from lahar.simulation.abm import (
    CALIBRATED,
    OBSERVABLES,
    AbmInit,
    AbmParams,
    AbmResult,
    AbmSummary,
    initial_conditions,
    market_returns,
    model,
    simulate,
    summarize,
)

__all__ = [
    "CALIBRATED",
    "OBSERVABLES",
    "AbmInit",
    "AbmParams",
    "AbmResult",
    "AbmSummary",
    "bass_advance",
    "bass_cdf",
    "initial_conditions",
    "market_returns",
    "model",
    "simulate",
    "summarize",
]
