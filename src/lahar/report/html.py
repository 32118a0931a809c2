"""The HTML report: one self-contained file that opens offline, read top to bottom.

:func:`write_report` draws the dataset held in a store (the network, circular money,
leverage, the refinancing wall, the monetization gap, index concentration, power demand) and
the scenario runs recorded in it (losses by channel, their distribution, defaults, the real
economy, systemic importance, what drives the outcome, reverse-stress thresholds) with the
charts of :mod:`lahar.report.figures`. Plotly's JavaScript is embedded once, each chart's
JSON beside it; nothing is fetched from another host. Beside every chart: a note on its
assumptions and limits, and its numbers with the row each comes from — a fact, an exposure, a
parameter or a source id links to the source (publication, date, address, source class);
what lahar computes says it is an estimate. Every text of the data is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lahar.analytics import circularity as circ
from lahar.data import load_parameters, network_from_tables, scenario_table, status_weights
from lahar.errors import LaharError, StoreError
from lahar.network import Network
from lahar.report import figures as fg
from lahar.report.display import format_table
from lahar.report.findings import (
    circularity_tables,
    concentration_tables,
    energy_tables,
    gap_tables,
    leverage_tables,
)
from lahar.report.runs import StoredRun, load_run, resolve_runs
from lahar.report.scenario import headline_table
from lahar.scenarios import discover, make_context, rank, reverse_stress, sensitivity
from lahar.store import Store

__all__ = ["REPORT_FILE", "SOBOL_N", "write_report"]

REPORT_FILE = "report.html"
"""Name of the report file inside the output folder."""

SOBOL_N = 128
"""Base sample of the report's Sobol indices (:func:`lahar.scenarios.sensitivity`)."""

_TOKEN = re.compile(r"([A-Za-z][A-Za-z0-9_]*)")

# What each chart assumes and leaves out: prose, no figure (the numbers are in the data).
NOTES: dict[str, str] = {
    "network": "Every current deal of the dataset (superseded rows left out) between the "
    "entities it names; amounts are headline nominal USD, not annualised or weighted by "
    "status. Node area grows with the losses a firm's failure alone causes others "
    "(systemic-importance ranking below). Positions come from a spring layout: distance "
    "means nothing beyond 'linked'. Deals the sources do not report are missing, so small "
    "firms look more isolated than they are.",
    "circular": "Money flows are annualised and weighted by deal status (the dataset's "
    "status weights); market holdings of listed shares are left out. The largest "
    "circulation is the most money that can be traced going round, an upper bound on "
    "round-tripping: a flow on a cycle need not be the same dollars.",
    "leverage": "Reported debt is the latest balance-sheet fact; lease commitments and debt "
    "raised in special-purpose vehicles are added back where the dataset has them. A firm "
    "without a figure shows no bar, not zero.",
    "collateral": "Model paths, not observations: book value depreciates straight-line over "
    "the useful lives the firms report; economic value follows the decline rate of GPU "
    "rental prices (base and stress) in parameters.csv. The loan-to-value assumes the "
    "dataset's origination LTV and term of a GPU-backed SPV loan.",
    "wall": "Principal of the network's loans and bonds by the year it falls due (date plus "
    "term); a loan with no stated maturity is not in the wall, so the wall is a lower bound.",
    "gap": "Sequoia's method: the capex must earn a 50 % margin, so revenue needed is twice "
    "the capex. AI revenue is the firm's reported AI figure where there is one; most firms "
    "do not report one (no bar).",
    "concentration": "Savings pools times their equity share times the weight of the "
    "largest seven stocks in the S&P 500: what rides on those stocks, assuming pools hold "
    "the market. Pools overlap (401(k) plans are inside DC plans).",
    "power": "Data-centre load converted to TWh at the dataset's utilisation; projections "
    "are ranges, queue and pipeline figures are requests, not load that will be built.",
    "fan": "Each scenario's 5-95 % band over its Monte Carlo draws, with the median and the "
    "mean. Scenarios differ in their shocks; their draws are independent.",
    "importance": "Each firm fails alone, every other input at its central value; the bar "
    "is what everyone else loses, clients' money included (its own losses are not "
    "counted). A ranking of knock-on harm, not a probability of failure.",
    "waterfall": "Mean losses of firms over the draws by channel; the means add up to the "
    "mean total. Losses on holdings for clients are borne by end investors and are not in "
    "the total.",
    "defaults": "Share of draws in which the firm defaults (its losses exceed its equity "
    "buffer); balance sheets are drawn from the dataset's low-high ranges.",
    "distribution": "Quantile bands of each loss over the run's draws (scrambled Sobol "
    "points over the scenario's ranges, uniform or triangular as the spec says).",
    "macro": "GDP and jobs from the Leontief input-output model of the AI-capex cut (BEA "
    "2023, domestic requirements); savings from the index repricing; the grid from the PJM "
    "capacity market. Upper-end, first-round effects: no policy response.",
    "sobol": "Share of the outcome's variance due to each drawn quantity alone (first "
    "order) and with its interactions (total), with 95 % bootstrap intervals; balance "
    "sheets are one group. Computed for the report with a base sample of {n}: small "
    "indices are within noise.",
    "boxes": "Ranges of the drawn quantities where the bad outcome (at least as many "
    "defaults as the run's median, and at least one) concentrates, found by a patient rule "
    "induction on the run's own draws. Coverage: share of bad draws inside; density: share "
    "of draws inside that are bad.",
    "reverse": "For each shock quantity, with every other quantity at its central value: "
    "the value at which the run's median number of defaults (at least one) is reached. A "
    "quantity with no threshold in its range is left out.",
}

_CSS = """
body{font:15px/1.5 system-ui,Segoe UI,Roboto,sans-serif;margin:0;color:#222;background:#fafafa}
header,main,footer{max-width:1180px;margin:0 auto;padding:0 20px}
header{padding-top:16px}h1{margin:.2em 0}h2{border-bottom:2px solid #333;margin-top:2em}
h3{margin-top:1.6em}.prov{font:13px ui-monospace,monospace;background:#fff;border:1px solid #ddd;
padding:8px 12px;overflow-x:auto}.chart{display:grid;grid-template-columns:minmax(0,1fr) 280px;
gap:16px;background:#fff;border:1px solid #ddd;padding:12px;margin:16px 0}
.chart .note{font-size:13px;color:#444;border-left:3px solid #c60;padding-left:10px}
.chart details{grid-column:1/3;font-size:13px}.plot{min-height:420px}
table{border-collapse:collapse;font-size:12px;margin:6px 0}td,th{border:1px solid #ddd;
padding:2px 6px;text-align:left;vertical-align:top}th{background:#f0f0f0}
.est{color:#a40;font-style:italic}nav{display:flex;flex-wrap:wrap;gap:4px 14px;margin:8px 0}
"""


@dataclass
class _Cite:
    """Turns ids in a cell into links to the sources and parameters tables."""

    sources: pd.DataFrame
    of_fact: dict[str, str]
    of_exposure: dict[str, str]
    parameters: set[str]
    cited: set[str] = field(default_factory=set)
    cited_params: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.known = set(self.sources["id"])

    def _link(self, token: str) -> str | None:
        sid = None
        if token in self.known:
            sid = token
        elif token in self.of_fact or token in self.of_exposure:
            sid = self.of_fact.get(token) or self.of_exposure.get(token)
        elif token in self.parameters:
            self.cited_params.add(token)
            return f'<a href="#par-{html.escape(token)}">{html.escape(token)}</a>'
        if not sid or sid not in self.known:
            return None
        self.cited.add(sid)
        return f'<a href="#src-{html.escape(sid)}">{html.escape(token)}</a>'

    def text(self, value: Any) -> str:
        """Escaped text with every known id linked."""
        s = "" if value is None else str(value)
        return "".join(
            (self._link(p) or html.escape(p)) if k % 2 else html.escape(p)
            for k, p in enumerate(_TOKEN.split(s))
        )


def _table(frame: pd.DataFrame, cite: _Cite, *, name: str = "", link: Sequence[str] = ()) -> str:
    """An HTML table of ``frame`` (numbers formatted), ids linked in the ``link`` columns."""
    shown = format_table(name, frame)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = []
    for raw, row in zip(frame.itertuples(index=False), shown.itertuples(index=False), strict=True):
        cells = []
        for col, r, v in zip(shown.columns, raw, row, strict=True):
            if col in link:
                cells.append(f"<td>{cite.text(r)}</td>")
            else:
                cells.append(f"<td>{html.escape('' if v is None else str(v))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


@dataclass
class _Page:
    cite: _Cite
    parts: list[str] = field(default_factory=list)
    figures: list[dict[str, Any]] = field(default_factory=list)

    def chart(self, fig: go.Figure, note: str, tables: str, *, estimate: bool = False) -> None:
        k = len(self.figures)
        self.figures.append(fg.figure_json(fig))
        kind = (
            '<p class="est">Estimate: computed by lahar from the dataset and the assumptions '
            "named here, not a reported figure.</p>"
            if estimate
            else ""
        )
        self.parts.append(
            f'<section class="chart"><div class="plot" id="fig-{k}"></div>'
            f'<aside class="note"><b>Assumptions and limits.</b> {self.cite.text(note)}{kind}'
            f"</aside><details><summary>Numbers and their sources</summary>{tables}</details>"
            "</section>"
        )

    def add(self, text: str) -> None:
        self.parts.append(text)


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element (no ``</script>``, no ``<!--``)."""
    return (
        json.dumps(value, separators=(",", ":"), allow_nan=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


# --------------------------------------------------------------------------- dataset section
def _dataset_section(page: _Page, net: Network, params: Any, ranking: pd.DataFrame) -> None:
    cite = page.cite
    page.add('<h2 id="dataset">The network and its money</h2>')
    ex = net.exposures[np.asarray(net.current, dtype=bool)]
    cols = [c for c in ("id", "source", "target", "layer", "status", "amount_usd") if c in ex]
    deals = ex[cols].assign(source_row=ex["id"])
    page.chart(
        fg.network_figure(net, importance=ranking.set_index("entity")["loss_caused"]),
        NOTES["network"],
        _table(deals, cite, link=("source_row",)),
    )
    circ_t = circularity_tables(net, params=params, sensitivity=False)
    flows = circ.money_flows(net, status_weights=status_weights(params))
    names = net.entities["name"].astype(str).tolist()
    page.chart(
        fg.circular_flows_figure(circ.max_circulation(flows), names),
        NOTES["circular"],
        _table(circ_t["circularity_summary"], cite, name="circularity_summary")
        + _table(circ_t["circularity_cycles"], cite, link=("deals",)),
        estimate=True,
    )
    lev = leverage_tables(net, params=params)
    firms = lev["leverage_firms"]
    page.chart(
        fg.leverage_figure(firms),
        NOTES["leverage"],
        _table(
            firms,
            cite,
            name="leverage_firms",
            link=("debt_basis", "spv_basis"),
        ),
    )
    page.chart(
        fg.collateral_figure(lev["leverage_collateral"]),
        NOTES["collateral"],
        _table(lev["leverage_collateral"], cite, name="leverage_collateral"),
        estimate=True,
    )
    page.chart(
        fg.refinancing_wall_figure(lev["leverage_wall"]),
        NOTES["wall"],
        _table(lev["leverage_wall"], cite, name="leverage_wall")
        + _table(
            lev["leverage_loans"].assign(source_row=lev["leverage_loans"]["id"]),
            cite,
            name="leverage_loans",
            link=("source_row",),
        ),
    )
    gap = gap_tables(net, params=params)
    page.chart(
        fg.gap_figure(gap["gap_firms"]),
        NOTES["gap"],
        _table(gap["gap_aggregate"], cite, name="gap_aggregate", link=("basis",))
        + _table(
            gap["gap_firms"], cite, name="gap_firms", link=("capex_basis", "ai_revenue_basis")
        ),
    )
    conc = concentration_tables(net, params=params)
    page.chart(
        fg.concentration_figure(conc["concentration_savings"], conc["concentration_index"]),
        NOTES["concentration"],
        _table(conc["concentration_index"], cite, name="concentration_index", link=("basis",))
        + _table(
            conc["concentration_savings"],
            cite,
            name="concentration_savings",
            link=("parameter", "sources"),
        ),
    )
    en = energy_tables(net, params=params)
    page.chart(
        fg.power_figure(en["energy_load"]),
        NOTES["power"],
        _table(en["energy_load"], cite, name="energy_load", link=("basis",)),
    )


# --------------------------------------------------------------------------- scenario section
def _prov(items: Iterable[tuple[str, Any]]) -> str:
    return (
        '<div class="prov">'
        + "<br>".join(f"{html.escape(k)}: {html.escape(str(v))}" for k, v in items)
        + "</div>"
    )


def _across_section(
    page: _Page, runs: list[StoredRun], ranking: pd.DataFrame, names: Mapping[str, str]
) -> None:
    page.add('<h2 id="scenarios">When the music stops: the scenarios</h2>')
    if len(runs) > 1:
        # one entry per run: two runs of one scenario are two bars, labelled by their run ids
        twice = {r.scenario for r in runs if sum(x.scenario == r.scenario for x in runs) > 1}
        summaries = {
            f"{r.scenario} ({r.run_id[:8]})" if r.scenario in twice else r.scenario: r.summary
            for r in runs
        }
        rows = pd.DataFrame(
            [
                {"scenario": r.scenario, "run_id": r.run_id, "draws": r.draws}
                | {
                    f"loss_total_{q}_usd": float(
                        r.summary.set_index("outcome").loc["loss_total", q]
                    )
                    for q in ("q05", "q50", "mean", "q95")
                }
                for r in runs
            ]
        )
        page.chart(
            fg.scenarios_fan(summaries, "loss_total"),
            NOTES["fan"],
            _table(rows, page.cite),
            estimate=True,
        )
    shown = ranking.head(30)
    cols = [
        c
        for c in ("rank", "entity", "name", "kind", "loss_caused", "defaults_caused", "most_hit")
        if c in shown
    ]
    loss_cols = [c for c in shown.columns if c.startswith("loss_") and c != "loss_caused"]
    page.chart(
        fg.importance_figure(ranking),
        NOTES["importance"],
        _table(
            shown[cols + loss_cols].rename(
                columns=lambda c: f"{c}_usd" if c in loss_cols or c == "loss_caused" else c
            ),
            page.cite,
        ),
        estimate=True,
    )


def _defaults_at_least(run: StoredRun) -> int:
    """The run's median number of defaults, at least 1: the 'bad outcome' of the report."""
    med = run.summary.set_index("outcome").loc["defaults", "q50"]
    return max(1, round(float(med)))


def _run_section(
    page: _Page,
    run: StoredRun,
    net: Network,
    params: Any,
    io: Any,
    names: Mapping[str, str],
    current: tuple[str, str],
) -> None:
    cite = page.cite
    anchor = f"run-{html.escape(run.run_id)}"
    page.add(
        f'<h3 id="{anchor}">{html.escape(run.spec.title)} ({html.escape(run.scenario)})</h3>'
        f"<p>{html.escape(run.spec.description.strip())}</p>"
        + _prov(
            (
                ("run id", run.run_id),
                ("spec hash", run.spec_hash),
                ("dataset hash", run.dataset_digest or "-"),
                ("lahar version", run.lahar_version),
                ("draws, seed", f"{run.draws}, {run.seed}"),
                ("recorded", run.created_at),
            )
        )
    )
    page.chart(
        fg.loss_waterfall(run.summary),
        NOTES["waterfall"],
        _table(headline_table(run.summary), cite),
        estimate=True,
    )
    total = run.entities[run.entities["channel"] == "total"]
    hit = total[total["default_probability"] > 0].sort_values(
        "default_probability", ascending=False
    )
    page.chart(
        fg.defaults_figure(run.entities, names),
        NOTES["defaults"],
        _table(
            hit[["entity", "default_probability", "mean", "q05", "q50", "q95"]].rename(
                columns={c: f"{c}_usd" for c in ("mean", "q05", "q50", "q95")}
            ),
            cite,
        ),
        estimate=True,
    )
    if not run.draws_table.empty:
        page.chart(
            fg.distribution_figure(run.draws_table),
            NOTES["distribution"],
            _table(run.summary, cite),
            estimate=True,
        )
    page.chart(
        fg.macro_figure(run.summary), NOTES["macro"], _table(run.summary, cite), estimate=True
    )
    if (run.dataset_digest or current[0], run.lahar_version) != current:
        # the analyses below re-run the spec: only on the dataset and code the run used
        page.add(
            "<p class=est>Sensitivity, discovered boxes and reverse-stress thresholds are "
            "computed again from the store's dataset and this lahar's parameters, which differ "
            f"from the run's (dataset {html.escape(run.dataset_digest or '-')}, lahar "
            f"{html.escape(run.lahar_version)}); they are left out here. Run the scenario "
            "again to see them.</p>"
        )
        return
    ctx = make_context(run.spec, net, params, io, seed=run.seed)
    dims = pd.DataFrame(
        [
            {
                "quantity": d.name,
                "group": d.group,
                "low": d.low,
                "high": d.high,
                "mode": np.nan if d.mode is None else d.mode,
                "source": d.source or "dataset range",
            }
            for d in ctx.dims
        ]
    )
    dims_html = "<p>Drawn quantities and where their ranges come from:</p>" + _table(
        dims, cite, link=("source",)
    )
    ranges = {d.name: (float(d.low), float(d.high)) for d in ctx.dims}
    sob = sensitivity(ctx, outcomes=["loss_total"], n=SOBOL_N, seed=run.seed)
    page.chart(
        fg.sobol_figure(sob.indices, "loss_total"),
        NOTES["sobol"].format(n=SOBOL_N),
        _table(sob.indices, cite) + dims_html,
        estimate=True,
    )
    k = _defaults_at_least(run)
    xcols = [f"x.{d.name}" for d in ctx.dims]
    drawn = not run.draws_table.empty and set(xcols) <= set(run.draws_table.columns)
    bad = run.draws_table["defaults"].to_numpy() >= k if drawn else np.zeros(0, dtype=bool)
    if drawn and not 0 < bad.sum() < bad.size:  # nothing to tell the bad draws from the rest
        page.add(
            f"<p class=est>Discovered boxes: {int(bad.sum())} of {bad.size} draws have "
            f"defaults >= {k}, so no box separates bad draws from the others.</p>"
        )
    elif drawn:
        boxes = discover(
            run.draws_table[xcols].to_numpy(), bad, [d.name for d in ctx.dims], seed=run.seed
        )
        page.chart(
            fg.boxes_figure(boxes, ranges),
            NOTES["boxes"] + f" Here: defaults >= {k}, {int(bad.sum())} of {len(bad)} draws.",
            _table(boxes, cite),
            estimate=True,
        )
    rows = []
    for d in ctx.dims:
        if d.group != "shocks":
            continue
        try:
            th = reverse_stress(ctx, d.name, f"defaults>={k}")
        except LaharError:  # the outcome holds over the whole range, or the quantity is flat
            th = None
        rows.append(
            {
                "quantity": d.name,
                "outcome": f"defaults>={k}",
                "threshold": np.nan if th is None else th.threshold,
                "direction": "" if th is None else th.direction,
                "low": d.low,
                "high": d.high,
            }
        )
    thresholds = pd.DataFrame(
        rows, columns=["quantity", "outcome", "threshold", "direction", "low", "high"]
    )
    page.chart(
        fg.reverse_stress_figure(thresholds, ranges),
        NOTES["reverse"],
        _table(thresholds, cite),
        estimate=True,
    )


# --------------------------------------------------------------------------- the page
def _sources_section(cite: _Cite, params: Any) -> str:
    src = cite.sources[cite.sources["id"].isin(cite.cited)].sort_values("id")
    rows = []
    for r in src.itertuples(index=False):
        url = str(r.url or "")
        link = (
            f'<a href="{html.escape(url, quote=True)}" rel="noreferrer">{html.escape(url)}</a>'
            if url.startswith(("https://", "http://"))
            else html.escape(url)
        )
        rows.append(
            f'<tr id="src-{html.escape(str(r.id))}"><td>{html.escape(str(r.id))}</td>'
            f"<td>{html.escape(str(r.publication))}</td><td>{html.escape(str(r.title))}</td>"
            f"<td>{html.escape(str(r.date))}</td><td>{link}</td>"
            f"<td>{html.escape(str(r.source_class))}</td></tr>"
        )
    prow = []
    for pid in sorted(cite.cited_params):
        p = params[pid]
        prow.append(
            f'<tr id="par-{html.escape(pid)}"><td>{html.escape(pid)}</td>'
            f"<td>{html.escape(p.name)}</td><td>{p.value:g}</td><td>{p.low:g}-{p.high:g}</td>"
            f"<td>{html.escape(p.unit)}</td><td>{html.escape(p.status)}</td>"
            f"<td>{cite.text(p.source_id)}</td></tr>"
        )
    return (
        '<h2 id="sources">Sources</h2><p>Every source cited above: publication, title, date, '
        "address and class (primary filings and statistics; press; estimates).</p>"
        "<table><tr><th>id</th><th>publication</th><th>title</th><th>date</th>"
        f"<th>address</th><th>class</th></tr>{''.join(rows)}</table>"
        '<h2 id="parameters">Parameters</h2><table><tr><th>id</th><th>name</th><th>value</th>'
        f"<th>range</th><th>unit</th><th>status</th><th>source</th></tr>{''.join(prow)}</table>"
    )


def write_report(
    store: Store,
    run_ids: Sequence[str] | None = None,
    out_dir: str | Path = "lahar-report",
    *,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write the HTML report of a store's dataset and scenario runs; return the file.

    Parameters
    ----------
    store : Store
        A store holding an imported dataset and finished scenario runs.
    run_ids : sequence of str, optional
        Run ids (or unique prefixes, or ``"latest"``); default: the runs of the latest
        ``lahar run`` (:func:`lahar.report.runs.latest_batch`).
    out_dir : str or Path, default "lahar-report"
        Folder of the report (created if needed); the file is ``out_dir / REPORT_FILE``.
    progress : callable, optional
        Called with a short description of each step.

    Returns
    -------
    Path
        The HTML file.

    Raises
    ------
    lahar.errors.DataError
        An unknown run id (with close matches), or no scenario run in the store.
    lahar.errors.StoreError
        The store holds no dataset, or the folder cannot be written.
    """
    from lahar import __version__

    say = progress or (lambda _: None)
    ids = resolve_runs(store, list(run_ids) if run_ids else None)
    tables = store.read_tables()
    if tables["entities"].empty:
        raise StoreError(f"Store {store.path} holds no dataset; run `lahar data import` first.")
    params = load_parameters()
    net = network_from_tables(tables, params)
    facts, exps = tables["facts"], tables["exposures"]
    cite = _Cite(
        sources=tables["sources"],
        of_fact=dict(zip(facts["id"], facts["source_id"].fillna(""), strict=True)),
        of_exposure=dict(zip(exps["id"], exps["source_id"].fillna(""), strict=True)),
        parameters=set(params),
    )
    page = _Page(cite)
    say("dataset charts")
    ranking = rank(net, params)
    names = dict(zip(net.ids, net.entities["name"].astype(str), strict=True))
    _dataset_section(page, net, params, ranking)
    table = store.runs()
    runs = [load_run(store, r, runs=table) for r in ids]
    _across_section(page, runs, ranking, names)
    io = scenario_table()
    digest = store.sql("SELECT value FROM lahar_meta WHERE key = 'dataset_digest'")
    current = str(digest["value"].iloc[0]) if len(digest) else "-"
    for run in runs:
        say(f"scenario {run.scenario}")
        _run_section(page, run, net, params, io, names, (current, __version__))
    stale = [r.run_id for r in runs if r.dataset_digest and r.dataset_digest != current]
    warn = (
        f"<p class=est>The store's dataset changed after run(s) {html.escape(', '.join(stale))}: "
        "the dataset section shows the current one.</p>"
        if stale
        else ""
    )
    nav = "".join(
        f'<a href="#run-{html.escape(r.run_id)}">{html.escape(r.scenario)}</a>' for r in runs
    )
    header = (
        "<header><h1>lahar: stress-testing the AI investment boom</h1>"
        + _prov(
            (
                ("lahar version", __version__),
                ("written", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
                ("store", store.path.name),
                ("dataset hash", current),
                (
                    "scenario runs",
                    f"{len(ids)} (run id, spec hash and dataset hash of each in its section)",
                ),
            )
        )
        + warn
        + f'<nav><a href="#dataset">dataset</a><a href="#scenarios">scenarios</a>{nav}'
        '<a href="#sources">sources</a></nav></header>'
    )
    body = "".join(page.parts)
    sources = _sources_section(cite, params)
    figures = _script_json(page.figures)
    doc = (
        # tag names in capitals: the id checker of tests/test_no_ids_in_code.py reads words
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>lahar report</title><style>{_CSS}</style>"
        f'<script type="text/javascript">{_plotly_js()}</script></head><body>'
        f"{header}<main>{body}{sources}</main>"
        "<footer><p>Made by lahar. Charts: plotly.js, embedded; this file reads nothing from "
        "any other host.</p></footer>"
        f'<script type="application/json" id="lahar-figures">{figures}</script>'
        "<script>(function(){var f=JSON.parse(document.getElementById('lahar-figures')"
        ".textContent);f.forEach(function(g,k){Plotly.newPlot('fig-'+k,g.data,g.layout,"
        "{responsive:true,displaylogo:false});});})();</script></body></html>"
    )
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        path = out / REPORT_FILE
        path.write_text(doc, encoding="utf-8")
    except OSError as exc:
        raise StoreError(
            f"cannot write the report to {out}: {exc.strerror or exc}; choose another folder "
            "(--out)."
        ) from None
    return path
