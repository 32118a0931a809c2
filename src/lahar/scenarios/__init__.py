"""Scenarios: the models composed into answers.

* :func:`cascade_inputs` — the Network adapter: which rows count, status weights, whose money
  a holding is, stakes at market value, commitments valued contract by contract, balance
  sheets with their ranges.
* :func:`capex_bust`, :func:`power_bust`, :func:`firm_repricing` — what an AI-capex cut does
  to GDP, jobs, savings, the grid and listed firms.
* :func:`sensitivity` (Sobol indices), :func:`discover` (scenario discovery),
  :func:`reverse_stress` (the threshold of a shock) and :func:`rank` (systemic importance):
  what drives the outcome.
* :class:`Scenario` specs (TOML; :func:`load_scenario`, :func:`builtin_scenario`; their main
  parameters :func:`shock_quantities`, changed by :func:`with_quantities`), the full
  cascade of a block of draws (:func:`evaluate`) and the Monte Carlo (:func:`run_scenario`,
  local or on Dask, bit-identical for any chunking).
"""

from lahar.scenarios._analysis import (
    Outcome,
    SensitivityResult,
    StressThreshold,
    discover,
    parse_outcome,
    rank,
    reverse_stress,
    sensitivity,
)
from lahar.scenarios._engine import (
    BLOCK,
    HEADLINES,
    Context,
    Dim,
    draw_points,
    evaluate,
    make_context,
    values,
)
from lahar.scenarios._macro import (
    MacroSummary,
    PowerBust,
    ai_exposure_of_kind,
    capex_bust,
    firm_repricing,
    power_bust,
)
from lahar.scenarios._montecarlo import RunResult, run_scenario
from lahar.scenarios._spec import (
    SCENARIO_DIR,
    SHOCK_KINDS,
    Quantity,
    Scenario,
    ShockQuantity,
    builtin_scenario,
    builtin_scenarios,
    load_scenario,
    parse_scenario,
    scenario_hash,
    shock_quantities,
    with_quantities,
)
from lahar.scenarios._system import CascadeInputs, cascade_inputs, commitment_values

__all__ = [
    "BLOCK",
    "HEADLINES",
    "SCENARIO_DIR",
    "SHOCK_KINDS",
    "Context",
    "Dim",
    "Outcome",
    "Quantity",
    "RunResult",
    "Scenario",
    "SensitivityResult",
    "ShockQuantity",
    "StressThreshold",
    "builtin_scenario",
    "builtin_scenarios",
    "discover",
    "draw_points",
    "evaluate",
    "load_scenario",
    "make_context",
    "parse_outcome",
    "parse_scenario",
    "rank",
    "reverse_stress",
    "run_scenario",
    "scenario_hash",
    "sensitivity",
    "shock_quantities",
    "values",
    "with_quantities",
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
