"""The real economy: input–output, markets and energy models of an AI bust.

* :mod:`lahar.macro.input_output` — Leontief / Ghosh models, multipliers and BEA's 71-industry
  US tables (:func:`~lahar.macro.input_output.load_bea`), AI-capex bridge.
* :mod:`lahar.macro.markets` — equity repricing, index losses, savings, wealth effect.
* :mod:`lahar.macro.energy` — data-centre load, reserve margins, capacity prices, contracts.
* :mod:`lahar.macro.summary` — :func:`~lahar.macro.summary.capex_bust`: GDP, jobs and savings.
"""

from lahar.macro.input_output import IOTable, leontief, load_bea
from lahar.macro.summary import MacroSummary, capex_bust

__all__ = ["IOTable", "MacroSummary", "capex_bust", "leontief", "load_bea"]
