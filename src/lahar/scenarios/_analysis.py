r"""What drives a scenario's outcome: sensitivity, scenario discovery, reverse stress, importance.

Four questions an analyst asks once a scenario has run:

* **Which uncertain quantity matters?** :func:`sensitivity` -- variance-based (Sobol) first-
  and total-order indices of every headline outcome, with bootstrap confidence intervals,
  from a Saltelli design evaluated through the full cascade (SALib does the design and the
  estimators).
* **Which ranges of the quantities produce a bad outcome?** :func:`discover` -- scenario
  discovery: boxes in the space of the drawn quantities where the bad outcome concentrates,
  each with its coverage and density (a classification tree from scikit-learn).
* **How large must one shock be for a named outcome to happen?** :func:`reverse_stress` --
  the threshold of one quantity (the others at their central values) at which, e.g., a named
  firm defaults or bank credit losses exceed a figure; exact (to a tolerance) where the
  cascade is monotone in that quantity.
* **Whose failure hurts most?** :func:`rank` -- every firm failing alone, one column each of
  a batched cascade, ranked by the losses it causes to others, by channel and by whom they hit.

:func:`parse_outcome` reads the outcome conditions the command line takes
(``"default:oracle"``, ``"loss_banks_credit>5e9"``, ``"defaults>=1"``).
"""

from __future__ import annotations

import difflib
import re
import warnings
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from lahar._validation import fail
from lahar.contagion import CHANNELS, cascade
from lahar.data import ParameterSet, status_weights
from lahar.errors import DataError
from lahar.network import Network
from lahar.scenarios._engine import BLOCK, HEADLINES, Context, Dim, evaluate
from lahar.scenarios._system import cascade_inputs, commitment_values

__all__ = [
    "Outcome",
    "SensitivityResult",
    "StressThreshold",
    "discover",
    "parse_outcome",
    "rank",
    "reverse_stress",
    "sensitivity",
]

_OPS = {
    ">": np.greater,
    ">=": np.greater_equal,
    "<": np.less,
    "<=": np.less_equal,
}


def _hint(word: str, known: list[str]) -> str:
    hits = difflib.get_close_matches(word, known, n=3, cutoff=0.6)
    return f" (did you mean {', '.join(map(repr, hits))}?)" if hits else ""


# ---------------------------------------------------------------------------------------------
# outcomes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """A named outcome of a scenario draw: an entity defaults, or a headline crosses a figure.

    Attributes
    ----------
    kind : {"default", "headline"}
        ``"default"``: entity :attr:`name` defaults; ``"headline"``: the headline outcome
        :attr:`name` (see :data:`lahar.scenarios.HEADLINES`) compares with :attr:`threshold`.
    name : str
        Entity id or headline outcome.
    op : str
        ``">"``, ``">="``, ``"<"`` or ``"<="`` (headline outcomes only).
    threshold : float
        The figure compared with (headline outcomes only).
    """

    kind: str
    name: str
    op: str = ">="
    threshold: float = 0.0

    def __str__(self) -> str:
        if self.kind == "default":
            return f"default:{self.name}"
        return f"{self.name}{self.op}{self.threshold:g}"

    def holds(self, ctx: Context, out: dict[str, Any]) -> NDArray[np.bool_]:
        """Whether the outcome happens in each draw of ``out`` (from :func:`evaluate`): (S,)."""
        if self.kind == "default":
            i = int(np.flatnonzero(ctx.ids == self.name)[0])
            return np.asarray(out["defaulted"][i], dtype=bool)
        return np.asarray(_OPS[self.op](out["headline"][self.name], self.threshold), dtype=bool)

    def check(self, ctx: Context, func: str = "reverse_stress()") -> None:
        """Raise :class:`DataError` if the entity or headline outcome is unknown."""
        if self.kind == "default":
            ids = [str(x) for x in ctx.ids]
            if self.name not in ids:
                raise fail(
                    func,
                    "outcome",
                    "a default of an entity of the network",
                    f"unknown entity {self.name!r}{_hint(self.name, ids)}",
                )
        elif self.name not in HEADLINES:
            raise fail(
                func,
                "outcome",
                f"a headline outcome ({', '.join(HEADLINES)})",
                f"{self.name!r}{_hint(self.name, list(HEADLINES))}",
            )


_CONDITION = re.compile(r"^\s*(?P<name>[A-Za-z_][\w.-]*)\s*(?P<op>>=|<=|>|<)\s*(?P<x>\S+)\s*$")


def parse_outcome(text: str | tuple[Any, ...] | Outcome) -> Outcome:
    """Read an outcome: ``"default:ENTITY"``, ``"NAME>X"`` (or ``>=``, ``<``, ``<=``), or a tuple.

    Tuples: ``("default", "oracle")`` or ``("loss_banks_credit", ">", 5e9)``. Names are checked
    against a scenario later (:meth:`Outcome.check`).

    Raises
    ------
    lahar.errors.DataError
        Text that is neither form, an unknown operator or a figure that is not a number.

    Examples
    --------
    >>> parse_outcome("default:oracle")
    Outcome(kind='default', name='oracle', op='>=', threshold=0.0)
    >>> str(parse_outcome("loss_banks_credit>5e9"))
    'loss_banks_credit>5e+09'
    >>> parse_outcome(("defaults", ">=", 3)).threshold
    3.0
    """
    if isinstance(text, Outcome):
        return text
    if isinstance(text, tuple):
        if len(text) == 2 and text[0] == "default":
            return Outcome("default", str(text[1]))
        if len(text) == 3 and text[1] in _OPS:
            try:
                x = float(text[2])
            except (TypeError, ValueError):
                x = float("nan")
            if not np.isfinite(x):
                raise fail("parse_outcome()", "text", "a finite threshold", repr(text[2]))
            return Outcome("headline", str(text[0]), str(text[1]), x)
        raise fail(
            "parse_outcome()",
            "text",
            "('default', ENTITY) or (OUTCOME, OP, NUMBER) with OP one of >, >=, <, <=",
            repr(text),
        )
    s = str(text).strip()
    if s.startswith("default:"):
        name = s.split(":", 1)[1].strip()
        if not name:
            raise fail("parse_outcome()", "text", "'default:ENTITY' with an entity id", repr(s))
        return Outcome("default", name)
    m = _CONDITION.match(s)
    if m is None:
        raise fail(
            "parse_outcome()",
            "text",
            "'default:ENTITY' or 'OUTCOME>NUMBER' (operators >, >=, <, <=; e.g. "
            "'loss_banks_credit>5e9', 'defaults>=1')",
            repr(s),
        )
    try:
        x = float(m["x"])
    except ValueError:
        x = float("nan")
    if not np.isfinite(x):
        raise fail("parse_outcome()", "text", "a finite number after the operator", repr(m["x"]))
    return Outcome("headline", m["name"], m["op"], x)


# ---------------------------------------------------------------------------------------------
# Sobol indices
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SensitivityResult:
    """Sobol indices of a scenario's headline outcomes.

    Attributes
    ----------
    indices : pandas.DataFrame
        One row per (outcome, factor): ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (the
        half-widths of the confidence intervals at ``conf_level``). Outcomes that do not vary
        over the design have NaN indices (a variance share of nothing is undefined).
    factors : tuple of str
        The factors: drawn quantities, or their groups (``balance_sheets``).
    n : int
        Base sample size of the Saltelli design.
    evaluations : int
        Cascades evaluated, ``n * (len(factors) + 2)``.
    conf_level : float
        Confidence level of the intervals.
    """

    indices: pd.DataFrame
    factors: tuple[str, ...]
    n: int
    evaluations: int
    conf_level: float


def _factor_of(d: Dim, groups: bool) -> str:
    return "balance_sheets" if groups and d.group == "balance_sheets" else d.name


def sensitivity(
    ctx: Context,
    *,
    outcomes: tuple[str, ...] | list[str] | None = None,
    n: int = 256,
    seed: int = 0,
    groups: bool = True,
    conf_level: float = 0.95,
    num_resamples: int = 100,
) -> SensitivityResult:
    r"""Sobol first- and total-order indices of headline outcomes, with confidence intervals.

    For an outcome :math:`Y = f(X_1, \dots, X_d)` of independent inputs, the first-order index
    of factor :math:`i` is the share of the variance explained by :math:`X_i` alone and the
    total-order index the share it explains with all its interactions:

    .. math::

        S_i = \frac{\operatorname{Var}\big(\mathbb{E}[Y \mid X_i]\big)}{\operatorname{Var}(Y)},
        \qquad
        S_{T_i} = \frac{\mathbb{E}\big[\operatorname{Var}(Y \mid X_{\sim i})\big]}
                       {\operatorname{Var}(Y)} .

    A Saltelli design of ``n * (k + 2)`` points (``k`` factors; scrambled Sobol base
    sequence) is evaluated through the full cascade (:func:`evaluate`, blocks of
    :data:`BLOCK`); the estimators are Saltelli et al. (2010) for :math:`S_i` and Jansen's
    for :math:`S_{T_i}`, with bootstrap confidence intervals (SALib's
    ``SALib.analyze.sobol``). With ``groups``, the book equities drawn from balance-sheet
    ranges form one factor ``balance_sheets`` (grouped indices, Jacques et al. 2006): their
    joint share is meaningful where ~80 individual ones would be noise.

    Parameters
    ----------
    ctx : Context
        The scenario against the data (:func:`make_context`).
    outcomes : sequence of str, optional
        Headline outcomes (default: all of :data:`HEADLINES`).
    n : int, default 256
        Base sample size, a power of two (the Sobol sequence's balance needs it).
    seed : int, default 0
        Seed of the scrambled design and of the bootstrap.
    groups : bool, default True
        One factor for all balance-sheet quantities.
    conf_level : float, default 0.95
        Level of the confidence intervals.
    num_resamples : int, default 100
        Bootstrap resamples.

    Returns
    -------
    SensitivityResult

    Raises
    ------
    lahar.errors.DataError
        ``n`` not a power of two >= 2, unknown outcomes, or a scenario with nothing drawn.

    Notes
    -----
    The indices assume independent inputs: the design ignores the spec's correlations (the
    points go to :func:`evaluate` as they are). Indices near 0 have intervals that cross 0,
    and estimates can stray slightly outside [0, 1] at small ``n``.

    References
    ----------
    .. [1] Sobol', I. M. (2001). Global sensitivity indices for nonlinear mathematical models
       and their Monte Carlo estimates. *Mathematics and Computers in Simulation* 55(1–3),
       271–280.
    .. [2] Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. and Tarantola, S.
       (2010). Variance based sensitivity analysis of model output. Design and estimator for
       the total sensitivity index. *Computer Physics Communications* 181(2), 259–270.
    .. [3] Jacques, J., Lavergne, C. and Devictor, N. (2006). Sensitivity analysis in presence
       of model uncertainty and correlated inputs. *Reliability Engineering & System Safety*
       91(10–11), 1126–1134.
    .. [4] Herman, J. and Usher, W. (2017). SALib: An open-source Python library for
       sensitivity analysis. *Journal of Open Source Software* 2(9), 97.

    Examples
    --------
    >>> from lahar.data import load_network, load_parameters, scenario_table
    >>> from lahar.scenarios import builtin_scenario, make_context
    >>> p = load_parameters()
    >>> ctx = make_context(builtin_scenario("capex_cut"), load_network(params=p), p,
    ...                    scenario_table())
    >>> res = sensitivity(ctx, outcomes=["gdp_change"], n=64)
    >>> row = res.indices.set_index("factor").loc["capex_cut.cut"]
    >>> round(float(row["S1"]), 2), round(float(row["ST"]), 2)  # GDP is linear in the cut
    (1.0, 1.0)
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    func = "sensitivity()"
    if not isinstance(n, int | np.integer) or n < 2 or (n & (n - 1)):
        raise fail(func, "n", "a power of two >= 2 (e.g. 64, 256, 1024)", repr(n))
    if not 0 < conf_level < 1:
        raise fail(func, "conf_level", "in (0, 1)", repr(conf_level))
    wanted = list(HEADLINES if outcomes is None else outcomes)
    bad = [o for o in wanted if o not in HEADLINES]
    if bad or not wanted:
        got = (
            "nothing" if not wanted else "; ".join(f"{b!r}{_hint(b, list(HEADLINES))}" for b in bad)
        )
        raise fail(func, "outcomes", f"headline outcomes ({', '.join(HEADLINES)})", got)
    if ctx.d == 0:
        raise fail(func, "ctx", "a scenario with at least one drawn quantity", "none drawn")
    names = [d.name for d in ctx.dims]
    factor = [_factor_of(d, groups) for d in ctx.dims]
    factors = tuple(pd.unique(np.asarray(factor, dtype=object)))
    problem: dict[str, Any] = {
        "num_vars": ctx.d,
        "names": names,
        "bounds": [[0.0, 1.0]] * ctx.d,
    }
    if len(factors) < ctx.d:
        problem["groups"] = factor
    rng = np.random.default_rng(seed)
    design_seed, boot_seed = (int(x) for x in rng.integers(1, 2**31 - 1, size=2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        u = sobol_sample.sample(problem, int(n), calc_second_order=False, seed=design_seed)
    # SALib's Sobol points lie in [0, 1]; the quantities' ppf wants [0, 1)
    u = np.clip(u, 0.0, np.nextafter(1.0, 0.0))
    total = u.shape[0]
    ys: dict[str, list[NDArray[np.float64]]] = {o: [] for o in wanted}
    for a in range(0, total, BLOCK):
        b = min(a + BLOCK, total)
        out = evaluate(ctx, a, b, points=u[a:b])
        for o in wanted:
            ys[o].append(np.asarray(out["headline"][o], dtype=np.float64))
    rows = []
    for o in wanted:
        y = np.concatenate(ys[o])
        spread = float(np.ptp(y)) if y.size else 0.0
        scale = max(1.0, float(np.max(np.abs(y))))
        if not np.isfinite(y).all() or spread <= 1e-12 * scale:
            si = dict.fromkeys(("S1", "S1_conf", "ST", "ST_conf"), np.full(len(factors), np.nan))
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                si = sobol_analyze.analyze(
                    problem,
                    y,
                    calc_second_order=False,
                    num_resamples=num_resamples,
                    conf_level=conf_level,
                    seed=boot_seed,
                )
        for k, f in enumerate(factors):
            rows.append(
                {
                    "outcome": o,
                    "factor": f,
                    "S1": float(si["S1"][k]),
                    "S1_conf": float(si["S1_conf"][k]),
                    "ST": float(si["ST"][k]),
                    "ST_conf": float(si["ST_conf"][k]),
                }
            )
    return SensitivityResult(
        indices=pd.DataFrame(rows),
        factors=factors,
        n=int(n),
        evaluations=total,
        conf_level=float(conf_level),
    )


# ---------------------------------------------------------------------------------------------
# scenario discovery
# ---------------------------------------------------------------------------------------------


def discover(
    x: ArrayLike,
    bad: ArrayLike,
    names: list[str] | tuple[str, ...],
    *,
    max_depth: int = 3,
    min_density: float = 0.5,
    min_support: float = 0.02,
    seed: int = 0,
) -> pd.DataFrame:
    r"""Scenario discovery: boxes of the drawn quantities where a bad outcome concentrates.

    A classification tree (CART; Breiman et al. 1984, scikit-learn's
    ``DecisionTreeClassifier``) splits the draws on one quantity at a time; each leaf is a
    box :math:`B = \prod_j [l_j, h_j]`. A leaf whose share of bad draws is at least
    ``min_density`` is reported with the two measures of Bryant and Lempert (2010):

    .. math::

        \text{coverage}(B) = \frac{\#\{\text{bad in } B\}}{\#\{\text{bad}\}}, \qquad
        \text{density}(B) = \frac{\#\{\text{bad in } B\}}{\#\{\text{draws in } B\}},

    and its support (share of all draws inside). The tree is shallow (``max_depth``) so that
    every box restricts few quantities, the interpretability that scenario discovery asks for
    (Lempert et al. 2008); two sibling leaves that are both bad are merged back into their
    parent (a split on noise inside a bad region is undone). A bound the tree did not set is
    the range of the draws.

    Parameters
    ----------
    x : array_like, shape (S, d)
        Drawn values (e.g. ``RunResult.inputs`` without ``draw``).
    bad : array_like of bool, shape (S,)
        Whether each draw has the bad outcome.
    names : sequence of str, length d
        Names of the quantities.
    max_depth : int, default 3
        Depth of the tree: at most this many restrictions per box.
    min_density : float, default 0.5
        Smallest density of a reported box.
    min_support : float, default 0.02
        Smallest share of the draws in a leaf (no box is fitted to a handful of draws).
    seed : int, default 0
        The tree's random state (ties between equally good splits).

    Returns
    -------
    pandas.DataFrame
        One row per (box, restricted quantity), boxes in decreasing coverage: ``box``,
        ``coverage``, ``density``, ``support``, ``n`` (draws in the box), ``parameter``,
        ``low``, ``high``. A box that restricts nothing (every draw bad) has one row with
        ``parameter`` ``"(any)"``. Empty when no draw is bad.

    Raises
    ------
    lahar.errors.DataError
        Shapes that do not match, or non-finite values.

    References
    ----------
    .. [1] Bryant, B. P. and Lempert, R. J. (2010). Thinking inside the box: a participatory,
       computer-assisted approach to scenario discovery. *Technological Forecasting and
       Social Change* 77(1), 34–49.
    .. [2] Lempert, R. J., Bryant, B. P. and Bankes, S. C. (2008). Comparing algorithms for
       scenario discovery. RAND Working Paper WR-557-NSF.
    .. [3] Breiman, L., Friedman, J., Olshen, R. and Stone, C. (1984). *Classification and
       Regression Trees*. Wadsworth.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> x = rng.random((2000, 3))
    >>> boxes = discover(x, (x[:, 0] > 0.7) & (x[:, 1] < 0.3), ["a", "b", "c"])
    >>> boxes[["parameter", "low", "high"]].round(1).to_numpy().tolist()
    [['a', 0.7, 1.0], ['b', 0.0, 0.3]]
    >>> float(boxes["density"].iloc[0]), float(boxes["coverage"].iloc[0])
    (1.0, 1.0)
    """
    from sklearn.tree import DecisionTreeClassifier

    func = "discover()"
    xa = np.asarray(x, dtype=np.float64)
    if xa.ndim != 2:
        raise fail(func, "x", "a 2-D array (draws, quantities)", f"shape {xa.shape}")
    s, d = xa.shape
    b = np.asarray(bad, dtype=bool).reshape(-1)
    if b.shape != (s,):
        raise fail(func, "bad", f"of shape ({s},)", f"shape {np.shape(bad)}")
    if len(names) != d:
        raise fail(func, "names", f"of length {d}", f"length {len(names)}")
    if not np.isfinite(xa).all():
        raise fail(func, "x", "finite", "a non-finite value")
    if not 0 < min_density <= 1:
        raise fail(func, "min_density", "in (0, 1]", repr(min_density))
    if not 0 < min_support < 1:
        raise fail(func, "min_support", "in (0, 1)", repr(min_support))
    cols = ["box", "coverage", "density", "support", "n", "parameter", "low", "high"]
    n_bad = int(b.sum())
    if n_bad == 0 or s == 0:
        return pd.DataFrame(columns=cols)
    lo_all, hi_all = xa.min(axis=0), xa.max(axis=0)
    if n_bad == s:
        return pd.DataFrame([[1, 1.0, 1.0, 1.0, s, "(any)", np.nan, np.nan]], columns=cols)
    tree = DecisionTreeClassifier(
        max_depth=int(max_depth),
        min_samples_leaf=max(1, int(np.ceil(min_support * s))),
        random_state=seed,
    ).fit(xa, b)
    t = tree.tree_

    def summary(low: NDArray[np.float64], high: NDArray[np.float64]) -> tuple[Any, ...]:
        inside = np.all((xa > low) & (xa <= high), axis=1)  # the tree sends x <= t left
        k = int(inside.sum())
        hit = int((inside & b).sum())
        return (hit / n_bad, hit / k if k else 0.0, k / s, k, low.copy(), high.copy())

    def walk(node: int, low: NDArray[np.float64], high: NDArray[np.float64]) -> list[Any] | None:
        """The boxes of a subtree; None when every leaf below is bad (the caller merges)."""
        left, right = int(t.children_left[node]), int(t.children_right[node])
        if left == right:  # a leaf
            box = summary(low, high)
            return None if box[3] and box[1] >= min_density else []
        j, thr = int(t.feature[node]), float(t.threshold[node])
        h2 = high.copy()
        h2[j] = min(h2[j], thr)
        l2 = low.copy()
        l2[j] = max(l2[j], thr)
        a, c = walk(left, low, h2), walk(right, l2, high)
        if a is None and c is None:
            return None  # both halves bad: one box (splits on noise inside it are undone)
        return [
            *(a if a is not None else [summary(low, h2)]),
            *(c if c is not None else [summary(l2, high)]),
        ]

    top = walk(0, np.full(d, -np.inf), np.full(d, np.inf))
    boxes = [summary(np.full(d, -np.inf), np.full(d, np.inf))] if top is None else top
    boxes.sort(key=lambda z: (-z[0], -z[1]))
    rows = []
    for k, (cov, dens, sup, cnt, low, high) in enumerate(boxes, start=1):
        restricted = [j for j in range(d) if np.isfinite(low[j]) or np.isfinite(high[j])]
        if not restricted:
            rows.append([k, cov, dens, sup, cnt, "(any)", np.nan, np.nan])
        for j in restricted:
            lo = low[j] if np.isfinite(low[j]) else lo_all[j]
            hi = high[j] if np.isfinite(high[j]) else hi_all[j]
            rows.append([k, cov, dens, sup, cnt, str(names[j]), float(lo), float(hi)])
    return pd.DataFrame(rows, columns=cols)


# ---------------------------------------------------------------------------------------------
# reverse stress test
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StressThreshold:
    """The threshold of one quantity at which an outcome starts to happen.

    Attributes
    ----------
    quantity : str
        The drawn quantity searched along.
    outcome : str
        The outcome (``"default:oracle"``, ``"loss_banks_credit>5e+09"``).
    threshold : float
        The value of the quantity at the edge of the region where the outcome happens,
        within ``tol`` on that region's side (the outcome happens at ``threshold``).
    direction : {"below", "above"}
        The outcome happens for values at or ``below`` the threshold (e.g. a paid share) or
        at or ``above`` it (e.g. a haircut).
    low, high : float
        The quantity's range.
    exact : bool
        The outcome switched once along the grid (monotone): the threshold is the switch
        point to within ``tol``. False when it switched several times; the threshold is then
        the switch nearest the end where the outcome does not happen, and others exist.
    others : dict of str to float
        The values every other drawn quantity was held at.
    """

    quantity: str
    outcome: str
    threshold: float
    direction: str
    low: float
    high: float
    exact: bool
    others: dict[str, float] = field(repr=False)


def _central(ctx: Context, d: Dim) -> float:
    """The central value of a drawn quantity.

    A parameter's value, an entity's book equity, the mode of a triangular range or the
    middle of a uniform one.
    """
    if d.group == "parameters" and d.name in ctx.params:
        v = ctx.params.value(d.name)
    elif d.group == "balance_sheets":
        j = int(np.flatnonzero(ctx.inputs.ids == d.name.split(".", 1)[1])[0])
        v = float(ctx.inputs.equity[j])
    elif d.mode is not None:
        v = d.mode
    else:
        v = 0.5 * (d.low + d.high)
    return float(min(max(v, d.low), d.high))


def _cdf(d: Dim, v: float) -> float:
    """The unit-cube coordinate of value ``v`` of a quantity (the inverse of :meth:`Dim.ppf`)."""
    if d.high <= d.low:
        return 0.5
    if d.mode is None:
        return (v - d.low) / (d.high - d.low)
    c = (d.mode - d.low) / (d.high - d.low)
    return float(stats.triang.cdf(v, c, loc=d.low, scale=d.high - d.low))


def reverse_stress(
    ctx: Context,
    quantity: str,
    outcome: str | tuple[Any, ...] | Outcome,
    *,
    tol: float = 1e-6,
    grid: int = BLOCK,
    bounds: tuple[float, float] | None = None,
) -> StressThreshold | None:
    r"""Reverse stress test: the value of one quantity at which a named outcome starts.

    Every other drawn quantity is held at its central value (a parameter's value in
    ``parameters.csv``, an entity's book equity, the mode or middle of a shock's range). The
    quantity :math:`q` runs over its range :math:`[q_{lo}, q_{hi}]`: one :func:`evaluate`
    call on ``grid`` evenly spaced points brackets the switch of the outcome's indicator
    :math:`1\{\text{outcome}(q)\}`, and batched bisection (``grid`` points per round, so the
    bracket shrinks ``grid - 1``-fold a round) narrows it until it is at most ``tol`` wide.
    The threshold returned is the bracket's end where the outcome happens.

    The answer is exact (to ``tol``) where the outcome is monotone in the quantity: the
    cascade's losses and defaults are monotone in each monotone shock (a smaller paid share,
    a larger haircut, a larger shortfall never lowers a loss: every channel is monotone and
    the cascade is their least fixed point), so "entity X defaults", "loss > X" and
    "defaults >= k" switch once. A quantity that enters non-monotonically (a status weight
    that raises one firm's commitment value and so its buyers' losses and their suppliers'
    loss) may switch several times: ``exact`` is then False.

    Parameters
    ----------
    ctx : Context
        The scenario against the data (:func:`make_context`).
    quantity : str
        A drawn quantity (a name in ``ctx.dims``: e.g. ``"partial_payment.paid_share"``).
    outcome : str, tuple or Outcome
        See :func:`parse_outcome`: ``"default:oracle"``, ``("loss_banks_credit", ">", 5e9)``,
        ``("defaults", ">=", 3)``.
    tol : float, default 1e-6
        Width of the final bracket, in the quantity's units.
    grid : int, default 64
        Points per evaluation (the first bracket and each bisection round).
    bounds : (float, float), optional
        Search this range of the quantity instead of the scenario's (e.g. a paid share over
        ``(0, 1)`` when the spec draws it in ``[0.3, 0.5]``).

    Returns
    -------
    StressThreshold or None
        None when the outcome happens nowhere in the quantity's range (with the others at
        their central values).

    Raises
    ------
    lahar.errors.DataError
        An unknown or fixed quantity, an unknown entity or outcome, a bad ``tol`` or
        ``grid``, or an outcome that happens over the whole range (no threshold: it happens
        without this quantity's shock).

    References
    ----------
    .. [1] Grundke, P. and Pliszka, K. (2018). A macroeconomic reverse stress test. *Review of
       Quantitative Finance and Accounting* 50(4), 1093–1130.
    .. [2] Breuer, T., Jandačka, M., Rheinberger, K. and Summer, M. (2009). How to find
       plausible, severe and useful stress scenarios. *International Journal of Central
       Banking* 5(3), 205–224.

    Examples
    --------
    >>> from lahar.data import load_network, load_parameters, scenario_table
    >>> from lahar.scenarios import builtin_scenario, make_context
    >>> p = load_parameters()
    >>> ctx = make_context(builtin_scenario("openai_pays_40"), load_network(params=p), p,
    ...                    scenario_table())
    >>> r = reverse_stress(ctx, "partial_payment.paid_share", "loss_commitments>100e9",
    ...                    bounds=(0, 1))
    >>> r.direction, r.exact, round(r.threshold, 3)  # suppliers lose > $100B below this share
    ('below', True, 0.354)
    >>> reverse_stress(ctx, "partial_payment.paid_share", "default:oracle", bounds=(0, 1)) is None
    True
    """
    func = "reverse_stress()"
    oc = parse_outcome(outcome)
    oc.check(ctx, func)
    if not (np.isfinite(tol) and tol > 0):
        raise fail(func, "tol", "a finite number > 0", repr(tol))
    if not isinstance(grid, int | np.integer) or grid < 3:
        raise fail(func, "grid", "an integer >= 3", repr(grid))
    names = [d.name for d in ctx.dims]
    if quantity not in names:
        if quantity in ctx.fixed:
            raise fail(
                func,
                "quantity",
                "a drawn quantity (it has a range in the spec or in parameters.csv)",
                f"{quantity!r}, which the scenario fixes at {ctx.fixed[quantity]:g}",
            )
        shown = [n for n in names if not n.startswith("book_equity.")][:12]
        raise fail(
            func,
            "quantity",
            f"a drawn quantity of the scenario ({', '.join(shown)}, or book_equity.ENTITY)",
            f"{quantity!r}{_hint(quantity, names)}",
        )
    k = names.index(quantity)
    if bounds is not None:
        lo_b, hi_b = (float(v) for v in bounds)
        if not (np.isfinite(lo_b) and np.isfinite(hi_b) and lo_b < hi_b):
            raise fail(func, "bounds", "two finite numbers, low < high", repr(bounds))
        d0 = ctx.dims[k]
        wide = Dim(d0.name, d0.group, lo_b, hi_b, None, d0.source)
        ctx = replace(ctx, dims=(*ctx.dims[:k], wide, *ctx.dims[k + 1 :]))
    dim = ctx.dims[k]
    base = np.array([_cdf(d, _central(ctx, d)) for d in ctx.dims])
    base = np.clip(base, 0.0, np.nextafter(1.0, 0.0))
    top = np.nextafter(1.0, 0.0)

    def happens(us: NDArray[np.float64]) -> NDArray[np.bool_]:
        pts = np.repeat(base[None, :], us.size, axis=0)
        pts[:, k] = us
        return oc.holds(ctx, evaluate(ctx, 0, us.size, points=pts))

    u = np.linspace(0.0, top, int(grid))
    h = happens(u)
    if not h.any():
        return None
    if h.all():
        msg = (
            f"{func}: the outcome {oc} happens over the whole range of {quantity} "
            f"[{dim.low:g}, {dim.high:g}] with the other quantities at their central values: "
            "no threshold to find (it happens without this quantity's shock)."
        )
        raise DataError(msg)
    switches = np.flatnonzero(h[1:] != h[:-1])
    exact = switches.size == 1
    # scan from the end where the outcome does not happen (the harmless end)
    direction = "above" if not h[0] else "below"
    j = int(switches[0]) if direction == "above" else int(switches[-1])
    lo_u, hi_u = float(u[j]), float(u[j + 1])  # h[lo] != h[hi]
    h_lo = bool(h[j])
    while dim.ppf(np.array([hi_u]))[0] - dim.ppf(np.array([lo_u]))[0] > tol:
        us = np.linspace(lo_u, hi_u, int(grid))
        hh = happens(us)
        flip = np.flatnonzero(hh != h_lo)
        if flip.size == 0:  # numerically flat: cannot narrow further
            break
        i = int(flip[0])
        if i == 0:  # the bracket's own end changed side: numerical noise, stop here
            break
        new_lo, new_hi = float(us[i - 1]), float(us[i])
        if new_lo == lo_u and new_hi == hi_u:
            break
        lo_u, hi_u = new_lo, new_hi
    at = hi_u if direction == "above" else lo_u
    return StressThreshold(
        quantity=quantity,
        outcome=str(oc),
        threshold=float(dim.ppf(np.array([at]))[0]),
        direction=direction,
        low=dim.low,
        high=dim.high,
        exact=bool(exact),
        others={d.name: _central(ctx, d) for i, d in enumerate(ctx.dims) if i != k},
    )


# ---------------------------------------------------------------------------------------------
# systemic importance
# ---------------------------------------------------------------------------------------------


def rank(
    net: Network,
    params: ParameterSet,
    *,
    firms: list[str] | None = None,
    chunk: int = 256,
) -> pd.DataFrame:
    r"""Systemic importance: every firm failing alone, ranked by the losses it causes to others.

    Column :math:`i` of one batched :func:`lahar.contagion.cascade` (in chunks of ``chunk``
    columns) forces firm :math:`i` into default and nothing else, with every other input at
    its central value (status weights, contract values at the commitment discount rate, the
    suppliers' margin, recovery rates and price impact from ``parameters.csv``). Its default
    wipes out the stakes in it, walks away from its purchase commitments (its suppliers lose
    their margin) and costs :math:`1 - \alpha` of its external assets (Rogers–Veraart), which
    its creditors share in the clearing; the cascade carries the rest. The losses it causes
    are everyone's losses except its own:

    .. math::

        C_i = \sum_{j \ne i} \ell_j^{(i)} + \sum_j \ell_j^{\text{client},(i)},

    split by channel and by the kind of entity hit, with the number of other firms that
    default. This is the "default impact" of Cont, Moussa and Santos (2013) and the
    single-failure exercise of Furfine (2003), on the full multi-channel cascade.

    Parameters
    ----------
    net : Network
        The network (:func:`lahar.data.load_network`).
    params : ParameterSet
        Parameters (status weights, margin, discount rate, recovery rates, price impact).
    firms : list of str, optional
        Ids to fail (default: every entity that is not an end investor).
    chunk : int, default 256
        Columns per cascade call (memory only; results do not depend on it).

    Returns
    -------
    pandas.DataFrame
        One row per failed firm, most harmful first: ``rank``, ``entity``, ``name``,
        ``kind``, ``loss_caused`` (USD, to others, clients included), ``loss_<channel>`` for
        each of :data:`lahar.contagion.CHANNELS`, ``loss_client`` (clients' money),
        ``defaults_caused`` (other firms in default), ``defaulted`` (their ids, ``;``-
        separated), ``hit_<kind>`` (losses of each kind of entity, clients' losses to the
        holder's kind) and ``most_hit`` (the three kinds hit hardest).

    Raises
    ------
    lahar.errors.DataError
        Unknown firm ids (with close matches), end investors among them, or a bad chunk.

    References
    ----------
    .. [1] Cont, R., Moussa, A. and Santos, E. B. (2013). Network structure and systemic
       risk in banking systems. In Fouque, J.-P. and Langsam, J. (eds.), *Handbook on
       Systemic Risk*, Cambridge University Press, 327–368.
    .. [2] Furfine, C. H. (2003). Interbank exposures: quantifying the risk of contagion.
       *Journal of Money, Credit and Banking* 35(1), 111–128.
    .. [3] Rogers, L. C. G. and Veraart, L. A. M. (2013). Failure and rescue in an interbank
       network. *Management Science* 59(4), 882–898.

    Examples
    --------
    >>> from lahar.data import load_network, load_parameters
    >>> p = load_parameters()
    >>> top = rank(load_network(params=p), p).head(3)
    >>> bool((top["loss_caused"] > 0).all())
    True
    """
    func = "rank()"
    if not isinstance(chunk, int | np.integer) or chunk < 1:
        raise fail(func, "chunk", "an integer >= 1", repr(chunk))
    inp = cascade_inputs(net, params)
    sysm = inp.system
    n = sysm.n
    ids = [str(x) for x in inp.ids]
    if firms is None:
        who = np.flatnonzero(~sysm.absorbing)
    else:
        unknown = [f for f in firms if f not in ids]
        if unknown:
            raise fail(
                func,
                "firms",
                "entity ids of the network",
                "; ".join(f"{u!r}{_hint(u, ids)}" for u in unknown[:5]),
            )
        who = np.array([ids.index(f) for f in firms], dtype=np.intp)
        ends = [ids[i] for i in who if sysm.absorbing[i]]
        if ends:
            raise fail(func, "firms", "firms that can default (not end investors)", repr(ends))
    kinds = np.asarray(net.kinds, dtype=object)
    names = net.entities["name"].to_numpy(dtype=object) if "name" in net.entities else kinds
    kind_list = sorted({str(k) for k in kinds})
    cv = commitment_values(inp, status_weights(params), params.value("commitment_discount_rate"))
    margin = params.value("commitment_margin")
    # a client holding's losses are its clients' money: count them to the holder's kind
    rows = []
    for a in range(0, who.size, int(chunk)):
        cols = who[a : a + int(chunk)]
        s = cols.size
        forced = np.zeros((n, s), dtype=bool)
        forced[cols, np.arange(s)] = True
        res = cascade(
            sysm,
            np.repeat(inp.equity[:, None], s, axis=1),
            commitment_value=cv,
            margin=np.full((n, s), margin),
            forced_default=forced,
            alpha=params.value("recovery_external"),
            beta=params.value("recovery_interbank"),
            price_impact=params.value("price_impact"),
        )
        own = forced  # the failed firm's own losses are not losses it causes
        by = {c: np.where(own, 0.0, v) for c, v in res.by_channel.items()}
        client = res.client_loss  # clients' money, never the failed firm's own
        total = sum(by.values()) + client
        dflt = res.defaulted & ~own
        for c_i, i in enumerate(cols):
            hit = {kd: float(total[kinds == kd, c_i].sum()) for kd in kind_list}
            top3 = sorted(((v, kd) for kd, v in hit.items() if v > 0), reverse=True)[:3]
            rows.append(
                {
                    "entity": ids[i],
                    "name": str(names[i]),
                    "kind": str(kinds[i]),
                    "loss_caused": float(total[:, c_i].sum()),
                    **{f"loss_{c}": float(by[c][:, c_i].sum()) for c in CHANNELS},
                    "loss_client": float(client[:, c_i].sum()),
                    "defaults_caused": int(dflt[:, c_i].sum()),
                    "defaulted": ";".join(ids[j] for j in np.flatnonzero(dflt[:, c_i])),
                    **{f"hit_{kd}": v for kd, v in hit.items()},
                    "most_hit": ", ".join(kd for _, kd in top3),
                }
            )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out = out.sort_values(
        ["loss_caused", "defaults_caused", "entity"], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out
