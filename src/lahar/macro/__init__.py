"""The real economy: input–output, markets and energy models of an AI bust.

* :mod:`lahar.macro.input_output` — Leontief / Ghosh models, multipliers and BEA's 71-industry
  US tables (:func:`~lahar.macro.input_output.load_bea`), AI-capex bridge.
* :mod:`lahar.macro.markets` — equity repricing, index losses, savings, wealth effect.
* :mod:`lahar.macro.energy` — data-centre load, reserve margins, capacity prices, contracts.
"""

from lahar.macro.input_output import IOTable, leontief, load_bea

__all__ = ["IOTable", "leontief", "load_bea"]
