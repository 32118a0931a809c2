"""The charts carry the numbers of their input tables (values worked by hand)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from lahar.analytics import circularity as circ
from lahar.contagion import CHANNELS
from lahar.data import load_network
from lahar.report import figures as fg
from lahar.report._layout import force_layout

from ..conftest import MINI

B = 1e9


def _summary(values: dict[str, float]) -> pd.DataFrame:
    """A RunResult.summary-shaped table: every statistic equal to the given value."""
    return pd.DataFrame(
        [{"outcome": k, "mean": v, "q05": v, "q50": v, "q95": v} for k, v in values.items()]
    )


def test_waterfall_bars_add_up_to_the_total_loss() -> None:
    channel = {f"loss_{c}": (k + 1) * B for k, c in enumerate(CHANNELS)}
    total = sum(channel.values())  # 1 + 2 + ... + 6 = 21 billion for six channels
    fig = fg.loss_waterfall(_summary({"loss_total": total, **channel}))
    (w,) = fig.data
    assert list(w.measure) == ["relative"] * len(CHANNELS) + ["total"]
    assert list(w.y[:-1]) == pytest.approx([k + 1 for k in range(len(CHANNELS))])
    assert sum(w.y[:-1]) == pytest.approx(w.y[-1])
    assert w.y[-1] == pytest.approx(len(CHANNELS) * (len(CHANNELS) + 1) / 2)


def test_sankey_links_are_the_largest_circulation_of_the_mini_network() -> None:
    net = load_network(MINI)
    flows = circ.money_flows(net, status_weights=None, annualize=False)
    fig = fg.circular_flows_figure(circ.max_circulation(flows), list(net.entities["name"]))
    (s,) = fig.data
    labels = list(s.node.label)
    links = {
        (labels[a], labels[b]): v
        for a, b, v in zip(s.link.source, s.link.target, s.link.value, strict=True)
    }
    # Headline amounts (USD bn): Nvidia->OpenAI 100, OpenAI->Nvidia 50, OpenAI->AMD 30,
    # OpenAI->Oracle 300, Oracle->Nvidia 40, Nvidia->Oracle 10. AMD pays nobody, so nothing
    # circulates through it. With a = Nv->OA, b = OA->Nv, c = OA->Or, d = Or->Nv, e = Nv->Or,
    # balance gives a = b + c and d = c + e, so the total is 2b + 3c + 2e under b <= 50,
    # c + e <= 40 (d <= 40): b = 50, c = 40, e = 0, a = 90, total 220.
    assert links == pytest.approx(
        {
            ("Nvidia", "OpenAI"): 90.0,
            ("OpenAI", "Nvidia"): 50.0,
            ("OpenAI", "Oracle"): 40.0,
            ("Oracle", "Nvidia"): 40.0,
        }
    )
    assert "AMD" not in labels
    assert "$220.0B" in fig.layout.title.text


def test_network_figure_has_a_trace_per_layer_and_sizes_by_importance() -> None:
    net = load_network(MINI)
    importance = pd.Series({"nvidia": 4.0, "openai": 1.0})  # ids of the test fixture
    fig = fg.network_figure(net, importance=importance)
    lines = [t for t in fig.data if t.mode == "lines"]
    assert sorted(t.name for t in lines) == sorted(set(net.exposures["layer"]))
    hover = [t for t in fig.data if t.mode == "markers" and t.showlegend is not False]
    deals = sum(len(t.x) for t in fig.data if t.mode == "markers" and t.showlegend is False)
    assert deals == len(net.exposures)  # one hover point per current deal of the fixture
    size = {}
    for t in hover:
        for text, s in zip(t.text, t.marker.size, strict=True):
            size[text.split(" (")[0]] = s
    # area ~ importance: size = 5 + 35 sqrt(v / max); no importance -> 5
    assert size["Nvidia"] == pytest.approx(40.0)
    assert size["OpenAI"] == pytest.approx(5.0 + 35.0 * 0.5)
    assert size["AMD"] == pytest.approx(5.0)


def test_money_charts_show_usd_billions_of_their_tables() -> None:
    wall = pd.DataFrame({"year": [2026, 2027], "due_usd": [1.5 * B, 0.0], "borrowers": ["a", "-"]})
    (bar,) = fg.refinancing_wall_figure(wall).data
    assert list(bar.y) == [1.5, 0.0]
    gap = pd.DataFrame(
        {
            "name": ["A", "B"],
            "capex_usd": [10 * B, 4 * B],
            "ai_revenue_usd": [np.nan, 1 * B],
            "revenue_needed_usd": [20 * B, 8 * B],
        }
    )
    bars = {t.name: list(t.y) for t in fg.gap_figure(gap).data}
    assert bars["capex"] == [10.0, 4.0]
    assert bars["revenue needed"] == [20.0, 8.0]
    assert np.isnan(bars["AI revenue"][0])
    assert bars["AI revenue"][1] == 1.0


def test_distribution_bands_are_the_quantiles_of_the_draws() -> None:
    draws = pd.DataFrame({"loss_total": np.arange(101) * B})  # 0..100 bn: q05 = 5, q95 = 95
    fig = fg.distribution_figure(draws, ["loss_total"])
    outer, inner, median = fig.data
    assert outer.base[0] == pytest.approx(5.0)
    assert outer.x[0] == pytest.approx(90.0)
    assert inner.base[0] == pytest.approx(25.0)
    assert inner.x[0] == pytest.approx(50.0)
    assert median.x[0] == pytest.approx(50.0)


def test_fan_orders_scenarios_by_median() -> None:
    fig = fg.scenarios_fan(
        {"big": _summary({"loss_total": 9 * B}), "small": _summary({"loss_total": 2 * B})}
    )
    band = fig.data[0]
    assert list(band.y) == ["small", "big"]
    assert list(band.base) == [2.0, 9.0]


def test_thresholds_and_boxes_are_placed_within_their_ranges() -> None:
    ranges = {"q": (0.0, 10.0)}
    th = pd.DataFrame(
        {"quantity": ["q"], "outcome": ["defaults>=1"], "threshold": [2.5], "direction": ["above"]}
    )
    shade, marker = fg.reverse_stress_figure(th, ranges).data
    assert marker.x[0] == pytest.approx(0.25)
    assert shade.base[0] == pytest.approx(0.25)
    assert shade.x[0] == pytest.approx(0.75)
    boxes = pd.DataFrame(
        {
            "box": [1],
            "coverage": [0.8],
            "density": [0.9],
            "parameter": ["q"],
            "low": [2.0],
            "high": [np.nan],
        }
    )
    (bar,) = fg.boxes_figure(boxes, ranges).data
    assert bar.base[0] == pytest.approx(0.2)
    assert bar.x[0] == pytest.approx(0.8)


def test_sobol_bars_are_sorted_by_total_index() -> None:
    idx = pd.DataFrame(
        {
            "outcome": ["loss_total"] * 2,
            "factor": ["a", "b"],
            "S1": [0.1, 0.5],
            "S1_conf": [0.01, 0.02],
            "ST": [0.2, 0.6],
            "ST_conf": [0.01, 0.02],
        }
    )
    s1, st = fg.sobol_figure(idx, "loss_total").data
    assert list(st.x) == ["b", "a"]
    assert list(st.y) == [0.6, 0.2]
    assert list(s1.error_y.array) == [0.02, 0.01]


def test_figure_json_is_plain_json() -> None:
    fig = fg.refinancing_wall_figure(
        pd.DataFrame({"year": [2026], "due_usd": [2 * B], "borrowers": ["x"]})
    )
    out = fg.figure_json(fig)
    again = json.loads(json.dumps(out))
    assert again["data"][0]["y"] == [2.0]
    assert again["data"][0]["type"] == "bar"


def test_force_layout_keeps_linked_nodes_together() -> None:
    # two triangles, not linked to each other: within-triangle distances are the short ones
    a = sp.csr_array(([1.0] * 6, ([0, 1, 2, 3, 4, 5], [1, 2, 0, 4, 5, 3])), shape=(6, 6))
    pos = force_layout(a, seed=3)
    assert np.array_equal(pos, force_layout(a, seed=3))  # deterministic
    d = np.linalg.norm(pos[:, None] - pos[None, :], axis=2)
    within = (
        max(d[i, j] for i in range(3) for j in range(3)),
        max(d[i, j] for i in range(3, 6) for j in range(3, 6)),
    )
    between = min(d[i, j] for i in range(3) for j in range(3, 6))
    assert max(within) < between
    assert np.abs(pos).max() == pytest.approx(1.0)
