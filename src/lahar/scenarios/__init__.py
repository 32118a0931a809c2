"""Scenarios: the models composed into answers.

* :func:`cascade_inputs` — the Network adapter: which rows count, status weights, whose money
  a holding is, stakes at market value, commitments valued contract by contract, balance
  sheets with their ranges.
* :func:`capex_bust`, :func:`power_bust`, :func:`firm_repricing` — what an AI-capex cut does
  to GDP, jobs, savings, the grid and listed firms.
"""

from lahar.scenarios._macro import (
    AI_KINDS,
    MacroSummary,
    PowerBust,
    ai_exposure_of_kind,
    capex_bust,
    firm_repricing,
    power_bust,
)
from lahar.scenarios._system import CascadeInputs, cascade_inputs, commitment_values

__all__ = [
    "AI_KINDS",
    "CascadeInputs",
    "MacroSummary",
    "PowerBust",
    "ai_exposure_of_kind",
    "capex_bust",
    "cascade_inputs",
    "commitment_values",
    "firm_repricing",
    "power_bust",
]
