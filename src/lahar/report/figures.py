"""Charts of lahar's tables: one function per chart, each returning a plotly ``Figure``.

The functions format what lower layers computed — the findings tables of
:mod:`lahar.report.findings`, a :class:`~lahar.analytics.circularity.Circulation`, a
:class:`~lahar.network.Network`, the stored results of a scenario run (:meth:`RunResult.summary
<lahar.scenarios.RunResult.summary>`, its draws, its per-entity losses), the tables of
:func:`~lahar.scenarios.rank`, :func:`~lahar.scenarios.sensitivity`,
:func:`~lahar.scenarios.discover` and :func:`~lahar.scenarios.reverse_stress` — and compute
nothing but positions, quantiles across draws and unit changes (USD are shown in billions).
They read no file and name no entity: the HTML report (:mod:`lahar.report.html`) and the web
dashboard draw the same figures; :func:`figure_json` is the form the web sends.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from numpy.typing import NDArray
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from lahar.contagion import CHANNELS
from lahar.report._layout import force_layout
from lahar.report.scenario import LABELS

if TYPE_CHECKING:
    from lahar.analytics.circularity import Circulation
    from lahar.network import Network

__all__ = [
    "BN",
    "boxes_figure",
    "circular_flows_figure",
    "collateral_figure",
    "concentration_figure",
    "defaults_figure",
    "distribution_figure",
    "figure_json",
    "gap_figure",
    "importance_figure",
    "leverage_figure",
    "loss_waterfall",
    "macro_figure",
    "network_figure",
    "power_figure",
    "refinancing_wall_figure",
    "reverse_stress_figure",
    "scenarios_fan",
    "sobol_figure",
]

BN = 1e9
"""USD per unit of the charts' money axes (billions)."""

_PALETTE = qualitative.D3 + qualitative.Set2
_AXIS = {"gridcolor": "#e5e5e5", "zerolinecolor": "#b0b0b0", "automargin": True}
# A small template (plotly's own ones add ~7 KB to every figure of the report).
_TEMPLATE = go.layout.Template(
    layout={
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "colorway": _PALETTE[:10],
        "xaxis": _AXIS,
        "yaxis": _AXIS,
        "hoverlabel": {"align": "left"},
    }
)
_LAYOUT: dict[str, Any] = {
    "template": _TEMPLATE,
    "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
    "height": 420,
    "font": {"family": "system-ui, Segoe UI, Roboto, sans-serif", "size": 12},
}


def _fig(title: str, **layout: Any) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(**{**_LAYOUT, "title": {"text": title, "x": 0.0}, **layout})
    return fig


def _horizontal(fig: go.Figure, left: int, height: int | None = None, **xaxis: Any) -> None:
    """Finish a chart of horizontal bars: labels top-down, room for them on the left."""
    fig.update_xaxes(**xaxis)
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(
        margin={**_LAYOUT["margin"], "l": left}, **({"height": height} if height else {})
    )


def _bn(values: Any) -> NDArray[np.float64]:
    return np.asarray(values, dtype=np.float64) / BN


def figure_json(fig: go.Figure) -> dict[str, Any]:
    """A figure as plain JSON (``data`` and ``layout``), as ``Plotly.newPlot`` takes it.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        Any figure of this module.

    Returns
    -------
    dict
        ``{"data": [...], "layout": {...}}`` with only JSON types: arrays are lists (not
        plotly's base64 typed arrays), NaN and infinities are None.
    """
    out: dict[str, Any] = _plain(json.loads(fig.to_json()))
    return {"data": out.get("data", []), "layout": out.get("layout", {})}


def _plain(value: Any) -> Any:
    """Plotly's base64 typed arrays (``{"dtype", "bdata"}``) as lists; NaN as None."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            if "shape" in value:
                arr = arr.reshape([int(k) for k in str(value["shape"]).split(",")])
            return _plain(arr.tolist())
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


# --------------------------------------------------------------------------- the dataset
def network_figure(
    net: Network,
    *,
    importance: pd.Series | None = None,
    positions: NDArray[np.float64] | None = None,
    seed: int = 0,
) -> go.Figure:
    """The network of firms and deals: one trace per layer, nodes sized by importance.

    Each exposure layer is its own trace (colour and legend entry: a click shows or hides
    it); each entity kind is a node trace. Hovering a deal's midpoint shows its id, amount,
    status and source id.

    Parameters
    ----------
    net : Network
        The network (superseded exposures are left out, as :attr:`Network.current
        <lahar.network.Network.current>` says).
    importance : pandas.Series, optional
        Systemic importance per entity id (e.g. ``loss_caused`` of :func:`lahar.scenarios.rank`,
        USD); marker area grows with it. Default: every node the same size.
    positions : ndarray, shape (n, 2), optional
        Node positions in ``net.ids`` order (default: :func:`force_layout` of all layers).
    seed : int, default 0
        Seed of the layout.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    ex = net.exposures
    keep = np.asarray(net.current, dtype=bool)
    src = np.asarray(net.source)[keep]
    dst = np.asarray(net.target)[keep]
    if positions is None:
        import scipy.sparse as sp

        adj = sp.csr_array((np.ones(len(src)), (src, dst)), shape=(net.n, net.n))
        positions = force_layout(adj, seed=seed)
    pos = np.asarray(positions, dtype=np.float64)
    ents = net.entities
    names = ents["name"].astype(str).to_numpy() if "name" in ents else np.asarray(net.ids, str)
    fig = _fig("Firms and deals (a layer's legend entry shows or hides it)", height=640)
    layers = ex["layer"].to_numpy(dtype=object)[keep]
    amount = np.asarray(net.amount)[keep]
    status = ex["status"].to_numpy(dtype=object)[keep]
    eid = ex["id"].to_numpy(dtype=object)[keep]
    source_id = (
        ex["source_id"].fillna("").to_numpy(dtype=object)[keep]
        if "source_id" in ex
        else np.full(len(eid), "", dtype=object)
    )
    for c, layer in enumerate(sorted(set(layers))):
        sel = np.flatnonzero(layers == layer)
        xs = np.column_stack([pos[src[sel], 0], pos[dst[sel], 0], np.full(len(sel), np.nan)])
        ys = np.column_stack([pos[src[sel], 1], pos[dst[sel], 1], np.full(len(sel), np.nan)])
        color = _PALETTE[c % len(_PALETTE)]
        fig.add_trace(
            go.Scatter(
                x=xs.ravel(),
                y=ys.ravel(),
                mode="lines",
                line={"width": 1, "color": color},
                opacity=0.55,
                name=str(layer),
                legendgroup=str(layer),
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=(pos[src[sel], 0] + pos[dst[sel], 0]) / 2,
                y=(pos[src[sel], 1] + pos[dst[sel], 1]) / 2,
                mode="markers",
                marker={"size": 4, "color": color},
                name=str(layer),
                legendgroup=str(layer),
                showlegend=False,
                text=[
                    f"{eid[k]}: {names[src[k]]} → {names[dst[k]]}<br>{layer}, {status[k]}, "
                    f"${amount[k] / BN:,.2f}B<br>source {source_id[k] or '-'}"
                    for k in sel
                ],
                hoverinfo="text",
            )
        )
    size = np.full(net.n, 8.0)
    if importance is not None:
        v = importance.reindex(list(net.ids)).fillna(0.0).clip(lower=0.0).to_numpy(dtype=float)
        top = v.max()
        if top > 0:
            size = 5.0 + 35.0 * np.sqrt(v / top)
    kinds = np.asarray(net.kinds, dtype=object)
    imp = (
        importance.reindex(list(net.ids)).to_numpy(dtype=float)
        if importance is not None
        else np.full(net.n, np.nan)
    )
    for c, kind in enumerate(sorted(set(kinds))):
        sel = np.flatnonzero(kinds == kind)
        fig.add_trace(
            go.Scatter(
                x=pos[sel, 0],
                y=pos[sel, 1],
                mode="markers",
                marker={
                    "size": size[sel],
                    "color": qualitative.Dark24[c % len(qualitative.Dark24)],
                    "line": {"width": 0.5, "color": "white"},
                },
                name=f"{kind} (firms)",
                text=[
                    f"{names[k]} ({net.ids[k]}, {kind})"
                    + (f"<br>losses it causes: ${imp[k] / BN:,.1f}B" if np.isfinite(imp[k]) else "")
                    for k in sel
                ],
                hoverinfo="text",
            )
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    return fig


def circular_flows_figure(circulation: Circulation, names: Sequence[str]) -> go.Figure:
    """Sankey of the circular money flows: every edge of the largest circulation.

    Parameters
    ----------
    circulation : Circulation
        :func:`lahar.analytics.circularity.max_circulation` of the money-flow matrix.
    names : sequence of str
        Node labels in the matrix's order.

    Returns
    -------
    plotly.graph_objects.Figure
        One link per non-zero ``C[i, j]``, value in USD billion per year. Nodes on no cycle
        are left out.
    """
    c = circulation.flows.tocoo()
    keep = c.data > 0
    rows, cols, vals = c.row[keep], c.col[keep], c.data[keep]
    used = np.unique(np.concatenate([rows, cols]))
    at = {int(k): p for p, k in enumerate(used)}
    labels = [str(names[k]) for k in used]
    fig = _fig(
        f"Circular money: ${circulation.total / BN:,.1f}B per year of deal flow runs in "
        f"cycles ({100 * circulation.share:.1f}% of all flow)",
        height=520,
    )
    fig.add_trace(
        go.Sankey(
            arrangement="freeform",
            node={"label": labels, "pad": 12, "thickness": 14},
            link={
                "source": [at[int(r)] for r in rows],
                "target": [at[int(k)] for k in cols],
                "value": _bn(vals),
                "hovertemplate": "%{source.label} → %{target.label}: $%{value:,.2f}B per year"
                "<extra></extra>",
            },
            valueformat=",.2f",
            valuesuffix="B USD",
        )
    )
    return fig


def leverage_figure(firms: pd.DataFrame, *, top: int = 12) -> go.Figure:
    """Debt with off-balance-sheet debt added back, per firm (stacked bars).

    Parameters
    ----------
    firms : pandas.DataFrame
        ``leverage_firms`` of :func:`lahar.report.findings.leverage_tables`: ``name`` (or
        ``entity``), ``debt_usd``, ``lease_commitments_usd``, ``spv_debt_usd``,
        ``adj_debt_to_assets``.
    top : int, default 12
        Firms shown, by adjusted debt.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    t = firms.copy()
    parts = ["debt_usd", "lease_commitments_usd", "spv_debt_usd"]
    t["_adj"] = t[parts].fillna(0.0).sum(axis=1)
    t = t.sort_values("_adj", ascending=False).head(top)
    label = t["name"] if "name" in t else t["entity"]
    fig = _fig("Leverage: reported debt plus leases and SPV debt", barmode="stack")
    for col, what in zip(
        parts, ("reported debt", "lease commitments", "debt in SPVs"), strict=True
    ):
        fig.add_trace(go.Bar(x=label, y=_bn(t[col].fillna(0.0)), name=what))
    if "adj_debt_to_assets" in t:
        fig.add_trace(
            go.Scatter(
                x=label,
                y=t["adj_debt_to_assets"],
                name="adjusted debt / assets",
                mode="markers",
                marker={"symbol": "diamond", "size": 9, "color": "black"},
                yaxis="y2",
            )
        )
        fig.update_layout(
            yaxis2={"title": "adj. debt / assets", "overlaying": "y", "side": "right"}
        )
    fig.update_yaxes(title_text="USD billion", selector={"anchor": "x"})
    return fig


def collateral_figure(collateral: pd.DataFrame) -> go.Figure:
    """GPU collateral: value paths (book and economic) and the loan-to-value of a GPU loan.

    Parameters
    ----------
    collateral : pandas.DataFrame
        ``leverage_collateral``: ``year``, value columns (``book_*``, ``economic*``; share of
        the purchase price) and ``ltv_*`` columns.

    Returns
    -------
    plotly.graph_objects.Figure
        Two panels: value paths, LTV paths; one line per column.
    """
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("GPU value (share of price)", "loan-to-value of a GPU-backed loan"),
    )
    for col in collateral.columns:
        if col == "year":
            continue
        right = col.startswith("ltv_")
        fig.add_trace(
            go.Scatter(
                x=collateral["year"],
                y=collateral[col],
                name=col.replace("_", " "),
                mode="lines+markers",
            ),
            row=1,
            col=2 if right else 1,
        )
    fig.update_layout(**_LAYOUT, title={"text": "Leverage: GPU-collateral paths", "x": 0.0})
    fig.update_xaxes(title_text="years after purchase")
    return fig


def refinancing_wall_figure(wall: pd.DataFrame) -> go.Figure:
    """The refinancing wall: principal falling due per year.

    Parameters
    ----------
    wall : pandas.DataFrame
        ``leverage_wall``: ``year``, ``due_usd``, ``borrowers``.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = _fig("Refinancing wall: AI-network debt falling due")
    fig.add_trace(
        go.Bar(
            x=wall["year"],
            y=_bn(wall["due_usd"]),
            customdata=wall.get("borrowers"),
            hovertemplate="%{x}: $%{y:,.2f}B due<br>%{customdata}<extra></extra>",
            name="due",
        )
    )
    fig.update_yaxes(title_text="USD billion")
    fig.update_xaxes(title_text="year", dtick=1)
    return fig


def gap_figure(firms: pd.DataFrame) -> go.Figure:
    """The monetization gap by firm: capex, AI revenue and the revenue the capex needs.

    Parameters
    ----------
    firms : pandas.DataFrame
        ``gap_firms``: ``name`` (or ``entity``), ``capex_usd``, ``ai_revenue_usd``,
        ``revenue_needed_usd``.

    Returns
    -------
    plotly.graph_objects.Figure
        Grouped bars; a missing AI revenue figure is a missing bar, not zero.
    """
    label = firms["name"] if "name" in firms else firms["entity"]
    fig = _fig("Monetization gap: capex vs AI revenue", barmode="group")
    for col, what in (
        ("capex_usd", "capex"),
        ("revenue_needed_usd", "revenue needed"),
        ("ai_revenue_usd", "AI revenue"),
    ):
        fig.add_trace(go.Bar(x=label, y=_bn(firms[col]), name=what))
    fig.update_yaxes(title_text="USD billion per year")
    return fig


def concentration_figure(savings: pd.DataFrame, index: pd.DataFrame | None = None) -> go.Figure:
    """Savings riding on the largest stocks of the index, per savings pool.

    Parameters
    ----------
    savings : pandas.DataFrame
        ``concentration_savings``: ``pool``, ``assets_usd``, ``riding_on_top7_usd``.
    index : pandas.DataFrame, optional
        ``concentration_index``; its last row's ``top7_share`` goes in the title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    share = ""
    if index is not None and len(index):
        share = f" (top 7 = {100 * float(index['top7_share'].iloc[-1]):.0f}% of the index)"
    fig = _fig(f"Index concentration and pension exposure{share}", barmode="overlay")
    fig.add_trace(
        go.Bar(
            y=savings["pool"],
            x=_bn(savings["assets_usd"]),
            name="assets",
            orientation="h",
            opacity=0.35,
        )
    )
    fig.add_trace(
        go.Bar(
            y=savings["pool"],
            x=_bn(savings["riding_on_top7_usd"]),
            name="riding on the top 7",
            orientation="h",
        )
    )
    _horizontal(fig, 260, title_text="USD billion")
    return fig


def power_figure(load: pd.DataFrame) -> go.Figure:
    """Data-centre power demand: TWh per year and share of US electricity.

    Parameters
    ----------
    load : pandas.DataFrame
        ``energy_load``: ``load`` (label), ``twh_per_year``, ``share_of_us``.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = _fig("Power demand of data centres")
    fig.add_trace(
        go.Bar(
            y=load["load"],
            x=load["twh_per_year"],
            orientation="h",
            text=[f"{100 * s:.1f}% of US" if np.isfinite(s) else "" for s in load["share_of_us"]],
            textposition="auto",
            name="TWh per year",
        )
    )
    _horizontal(fig, 330, title_text="TWh per year")
    return fig


# --------------------------------------------------------------------------- a scenario
def _by_outcome(summary: pd.DataFrame) -> pd.DataFrame:
    return summary.set_index("outcome")


def loss_waterfall(summary: pd.DataFrame, *, stat: str = "mean") -> go.Figure:
    """Losses of firms by channel, adding up to the total (a waterfall).

    Parameters
    ----------
    summary : pandas.DataFrame
        :meth:`lahar.scenarios.RunResult.summary` (``outcome, mean, q05, q50, q95``).
    stat : str, default "mean"
        The column drawn. Only the mean adds up: quantiles of the channels do not sum to the
        quantile of the total.

    Returns
    -------
    plotly.graph_objects.Figure
        One relative bar per channel of :data:`lahar.contagion.CHANNELS`, then the total
        (``loss_total``), in USD billion.
    """
    by = _by_outcome(summary)
    keys = [f"loss_{c}" for c in CHANNELS if f"loss_{c}" in by.index]
    labels = [LABELS.get(k, (k, ""))[0].strip() for k in keys]
    fig = _fig(f"Losses of firms by channel ({stat} over the draws)")
    fig.add_trace(
        go.Waterfall(
            x=[*labels, "total"],
            y=[*_bn(by.loc[keys, stat]), float(by.loc["loss_total", stat]) / BN],
            measure=["relative"] * len(keys) + ["total"],
            texttemplate="$%{y:,.1f}B",
            textposition="outside",
            name=stat,
        )
    )
    fig.update_yaxes(title_text="USD billion")
    return fig


def defaults_figure(
    entities: pd.DataFrame, names: Mapping[str, str] | None = None, *, top: int = 15
) -> go.Figure:
    """Who defaults: default probability over the draws, with the mean loss in the hover.

    Parameters
    ----------
    entities : pandas.DataFrame
        :attr:`lahar.scenarios.RunResult.entities` (``entity, channel, mean, q95,
        default_probability``).
    names : mapping of str to str, optional
        Display name per entity id.
    top : int, default 15
        Firms shown, most likely to default first.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    t = entities[entities["channel"] == "total"]
    t = t[t["default_probability"] > 0].sort_values(
        ["default_probability", "mean"], ascending=False
    )
    t = t.head(top)
    label = [names.get(e, e) if names else e for e in t["entity"]]
    fig = _fig("Defaults: probability over the draws")
    fig.add_trace(
        go.Bar(
            y=label,
            x=t["default_probability"],
            orientation="h",
            customdata=np.column_stack([_bn(t["mean"]), _bn(t["q95"])]),
            hovertemplate="%{y}: %{x:.0%} of draws<br>mean loss $%{customdata[0]:,.1f}B, "
            "95th pct $%{customdata[1]:,.1f}B<extra></extra>",
            name="default probability",
        )
    )
    _horizontal(fig, 220, title_text="share of draws in default", range=[0, 1], tickformat=".0%")
    return fig


_BANDS = ((0.05, 0.95), (0.25, 0.75))


def distribution_figure(draws: pd.DataFrame, outcomes: Sequence[str] | None = None) -> go.Figure:
    """Loss distributions over the draws: 5-95 % and 25-75 % bands and the median per outcome.

    Parameters
    ----------
    draws : pandas.DataFrame
        One row per draw with one column per outcome (:attr:`RunResult.headline
        <lahar.scenarios.RunResult.headline>` or the run's ``draws-*.parquet`` files), USD.
    outcomes : sequence of str, optional
        Columns shown (default: ``loss_total`` and every ``loss_<channel>`` present).

    Returns
    -------
    plotly.graph_objects.Figure
        Horizontal bands, USD billion.
    """
    if outcomes is None:
        outcomes = [k for k in ("loss_total", *(f"loss_{c}" for c in CHANNELS)) if k in draws]
    outcomes = list(outcomes)
    labels = [LABELS.get(k, (k, ""))[0].strip() for k in outcomes]
    v = _bn(draws[outcomes].to_numpy(dtype=np.float64))
    fig = _fig(f"Loss distributions over {len(draws)} draws", barmode="overlay")
    for (lo, hi), opacity in zip(_BANDS, (0.3, 0.6), strict=True):
        q = np.quantile(v, [lo, hi], axis=0)
        fig.add_trace(
            go.Bar(
                y=labels,
                x=q[1] - q[0],
                base=q[0],
                orientation="h",
                opacity=opacity,
                marker={"color": "#1f77b4"},
                name=f"{100 * lo:.0f}-{100 * hi:.0f} % of draws",
                customdata=np.column_stack([q[0], q[1]]),
                hovertemplate="%{y}: $%{customdata[0]:,.1f}B to $%{customdata[1]:,.1f}B"
                "<extra>%{fullData.name}</extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            y=labels,
            x=np.quantile(v, 0.5, axis=0),
            mode="markers",
            marker={"symbol": "line-ns-open", "size": 18, "color": "black"},
            name="median",
        )
    )
    _horizontal(fig, 260, title_text="USD billion")
    return fig


def scenarios_fan(summaries: Mapping[str, pd.DataFrame], outcome: str = "loss_total") -> go.Figure:
    """One outcome across scenarios: the 5-95 % band, the median and the mean of each.

    Parameters
    ----------
    summaries : mapping of str to pandas.DataFrame
        Scenario name → :meth:`lahar.scenarios.RunResult.summary`.
    outcome : str, default "loss_total"
        A headline outcome (:data:`lahar.scenarios.HEADLINES`).

    Returns
    -------
    plotly.graph_objects.Figure
        Scenarios ordered by their median; money in USD billion.
    """
    label, unit = LABELS.get(outcome, (outcome, "num"))
    scale = BN if unit == "usd" else 1.0
    rows = [(name, _by_outcome(s).loc[outcome]) for name, s in summaries.items()]
    rows.sort(key=lambda r: float(r[1]["q50"]))
    names = [n for n, _ in rows]
    q05 = np.array([float(r["q05"]) for _, r in rows]) / scale
    q95 = np.array([float(r["q95"]) for _, r in rows]) / scale
    fig = _fig(f"{label.strip()}: across scenarios (5-95 % of draws)")
    fig.add_trace(
        go.Bar(y=names, x=q95 - q05, base=q05, orientation="h", opacity=0.35, name="5-95 %")
    )
    fig.add_trace(
        go.Scatter(
            y=names,
            x=[float(r["q50"]) / scale for _, r in rows],
            mode="markers",
            marker={"symbol": "line-ns-open", "size": 18, "color": "black"},
            name="median",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=names,
            x=[float(r["mean"]) / scale for _, r in rows],
            mode="markers",
            marker={"symbol": "diamond", "size": 8},
            name="mean",
        )
    )
    fig.update_xaxes(title_text="USD billion" if unit == "usd" else unit)
    fig.update_layout(margin={**_LAYOUT["margin"], "l": 200})
    return fig


_MACRO = (
    ("gdp_change", "US GDP change per year", BN, "USD billion"),
    ("jobs_change", "US jobs change", 1e3, "thousand FTE"),
    ("retirement_loss", "Savings: IRAs and DC plans' losses", BN, "USD billion"),
    ("pjm_capacity_cost_change", "Grid: PJM capacity cost change", BN, "USD billion per year"),
)


def macro_figure(summary: pd.DataFrame) -> go.Figure:
    """GDP, jobs, savings and grid effects: the mean with its 5-95 % band, one panel each.

    Parameters
    ----------
    summary : pandas.DataFrame
        :meth:`lahar.scenarios.RunResult.summary`.

    Returns
    -------
    plotly.graph_objects.Figure
        Four panels (those whose outcome is in ``summary``).
    """
    by = _by_outcome(summary)
    shown = [m for m in _MACRO if m[0] in by.index]
    fig = make_subplots(rows=1, cols=max(len(shown), 1), subplot_titles=[m[1] for m in shown])
    for k, (key, _, scale, unit) in enumerate(shown, start=1):
        r = by.loc[key]
        mean = float(r["mean"]) / scale
        fig.add_trace(
            go.Bar(
                x=[unit],
                y=[mean],
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [float(r["q95"]) / scale - mean],
                    "arrayminus": [mean - float(r["q05"]) / scale],
                },
                name=key,
                showlegend=False,
                hovertemplate=f"mean %{{y:,.1f}} {unit}<extra></extra>",
            ),
            row=1,
            col=k,
        )
    fig.update_layout(
        **_LAYOUT,
        title={"text": "The real economy: GDP, jobs, savings, grid (mean, 5-95 %)", "x": 0.0},
    )
    return fig


def importance_figure(
    ranking: pd.DataFrame, *, top: int = 15, channels: Sequence[str] | None = None
) -> go.Figure:
    """Systemic importance: losses each firm's failure alone causes others, by channel.

    Parameters
    ----------
    ranking : pandas.DataFrame
        :func:`lahar.scenarios.rank`: ``name`` (or ``entity``), ``loss_<channel>`` columns,
        ``loss_client``, ``loss_caused``, ``defaults_caused``.
    top : int, default 15
        Firms shown, most harmful first.
    channels : sequence of str, optional
        Columns stacked (default: ``loss_<channel>`` for every channel present, then
        ``loss_client``).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    t = ranking.sort_values("loss_caused", ascending=False).head(top)
    if channels is None:
        channels = [c for c in (*(f"loss_{x}" for x in CHANNELS), "loss_client") if c in t.columns]
    label = t["name"] if "name" in t else t["entity"]
    fig = _fig("Systemic importance: losses caused by each firm failing alone", barmode="stack")
    for col in channels:
        fig.add_trace(
            go.Bar(
                y=label,
                x=_bn(t[col]),
                orientation="h",
                name=LABELS.get(col, (col, ""))[0].strip(),
            )
        )
    _horizontal(fig, 220, height=520, title_text="USD billion")
    return fig


def sobol_figure(indices: pd.DataFrame, outcome: str) -> go.Figure:
    """What drives an outcome: first-order and total Sobol indices with their intervals.

    Parameters
    ----------
    indices : pandas.DataFrame
        :attr:`lahar.scenarios.SensitivityResult.indices` (``outcome, factor, S1, S1_conf,
        ST, ST_conf``).
    outcome : str
        The outcome drawn.

    Returns
    -------
    plotly.graph_objects.Figure
        Factors ordered by ``ST``; an outcome constant over the design has no bars.
    """
    t = indices[indices["outcome"] == outcome].dropna(subset=["ST"])
    t = t.sort_values("ST", ascending=False)
    label = LABELS.get(outcome, (outcome, ""))[0].strip()
    fig = _fig(f"What drives {label.lower()}: Sobol indices", barmode="group")
    for k in ("S1", "ST"):
        fig.add_trace(
            go.Bar(
                x=t["factor"],
                y=t[k],
                error_y={"type": "data", "array": t[f"{k}_conf"]},
                name={"S1": "first order", "ST": "total"}[k],
            )
        )
    fig.update_yaxes(title_text="share of variance")
    return fig


def boxes_figure(boxes: pd.DataFrame, ranges: Mapping[str, tuple[float, float]]) -> go.Figure:
    """Discovered boxes: the ranges of the drawn quantities where the bad outcome concentrates.

    Parameters
    ----------
    boxes : pandas.DataFrame
        :func:`lahar.scenarios.discover` (``box, coverage, density, parameter, low, high``).
    ranges : mapping of str to (float, float)
        Each quantity's full range (its ``Dim.low, Dim.high``); a restriction is drawn as a
        share of it.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar per restriction, from its low to its high end in [0, 1] of the full range.
    """
    t = boxes[boxes["parameter"].isin(list(ranges))]
    fig = _fig("Where the bad outcome concentrates (discovered boxes)")
    for box, g in t.groupby("box", sort=True):
        lo, hi, text = [], [], []
        for r in g.itertuples(index=False):
            a, b = ranges[str(r.parameter)]
            width = (b - a) or 1.0
            low = a if pd.isna(r.low) else float(r.low)
            high = b if pd.isna(r.high) else float(r.high)
            lo.append((low - a) / width)
            hi.append((high - a) / width)
            text.append(f"{low:.4g} to {high:.4g}")
        cov, den = float(g["coverage"].iloc[0]), float(g["density"].iloc[0])
        fig.add_trace(
            go.Bar(
                y=list(g["parameter"]),
                x=np.subtract(hi, lo),
                base=lo,
                orientation="h",
                text=text,
                name=f"box {box}: coverage {cov:.0%}, density {den:.0%}",
            )
        )
    fig.update_xaxes(title_text="share of the quantity's range", range=[0, 1])
    fig.update_layout(barmode="group", margin={**_LAYOUT["margin"], "l": 240})
    return fig


def reverse_stress_figure(
    thresholds: pd.DataFrame, ranges: Mapping[str, tuple[float, float]]
) -> go.Figure:
    """Reverse-stress thresholds: where in its range each quantity tips the outcome.

    Parameters
    ----------
    thresholds : pandas.DataFrame
        One row per quantity: ``quantity``, ``outcome``, ``threshold`` (NaN: not found in the
        range), ``direction`` (``"above"``: the outcome happens at the threshold or above).
    ranges : mapping of str to (float, float)
        Each quantity's range.

    Returns
    -------
    plotly.graph_objects.Figure
        The range of each quantity as a bar in [0, 1], the side where the outcome happens
        shaded, the threshold as a marker.
    """
    t = thresholds[thresholds["threshold"].notna()]
    t = t[t["quantity"].isin(list(ranges))]
    pos, side_lo, side_hi, text = [], [], [], []
    for r in t.itertuples(index=False):
        a, b = ranges[str(r.quantity)]
        p = (float(r.threshold) - a) / ((b - a) or 1.0)
        pos.append(p)
        side_lo.append(p if r.direction == "above" else 0.0)
        side_hi.append(1.0 if r.direction == "above" else p)
        text.append(f"{r.outcome} at {r.threshold:.4g} or {r.direction} (range {a:.4g}-{b:.4g})")
    fig = _fig("Reverse stress: the value at which the outcome starts")
    fig.add_trace(
        go.Bar(
            y=list(t["quantity"]),
            x=np.subtract(side_hi, side_lo),
            base=side_lo,
            orientation="h",
            opacity=0.35,
            name="outcome happens",
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=list(t["quantity"]),
            x=pos,
            mode="markers",
            marker={"symbol": "line-ns-open", "size": 20, "color": "crimson"},
            text=text,
            hoverinfo="text",
            name="threshold",
        )
    )
    fig.update_xaxes(title_text="share of the quantity's range", range=[0, 1])
    fig.update_layout(margin={**_LAYOUT["margin"], "l": 240})
    return fig
