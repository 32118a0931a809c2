"""The contract every public model function keeps (scikit-learn's ``check_estimator`` idea).

Every function in ``__all__`` of the model packages -- each public module of
:mod:`lahar.analytics` and :mod:`lahar.macro`, and :mod:`lahar.contagion` -- needs an entry in
:data:`CASES`: one valid call, and the parameters whose bad values it must reject. For each
entry the test checks that

* the valid call runs and leaves its inputs unchanged (no mutation);
* a wrong shape, a NaN, a wrong sign or a value out of range raises
  :class:`lahar.errors.DataError` whose message has the one format of ``lahar._validation``
  ("The 'x' parameter of f() must be .... Got ... instead.") and names the function and the
  parameter.

A public function added without an entry makes :func:`test_every_public_function_has_a_case`
fail: write its case (or, for a function that is not a model, add it to :data:`EXEMPT` with
the reason).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

import lahar.analytics
import lahar.contagion
import lahar.macro
from lahar._validation import MESSAGE_PATTERN
from lahar.data import capex_bridge, load_bea
from lahar.errors import DataError
from lahar.network import Network, synthetic

#: Modules whose public functions are not models (with the reason).
EXEMPT_MODULES: dict[str, str] = {}

#: Public functions that are not models (with the reason).
EXEMPT: dict[str, str] = {}


def _public_modules() -> list[Any]:
    mods: list[Any] = [lahar.contagion, lahar.macro]
    for pkg in (lahar.analytics, lahar.macro):
        for info in pkgutil.iter_modules(pkg.__path__):
            name = f"{pkg.__name__}.{info.name}"
            if not info.name.startswith("_") and name not in EXEMPT_MODULES:
                mods.append(importlib.import_module(name))
    return mods


def public_functions() -> dict[str, Callable[..., Any]]:
    """``"module.name"`` -> function, for every function in a model module's ``__all__``."""
    out: dict[str, Callable[..., Any]] = {}
    for mod in _public_modules():
        for name in getattr(mod, "__all__", ()):
            obj = getattr(mod, name)
            key = f"{mod.__name__}.{name}"
            if inspect.isfunction(obj) and key not in EXEMPT:
                out[key] = obj
    return out


# --------------------------------------------------------------------------- the cases
@dataclass
class Case:
    """One valid call and the checks to run on its parameters.

    ``checks`` maps a parameter to the kinds of bad value it must reject:
    ``"shape"`` (a 3-D array), ``"square"`` (a matrix that is not square), ``"length"`` (one
    entry more),
    ``"nan"``, ``"sign"`` (a negative entry), ``"high"`` (an entry of 1.5, for shares in
    [0, 1]), ``"zero"`` (a zero, for strictly positive values).
    """

    args: Callable[[], dict[str, Any]]
    checks: dict[str, str] = field(default_factory=dict)
    positional: tuple[str, ...] = ()


def _net() -> Network:
    return synthetic(12, 30, seed=3)


def _flows() -> np.ndarray:
    return np.array([[0, 100, 0], [80, 0, 20], [30, 0, 0]], dtype=float)


_W = {"announced": 0.25, "committed": 0.5, "drawn": 1.0, "reported": 1.0, "estimate": 0.5}


def _cascade_system() -> Any:
    from lahar.contagion import CascadeSystem

    debt = np.zeros((3, 3))
    debt[2, 1] = 20.0
    return CascadeSystem.build(
        debt=debt,
        stakes=np.zeros((3, 3)),
        value=[10.0, 10.0, 10.0],
        liabilities=[5.0, 30.0, 50.0],
        buyer=[0],
        supplier=[1],
    )


A2 = np.array([[0.15, 0.25], [0.20, 0.05]])
L3 = np.array([[0, 20, 10], [5, 0, 24], [10, 0, 0]], dtype=float)

CASES: dict[str, Case] = {
    # ---------------------------------------------------------------- analytics.circularity
    "lahar.analytics.circularity.max_circulation": Case(
        lambda: {"flows": _flows()}, {"flows": "shape square nan sign"}, ("flows",)
    ),
    "lahar.analytics.circularity.round_trip": Case(
        lambda: {"flows": _flows(), "turnover": np.array([400.0, 200.0, 100.0])},
        {"flows": "shape square nan sign", "turnover": "length sign"},
        ("flows",),
    ),
    "lahar.analytics.circularity.top_cycles": Case(
        lambda: {"flows": _flows(), "k": 3, "max_length": 3},
        {"flows": "shape square nan sign", "k": "sign", "max_length": "sign"},
        ("flows",),
    ),
    "lahar.analytics.circularity.money_flows": Case(
        lambda: {"net": _net(), "status_weights": _W, "termless_years": 5.0},
        {"termless_years": "nan sign zero"},
        ("net",),
    ),
    "lahar.analytics.circularity.money_flow_table": Case(
        lambda: {"net": _net(), "status_weights": _W, "termless_years": 5.0},
        {"termless_years": "nan sign zero"},
        ("net",),
    ),
    # ---------------------------------------------------------------- analytics.concentration
    "lahar.analytics.concentration.concentration": Case(
        lambda: {"weights": np.array([0.4, 0.3]), "n": 4, "k": 2},
        {"weights": "shape nan sign high", "n": "sign", "k": "sign"},
        ("weights",),
    ),
    "lahar.analytics.concentration.savings_at_stake": Case(
        lambda: {"assets": np.array([9.3e12, 1e12]), "equity_share": 0.75, "weight": 0.34},
        {"assets": "nan sign", "equity_share": "nan sign high", "weight": "nan sign high"},
        ("assets", "equity_share", "weight"),
    ),
    # ---------------------------------------------------------------- analytics.energy
    "lahar.analytics.energy.energy_twh": Case(
        lambda: {"gw": np.array([1.0, 103.0]), "utilisation": 0.5},
        {"gw": "nan sign", "utilisation": "nan sign high zero"},
        ("gw",),
    ),
    "lahar.analytics.energy.electricity_share": Case(
        lambda: {"twh": np.array([176.0]), "total_twh": 4000.0},
        {"twh": "nan sign", "total_twh": "nan sign zero"},
        ("twh",),
    ),
    "lahar.analytics.energy.ppa_economics": Case(
        lambda: {
            "mw": np.array([1920.0]),
            "value_usd": np.array([18e9]),
            "years": np.array([17.0]),
            "capacity_factor": 0.9,
        },
        {
            "mw": "nan sign",
            "value_usd": "nan sign",
            "years": "nan sign zero",
            "capacity_factor": "nan sign high zero",
        },
        ("mw", "value_usd", "years"),
    ),
    # ---------------------------------------------------------------- analytics.gap
    "lahar.analytics.gap.required_revenue": Case(
        lambda: {"spend": np.array([150e9]), "tco_multiplier": 2.0, "gross_margin": 0.5},
        {"spend": "nan sign", "tco_multiplier": "nan sign", "gross_margin": "nan sign high zero"},
        ("spend",),
    ),
    "lahar.analytics.gap.monetization_gap": Case(
        lambda: {
            "spend": np.array([150e9]),
            "actual": np.array([100e9]),
            "tco_multiplier": 2.0,
            "gross_margin": 0.5,
        },
        {"spend": "nan sign", "actual": "nan sign", "gross_margin": "nan sign high zero"},
        ("spend", "actual"),
    ),
    "lahar.analytics.gap.adoption_path": Case(
        lambda: {"years": np.array([0.0, 1.0]), "r0": 10.0, "growth": 0.7},
        {"years": "nan", "r0": "nan sign zero", "growth": "nan sign zero"},
        ("years",),
    ),
    "lahar.analytics.gap.years_to_close": Case(
        lambda: {"target": np.array([40.0]), "r0": 10.0, "growth": 0.7},
        {"target": "nan sign", "r0": "nan sign zero", "growth": "nan sign zero"},
        ("target",),
    ),
    # ---------------------------------------------------------------- analytics.geopolitics
    "lahar.analytics.geopolitics.chip_capital_ledger": Case(
        lambda: {
            "chip_country": np.array(["AE", "SA"]),
            "chip_usd": np.array([0.0, 10e9]),
            "chip_units": np.array([1e5, 0.0]),
            "pledge_country": np.array(["AE"]),
            "pledge_usd": np.array([1.4e12]),
        },
        {"chip_usd": "length sign", "chip_units": "length sign", "pledge_usd": "length sign"},
        ("chip_country", "chip_usd", "chip_units", "pledge_country", "pledge_usd"),
    ),
    # ---------------------------------------------------------------- analytics.governance
    "lahar.analytics.governance.official_paths": Case(
        lambda: {
            "ties": sp.csr_array(([0.0], ([0], [1])), shape=(4, 4)),
            "links": np.array([[0, 0, 0, 0], [0, 0, 6e8, 0], [0, 0, 0, 0], [0, 0, 5.0, 0]]),
            "officials": np.array([0]),
            "max_hops": 3,
        },
        {"links": "shape square nan sign", "max_hops": "sign"},
        ("ties", "links", "officials"),
    ),
    # ---------------------------------------------------------------- analytics.leverage
    "lahar.analytics.leverage.decline_rate": Case(
        lambda: {"p0": 4.7, "p1": 2.35, "years": 2.7},
        {"p0": "nan sign zero", "p1": "nan sign zero", "years": "nan sign zero"},
        ("p0", "p1", "years"),
    ),
    "lahar.analytics.leverage.credit_ratios": Case(
        lambda: {
            "debt": np.array([92.6e9, 10e9]),
            "ebit": np.array([17.7e9, -1e9]),
            "interest": np.array([3.6e9, 1e9]),
            "assets": np.array([168e9, 50e9]),
            "off_balance": np.array([248e9, 0.0]),
        },
        {"debt": "sign", "interest": "sign", "assets": "sign", "off_balance": "sign"},
        ("debt",),
    ),
    "lahar.analytics.leverage.gpu_value": Case(
        lambda: {"years": np.array([0.0, 1.0, 2.0]), "lives": np.array([5.0, 6.0]), "decline": 0.2},
        {"years": "shape nan sign", "lives": "shape nan sign zero", "decline": "nan sign high"},
        ("years",),
    ),
    "lahar.analytics.leverage.loan_to_value": Case(
        lambda: {
            "years": np.array([0.0, 1.0, 2.0]),
            "value": np.array([1.0, 0.75, 0.5]),
            "ltv0": 0.6,
            "term": 4.0,
        },
        {
            "years": "nan sign",
            "value": "shape length nan sign zero",
            "ltv0": "nan sign zero",
            "term": "nan sign zero",
        },
        ("years", "value"),
    ),
    "lahar.analytics.leverage.refinancing_wall": Case(
        lambda: {
            "amount": np.array([5.0, 3.0, 2.0]),
            "maturity_year": np.array([2027.0, 2029.0, np.nan]),
            "start": 2026,
            "end": 2029,
        },
        {"amount": "shape nan sign", "maturity_year": "length"},
        ("amount", "maturity_year"),
    ),
    # ---------------------------------------------------------------- macro.energy
    "lahar.macro.energy.average_load": Case(
        lambda: {"energy_twh": np.array([325.0, 580.0])},
        {"energy_twh": "shape nan sign"},
        ("energy_twh",),
    ),
    "lahar.macro.energy.grid_balance": Case(
        lambda: {
            "load_change_gw": np.array([0.0, -5.1]),
            "peak_gw": 153.9,
            "reserve_margin": 0.148,
            "target_margin": 0.2,
        },
        {"load_change_gw": "shape nan", "peak_gw": "nan sign zero", "target_margin": "nan sign"},
        ("load_change_gw",),
    ),
    "lahar.macro.energy.capacity_price": Case(
        lambda: {
            "load_change_gw": np.array([0.0, -5.1]),
            "uncapped_price": 529.8,
            "slope": 49.5,
            "cap": 333.44,
        },
        {
            "load_change_gw": "shape nan",
            "uncapped_price": "nan sign",
            "slope": "nan sign",
            "cap": "nan sign",
        },
        ("load_change_gw",),
    ),
    "lahar.macro.energy.capacity_bill": Case(
        lambda: {
            "price": np.array([28.92]),
            "base_price": 329.17,
            "base_cost": 16.1e9,
            "customers": 67e6,
        },
        {
            "price": "shape nan sign",
            "base_price": "nan sign zero",
            "base_cost": "nan sign",
            "customers": "nan sign zero",
        },
        ("price",),
    ),
    "lahar.macro.energy.bust_exposure": Case(
        lambda: {
            "ai_cut": np.array([0.3, 1.0]),
            "contract_value": 18e9,
            "restart_capex": 1.6e9,
            "deferred_coal_gw": 8.5,
            "planned_capex": 208e9,
            "dc_capex_share": 0.26,
        },
        {
            "ai_cut": "shape nan sign high",
            "contract_value": "nan sign",
            "restart_capex": "nan sign",
            "deferred_coal_gw": "nan sign",
            "planned_capex": "nan sign",
            "dc_capex_share": "nan sign high",
        },
        ("ai_cut",),
    ),
    # ---------------------------------------------------------------- macro.input_output
    "lahar.macro.input_output.technical_coefficients": Case(
        lambda: {"flows": np.array([[150.0, 500.0], [200.0, 100.0]]), "output": np.ones(2) * 1e3},
        {"flows": "shape square nan sign", "output": "length nan sign zero"},
        ("flows", "output"),
    ),
    "lahar.macro.input_output.allocation_coefficients": Case(
        lambda: {"flows": np.array([[150.0, 500.0], [200.0, 100.0]]), "output": np.ones(2) * 1e3},
        {"flows": "shape square nan sign", "output": "length nan sign zero"},
        ("flows", "output"),
    ),
    "lahar.macro.input_output.spectral_radius_bound": Case(
        lambda: {"matrix": A2.copy(), "max_iter": 50, "tol": 1e-9},
        {"matrix": "shape square nan", "max_iter": "sign", "tol": "nan sign"},
        ("matrix",),
    ),
    "lahar.macro.input_output.factorize": Case(
        lambda: {"coefficients": A2.copy()}, {"coefficients": "shape square nan"}, ("coefficients",)
    ),
    "lahar.macro.input_output.leontief": Case(
        lambda: {"technical_coefficients": A2.copy(), "final_demand": np.array([600.0, 1500.0])},
        {"technical_coefficients": "shape square nan", "final_demand": "shape length nan"},
        ("technical_coefficients", "final_demand"),
    ),
    "lahar.macro.input_output.ghosh": Case(
        lambda: {"allocation_coefficients": A2.copy(), "primary_inputs": np.array([650.0, 1.4e3])},
        {"allocation_coefficients": "shape square nan", "primary_inputs": "shape length nan"},
        ("allocation_coefficients", "primary_inputs"),
    ),
    "lahar.macro.input_output.total_requirements": Case(
        lambda: {"technical_coefficients": A2.copy()},
        {"technical_coefficients": "shape square nan"},
        ("technical_coefficients",),
    ),
    "lahar.macro.input_output.type_i_multipliers": Case(
        lambda: {"technical_coefficients": A2.copy(), "coefficients": np.array([0.3, 0.25])},
        {"technical_coefficients": "shape square nan", "coefficients": "shape length nan"},
        ("technical_coefficients",),
    ),
    "lahar.macro.input_output.closed_model": Case(
        lambda: {
            "technical_coefficients": A2.copy(),
            "household_input": np.array([0.3, 0.25]),
            "household_consumption": np.array([0.05, 0.4]),
        },
        {
            "technical_coefficients": "shape square nan",
            "household_input": "length nan sign",
            "household_consumption": "length nan sign",
        },
        ("technical_coefficients", "household_input", "household_consumption"),
    ),
    "lahar.macro.input_output.type_ii_multipliers": Case(
        lambda: {
            "technical_coefficients": A2.copy(),
            "household_input": np.array([0.3, 0.25]),
            "household_consumption": np.array([0.05, 0.4]),
        },
        {
            "technical_coefficients": "shape square nan",
            "household_input": "length nan sign",
            "household_consumption": "length nan sign",
        },
        ("technical_coefficients", "household_input", "household_consumption"),
    ),
    "lahar.macro.input_output.io_effects": Case(
        lambda: {
            "technical_coefficients": A2.copy(),
            "final_demand": np.array([-100.0, 0.0]),
            "value_added_coefficients": np.array([0.65, 0.7]),
        },
        {
            "technical_coefficients": "shape square nan",
            "final_demand": "shape length nan",
            "value_added_coefficients": "length nan",
        },
        ("technical_coefficients", "final_demand"),
    ),
    "lahar.macro.input_output.capex_final_demand": Case(
        lambda: {
            "table": load_bea(2023),
            "category_spending": np.full(8, -100.0),
            "bridge": capex_bridge(),
        },
        {"category_spending": "shape length nan", "bridge": "shape nan sign"},
        ("table", "category_spending", "bridge"),
    ),
    "lahar.macro.leontief": Case(
        lambda: {"technical_coefficients": A2.copy(), "final_demand": np.array([600.0, 1500.0])},
        {"technical_coefficients": "shape square nan", "final_demand": "shape length nan"},
        ("technical_coefficients", "final_demand"),
    ),
    # ---------------------------------------------------------------- macro.markets
    "lahar.macro.markets.reprice": Case(
        lambda: {
            "market_cap": np.array([4000e9, 60e9]),
            "ai_exposure": np.array([0.58, 1.0]),
            "ai_cut": np.array([0.3, 1.0]),
            "equity_loss": np.array([[0.0, 0.0], [1e9, 2e9]]),
        },
        {
            "market_cap": "shape nan sign zero",
            "ai_exposure": "length nan sign high",
            "ai_cut": "shape nan sign high",
            "equity_loss": "shape length nan sign",
        },
        ("market_cap",),
    ),
    "lahar.macro.markets.index_return": Case(
        lambda: {
            "weights": np.array([0.43]),
            "price_change": np.array([[-0.174, -0.2]]),
            "rest_return": np.array([0.0, -0.05]),
        },
        {
            "weights": "shape nan sign high",
            "price_change": "shape length nan",
            "rest_return": "nan",
        },
        ("weights", "price_change"),
    ),
    "lahar.macro.markets.savings_losses": Case(
        lambda: {
            "market_return": np.array([-0.1, -0.3]),
            "household_equity": 51.2e12,
            "retirement_assets": 31e12,
            "k401_assets": 9.3e12,
            "db_pension_assets": 12.3e12,
            "retirement_equity_share": 0.75,
            "pension_equity_share": 0.471,
        },
        {
            "market_return": "shape nan",
            "household_equity": "nan sign",
            "retirement_assets": "nan sign",
            "k401_assets": "nan sign",
            "db_pension_assets": "nan sign",
            "retirement_equity_share": "nan sign high",
            "pension_equity_share": "nan sign high",
        },
        ("market_return",),
    ),
    "lahar.macro.markets.wealth_effect": Case(
        lambda: {"wealth_change": np.array([-5.12e12]), "mpc": 0.032},
        {"wealth_change": "nan", "mpc": "nan sign high"},
        ("wealth_change",),
    ),
    "lahar.macro.markets.consumption_demand": Case(
        lambda: {
            "consumption_change": np.array([-100.0, -50.0]),
            "pce_shares": np.array([0.6, 0.3]),
        },
        {"consumption_change": "shape nan", "pce_shares": "shape nan sign high"},
        ("consumption_change", "pce_shares"),
    ),
    # ---------------------------------------------------------------- contagion
    "lahar.contagion.eisenberg_noe": Case(
        lambda: {
            "liabilities": L3.copy(),
            "external_assets": np.array([[10.0, 5.0], [10.0, 5.0], [10.0, 5.0]]),
            "alpha": 0.9,
            "beta": 0.8,
            "external_liabilities": np.array([1.0, 0.0, 2.0]),
        },
        {
            "liabilities": "shape square nan sign",
            "external_assets": "shape length nan sign",
            "alpha": "nan sign high",
            "beta": "nan sign high",
            "external_liabilities": "length nan sign",
        },
        ("liabilities", "external_assets"),
    ),
    "lahar.contagion.prepare_clearing": Case(
        lambda: {"liabilities": L3.copy(), "external_liabilities": np.array([1.0, 0.0, 2.0])},
        {"liabilities": "shape square nan sign", "external_liabilities": "length nan sign"},
        ("liabilities", "external_liabilities"),
    ),
    "lahar.contagion.debtrank": Case(
        lambda: {
            "exposures": np.array([[0.0, 5.0], [5.0, 0.0]]),
            "equity": np.array([10.0, 10.0]),
            "shock": np.array([[0.2, 1.0], [0.0, 0.0]]),
            "tol": 1e-12,
            "max_iter": 1000,
        },
        {
            "exposures": "shape square nan sign",
            "equity": "length nan sign zero",
            "shock": "shape length nan sign high",
            "tol": "nan sign",
            "max_iter": "sign",
        },
        ("exposures", "equity", "shock"),
    ),
    "lahar.contagion.fire_sale": Case(
        lambda: {
            "assets": np.array([100.0, 50.0]),
            "weights": np.array([[0.5, 0.3], [0.2, 0.6]]),
            "leverage": np.array([10.0, 5.0]),
            "price_impact": np.array([1e-3, 2e-3]),
            "shock": np.array([-0.02, 0.0]),
        },
        {
            "assets": "nan sign",
            "weights": "shape nan sign",
            "leverage": "length nan sign",
            "price_impact": "length nan sign",
            "shock": "shape length nan",
        },
        ("assets", "weights", "leverage", "price_impact", "shock"),
    ),
    "lahar.contagion.commitment_losses": Case(
        lambda: {
            "commitments": np.array([[0, 10.0, 4.0], [0, 0, 0], [0, 0, 0]]),
            "default_fraction": np.array([1.0, 0.0, 0.0]),
            "margin": np.array([0.0, 0.3, 0.7]),
            "term_years": 5.0,
            "discount_rate": 0.08,
        },
        {
            "commitments": "shape square nan sign",
            "default_fraction": "shape length nan sign high",
            "margin": "length nan sign high",
            "term_years": "nan sign zero",
            "discount_rate": "nan sign",
        },
        ("commitments", "default_fraction"),
    ),
    "lahar.contagion.annuity_factor": Case(
        lambda: {"term_years": np.array([1.0, 5.0]), "discount_rate": 0.08},
        {"term_years": "nan sign", "discount_rate": "nan sign"},
        ("term_years", "discount_rate"),
    ),
    "lahar.contagion.cascade": Case(
        lambda: {
            "system": _cascade_system(),
            "equity": np.full(3, 10.0),
            "direct_loss": np.full((3, 2), 1.0),
            "nonpayment": np.full((3, 2), 0.5),
            "commitment_value": np.array([8.0]),
            "margin": 0.3,
            "alpha": 0.9,
            "price_impact": 0.5,
            "max_iter": 100,
        },
        {
            "direct_loss": "shape length nan sign",
            "nonpayment": "shape length nan sign high",
            "equity": "nan sign zero",
            "alpha": "nan sign high",
            "price_impact": "sign",
            "max_iter": "sign",
        },
        ("system",),
    ),
}


# --------------------------------------------------------------------------- the checks
def _call(key: str, args: dict[str, Any]) -> Any:
    fn = public_functions()[key]
    case = CASES[key]
    pos = [args[p] for p in case.positional]
    kw = {k: v for k, v in args.items() if k not in case.positional}
    return fn(*pos, **kw)


def _bad_values(value: Any, kind: str) -> Any:
    """``value`` made bad in the way ``kind`` names (a copy; never the original)."""
    if sp.issparse(value):
        value = value.toarray()
    if np.ndim(value) == 0:
        if isinstance(value, int | np.integer) and kind == "sign":
            return -1
        return {"nan": np.nan, "sign": -1.0, "high": 1.5, "zero": 0.0}[kind]
    a = np.array(value, dtype=np.float64)
    if kind == "shape":
        return np.full((2, 2, 2), 0.5)
    if kind == "square":
        return np.full((a.shape[0], a.shape[0] + 1), 0.5)
    if kind == "length":
        return np.concatenate([a, a[:1]], axis=0)
    flat = a.reshape(-1)
    k = int(np.flatnonzero(flat != 0)[-1]) if (flat != 0).any() else 0
    flat[k] = {"nan": np.nan, "sign": -1.0, "high": 1.5, "zero": 0.0}[kind]
    return a


def _snapshot(args: dict[str, Any]) -> dict[str, Any]:
    """Copies of the array, scalar and string inputs (objects are immutable by design)."""
    return {
        k: v.copy() if sp.issparse(v) or isinstance(v, np.ndarray) else v
        for k, v in args.items()
        if sp.issparse(v) or isinstance(v, np.ndarray | float | int | str)
    }


def _same(a: Any, b: Any) -> bool:
    if sp.issparse(a):
        return bool(sp.issparse(b) and (a != b).nnz == 0 and a.shape == b.shape)
    if isinstance(a, np.ndarray):
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    return bool(a == b)


BAD = [
    (key, p, kind)
    for key, c in CASES.items()
    for p, kinds in c.checks.items()
    for kind in kinds.split()
]


def test_every_public_function_has_a_case() -> None:
    missing = sorted(set(public_functions()) - set(CASES))
    assert not missing, (
        f"public functions without a contract case in tests/test_contract.py: {missing}"
    )
    stale = sorted(set(CASES) - set(public_functions()))
    assert not stale, f"contract cases for functions that are not public any more: {stale}"


@pytest.mark.parametrize("key", sorted(CASES))
def test_valid_input_runs_and_is_not_mutated(key: str) -> None:
    args = CASES[key].args()
    before = _snapshot(args)
    _call(key, args)
    for name, old in before.items():
        assert _same(args[name], old), f"{key} mutated its '{name}' input"


@pytest.mark.parametrize(
    ("key", "param", "kind"), BAD, ids=[f"{k.rsplit('.', 1)[1]}-{p}-{b}" for k, p, b in BAD]
)
def test_bad_input_raises_data_error_in_the_one_format(key: str, param: str, kind: str) -> None:
    args = CASES[key].args()
    args[param] = _bad_values(args[param], kind)
    func = key.rsplit(".", 1)[1]
    with pytest.raises(DataError) as info:
        _call(key, args)
    msg = str(info.value)
    assert re.fullmatch(MESSAGE_PATTERN, msg, flags=re.DOTALL), msg
    assert f"{func}()" in msg, msg
    assert re.match(rf"The '{re.escape(param)}[\[']", msg), msg


def test_pattern_rejects_other_dialects() -> None:
    """The format check can fail: a hand-written message of the old kind does not match."""
    assert not re.fullmatch(MESSAGE_PATTERN, "The 'gw' parameter of energy_twh must be >= 0.")
    assert not re.fullmatch(MESSAGE_PATTERN, "capacity_bill: base_price and customers must be > 0.")


def test_a_new_function_without_a_case_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The enumeration sees a function added to a model module's ``__all__``."""
    import lahar.macro.markets as markets

    def planted(x: float) -> float:
        return x

    monkeypatch.setattr(markets, "planted", planted, raising=False)
    monkeypatch.setattr(markets, "__all__", [*markets.__all__, "planted"])
    assert "lahar.macro.markets.planted" in set(public_functions()) - set(CASES)
