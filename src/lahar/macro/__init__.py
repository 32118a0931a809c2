"""The real economy: input–output, markets and energy models of an AI bust.

Pure models over arrays: nothing here reads a file. The tables they take come from
:mod:`lahar.data` (BEA's 71-industry US input–output tables: :func:`lahar.data.load_bea`; the
AI-capex bridge: :func:`lahar.data.capex_bridge`; sourced parameters:
:func:`lahar.data.load_parameters`).

* :mod:`lahar.macro.input_output` — Leontief / Ghosh models, multipliers, satellite effects,
  AI-capex final demand.
* :mod:`lahar.macro.markets` — equity repricing, index losses, savings, wealth effect.
* :mod:`lahar.macro.energy` — data-centre load, reserve margins, capacity prices, contracts.
"""

from lahar.macro.input_output import leontief

__all__ = ["leontief"]
