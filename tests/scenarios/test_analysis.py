"""Sobol indices, scenario discovery, reverse stress tests and systemic importance, by hand."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from lahar.contagion import CHANNELS
from lahar.data import ParameterSet, load_bea, load_network, load_parameters
from lahar.errors import DataError
from lahar.scenarios import (
    builtin_scenario,
    cascade_inputs,
    discover,
    make_context,
    parse_outcome,
    parse_scenario,
    rank,
    reverse_stress,
    sensitivity,
)
from tests.scenarios.test_engine import A5, FIXED, _three_firms

B = 1e9
P = load_parameters()
TABLE = load_bea(2023, domestic=True)


def _ctx(shocks: str, net=None):
    spec = parse_scenario('name = "t"\ntitle = "t"\n\n' + shocks + FIXED)
    return make_context(spec, _three_firms() if net is None else net, P, TABLE)


PAY_AND_CUT = """
[[shocks]]
kind = "partial_payment"
entities = ["lab"]
paid_share = { low = 0.0, high = 1.0 }

[[shocks]]
kind = "capex_cut"
cut = { low = 0.0, high = 0.2 }
"""


# --- Sobol indices ---------------------------------------------------------------------------


def test_an_outcome_of_one_shock_only_has_total_index_one_for_it_and_zero_for_the_other() -> None:
    """The cloud's commitment loss is margin * unpaid share * V: the capex cut (which reprices
    the cloud for its holder, the bank) cannot move it. Total-order indices of a factor that
    does not enter are exactly 0 (Jansen: A and AB_i give the same outcome)."""
    ctx = _ctx(PAY_AND_CUT)
    assert [d.name for d in ctx.dims] == ["partial_payment.paid_share", "capex_cut.cut"]
    res = sensitivity(ctx, outcomes=["loss_commitments", "loss_repricing"], n=256)
    si = res.indices.set_index(["outcome", "factor"])
    pay = si.loc[("loss_commitments", "partial_payment.paid_share")]
    cut = si.loc[("loss_commitments", "capex_cut.cut")]
    assert pay["ST"] == pytest.approx(1.0, abs=0.02)
    assert pay["S1"] == pytest.approx(1.0, abs=0.05)
    assert abs(cut["ST"]) < 1e-9  # exactly: A and AB_cut give the same outcome
    assert abs(cut["S1"]) < 0.05
    # and the other way round: the repricing loss is the bank's stake in the cloud times the
    # exogenous price fall (the cloud's AI exposure times the cut), whatever the cloud pays
    rep_cut = si.loc[("loss_repricing", "capex_cut.cut")]
    rep_pay = si.loc[("loss_repricing", "partial_payment.paid_share")]
    assert rep_cut["ST"] == pytest.approx(1.0, abs=0.02)
    assert abs(rep_pay["ST"]) < 1e-9
    assert res.evaluations == 256 * (2 + 2)
    assert res.factors == ("partial_payment.paid_share", "capex_cut.cut")


def test_indices_of_an_additive_linear_outcome_are_the_variance_shares() -> None:
    """ai_capex_cut = cut + delayed share (no firm defaults): S1 = ST = Var_i / sum Var_j,
    with cut ~ U(0, 0.2) and delayed ~ U(0, 0.1): 0.04 / 0.05 = 0.8 and 0.2."""
    ctx = _ctx(
        """
[[shocks]]
kind = "capex_cut"
cut = { low = 0.0, high = 0.2 }

[[shocks]]
kind = "grid_cap"
delayed_share = { low = 0.0, high = 0.1 }
"""
    )
    res = sensitivity(ctx, outcomes=["ai_capex_cut", "gdp_change", "defaults"], n=512)
    si = res.indices.set_index(["outcome", "factor"])
    for outcome in ("ai_capex_cut", "gdp_change"):
        for f, want in (("capex_cut.cut", 0.8), ("grid_cap.delayed_share", 0.2)):
            row = si.loc[(outcome, f)]
            assert row["S1"] == pytest.approx(want, abs=0.03)
            assert row["ST"] == pytest.approx(want, abs=0.03)
            assert row["S1_conf"] > 0
            assert abs(row["S1"] - want) <= 3 * row["S1_conf"] + 0.01
    # nobody defaults: a constant outcome has no variance to share
    assert si.loc["defaults"][["S1", "ST"]].isna().all().all()


def test_balance_sheet_ranges_are_one_factor_when_grouped() -> None:
    p = P
    ctx = make_context(builtin_scenario("openai_pays_40"), load_network(params=p), p, TABLE)
    n_bs = sum(d.group == "balance_sheets" for d in ctx.dims)
    assert n_bs > 10
    res = sensitivity(ctx, outcomes=["loss_commitments"], n=64)
    assert "balance_sheets" in res.factors
    assert len(res.factors) == ctx.d - n_bs + 1
    assert res.evaluations == 64 * (len(res.factors) + 2)
    si = res.indices.set_index("factor")
    # the suppliers' loss is about margin * unpaid share * value: the margin's range
    # (0.15-0.5, a factor 3.3) is far wider than the unpaid share's (0.5-0.7); for the
    # product of the two alone S1 would be 0.91 and 0.09
    assert si["ST"].idxmax() == "commitment_margin"
    assert si.loc["partial_payment.paid_share", "ST"] > 0.02


def test_sensitivity_depends_only_on_the_seed() -> None:
    ctx = _ctx(PAY_AND_CUT)
    a = sensitivity(ctx, outcomes=["loss_total"], n=32, seed=5).indices
    b = sensitivity(ctx, outcomes=["loss_total"], n=32, seed=5).indices
    c = sensitivity(ctx, outcomes=["loss_total"], n=32, seed=6).indices
    assert a.equals(b)
    assert not a.equals(c)


def test_sensitivity_rejects_bad_options() -> None:
    ctx = _ctx(PAY_AND_CUT)
    with pytest.raises(DataError, match="'n' parameter of sensitivity.*power of two"):
        sensitivity(ctx, n=100)
    with pytest.raises(DataError, match="did you mean 'loss_total'"):
        sensitivity(ctx, outcomes=["loss_totl"], n=8)


# --- scenario discovery ----------------------------------------------------------------------


def test_discovery_recovers_a_known_box() -> None:
    rng = np.random.default_rng(7)
    x = rng.random((4000, 4))
    bad = (x[:, 0] > 0.7) & (x[:, 1] < 0.3)
    boxes = discover(x, bad, ["a", "b", "c", "d"])
    first = boxes[boxes["box"] == 1].set_index("parameter")
    assert set(first.index) == {"a", "b"}
    assert first.loc["a", "low"] == pytest.approx(0.7, abs=0.01)
    assert first.loc["a", "high"] == pytest.approx(1.0, abs=0.01)
    assert first.loc["b", "low"] == pytest.approx(0.0, abs=0.01)
    assert first.loc["b", "high"] == pytest.approx(0.3, abs=0.01)
    assert first["coverage"].iloc[0] == 1.0
    assert first["density"].iloc[0] == 1.0
    assert first["support"].iloc[0] == pytest.approx(bad.mean())


def test_discovery_with_noise_reports_coverage_and_density_by_definition() -> None:
    rng = np.random.default_rng(3)
    x = rng.random((3000, 2))
    bad = (x[:, 0] > 0.5) & (rng.random(3000) < 0.9)  # 90 % bad in the box, none outside
    boxes = discover(x, bad, ["a", "b"])
    row = boxes.iloc[0]
    assert row["parameter"] == "a"
    assert row["low"] == pytest.approx(0.5, abs=0.01)
    inside = x[:, 0] > row["low"]
    assert row["density"] == pytest.approx(bad[inside].mean())
    assert row["coverage"] == pytest.approx(bad[inside].sum() / bad.sum())


def test_discovery_edge_cases_and_bad_input() -> None:
    x = np.random.default_rng(0).random((50, 2))
    assert discover(x, np.zeros(50, bool), ["a", "b"]).empty
    everywhere = discover(x, np.ones(50, bool), ["a", "b"])
    assert everywhere["parameter"].tolist() == ["(any)"]
    with pytest.raises(DataError, match="'names' parameter of discover"):
        discover(x, np.zeros(50, bool), ["a"])
    with pytest.raises(DataError, match="'bad' parameter of discover"):
        discover(x, np.zeros(49, bool), ["a", "b"])


# --- reverse stress --------------------------------------------------------------------------

PAY = """
[[shocks]]
kind = "partial_payment"
entities = ["lab"]
paid_share = { low = 0.0, high = 1.0 }
"""


def test_reverse_stress_finds_the_paid_share_at_which_the_cloud_defaults() -> None:
    """The cloud (equity 10) loses unpaid * margin 1 * weight 0.5 * 8 * a(5, 8 %): it defaults
    once that exceeds 10, i.e. below a paid share of 1 - 10 / (4 a(5, 8 %))."""
    ctx = _ctx(PAY)
    want = 1 - 10 / (4 * A5)
    r = reverse_stress(ctx, "partial_payment.paid_share", "default:cloud", tol=1e-6)
    assert r is not None
    assert r.direction == "below"
    assert r.exact
    assert abs(r.threshold - want) <= 1e-6
    # the same through the number of defaults and through a tuple
    r2 = reverse_stress(ctx, "partial_payment.paid_share", ("defaults", ">=", 1))
    assert abs(r2.threshold - want) <= 1e-6
    # a loss threshold: commitments lost = unpaid * 4 a5 > 5 -> paid < 1 - 5 / (4 a5)
    r3 = reverse_stress(ctx, "partial_payment.paid_share", ("loss_commitments", ">", 5 * B))
    assert abs(r3.threshold - (1 - 5 / (4 * A5))) <= 1e-6


def test_reverse_stress_none_when_the_outcome_never_happens_and_bounds_widen_the_search() -> None:
    ctx = _ctx(PAY.replace("low = 0.0, high = 1.0", "low = 0.5, high = 1.0"))
    assert reverse_stress(ctx, "partial_payment.paid_share", "default:cloud") is None
    r = reverse_stress(ctx, "partial_payment.paid_share", "default:cloud", bounds=(0.0, 1.0))
    assert abs(r.threshold - (1 - 10 / (4 * A5))) <= 1e-6
    # the bank never defaults (it can lose at most 5 + its 45 loan's loss of at most 15.97)
    assert reverse_stress(ctx, "partial_payment.paid_share", "default:bank") is None


def test_reverse_stress_names_what_is_wrong() -> None:
    ctx = _ctx(PAY)
    with pytest.raises(DataError, match="unknown entity 'clowd'.*'cloud'"):
        reverse_stress(ctx, "partial_payment.paid_share", "default:clowd")
    with pytest.raises(DataError, match="fixes at 1"):
        reverse_stress(ctx, "commitment_margin", "default:cloud")
    with pytest.raises(DataError, match="did you mean 'partial_payment.paid_share'"):
        reverse_stress(ctx, "partial_payment.paid_shar", "default:cloud")
    with pytest.raises(DataError, match="whole range"):
        reverse_stress(ctx, "partial_payment.paid_share", "loss_total>=0")
    with pytest.raises(DataError, match="'OUTCOME>NUMBER'"):
        parse_outcome("loss_total=3")


# --- systemic importance ---------------------------------------------------------------------


def _params(**values: float) -> ParameterSet:
    return ParameterSet(
        {k: (replace(v, value=values[k]) if k in values else v) for k, v in P.items()}
    )


def test_rank_of_the_three_firm_chain_by_hand() -> None:
    """The lab fails: it walks away from its contract, the cloud loses the margin on all of it,
    1.0 * 0.5 * 8 * a(5, 8 %) = 15.97 > 10 and defaults; its external assets 60 - 15.97 go
    pro rata to the bank (45 of 50 owed); the bank also loses its 5 stake. The cloud fails:
    its holders lose the stake (5) and nothing else (full recovery). The bank fails: nobody
    holds or lent to it."""
    p = _params(
        commitment_margin=1.0,
        commitment_discount_rate=0.08,
        recovery_external=1.0,
        recovery_interbank=1.0,
        price_impact=0.0,
    )
    r = rank(_three_firms(), p).set_index("entity")
    lost = 0.5 * 8 * A5
    credit = 45 - 45 / 50 * (60 - lost)
    lab = r.loc["lab"]
    assert lab["rank"] == 1
    assert lab["loss_commitments"] / B == pytest.approx(lost, rel=1e-10)
    assert lab["loss_credit"] / B == pytest.approx(credit, rel=1e-9)
    assert lab["loss_equity_stakes"] / B == pytest.approx(5.0, rel=1e-10)
    assert lab["loss_caused"] / B == pytest.approx(lost + credit + 5.0, rel=1e-9)
    assert lab["defaults_caused"] == 1
    assert lab["defaulted"] == "cloud"
    assert lab["hit_neocloud"] / B == pytest.approx(lost, rel=1e-10)
    assert lab["hit_bank"] / B == pytest.approx(credit + 5.0, rel=1e-9)
    assert lab["most_hit"] == "neocloud, bank"
    cloud = r.loc["cloud"]
    assert cloud["loss_caused"] / B == pytest.approx(5.0, rel=1e-10)
    assert cloud["defaults_caused"] == 0
    assert r.loc["bank", "loss_caused"] == 0
    assert r["rank"].tolist() == [1, 2, 3]


def test_rank_on_the_shipped_network_bounds_and_columns() -> None:
    """A failed firm costs others at least what its holders hold in it plus its suppliers'
    margin on everything it committed to buy (first-round losses; contagion only adds)."""
    net = load_network(params=P)
    r = rank(net, P)
    inp = cascade_inputs(net, P)
    sysm = inp.system
    assert len(r) == int((~sysm.absorbing).sum())
    ids = list(inp.ids)
    held = (
        np.asarray(sysm.stakes.sum(axis=0)).ravel()
        + np.asarray(sysm.client_stakes.sum(axis=0)).ravel()
    )
    from lahar.data import status_weights
    from lahar.scenarios import commitment_values

    cv = commitment_values(inp, status_weights(P), P.value("commitment_discount_rate"))
    margin_lost = np.bincount(
        sysm.buyer, weights=cv * P.value("commitment_margin"), minlength=sysm.n
    )
    for row in r.itertuples():
        i = ids.index(row.entity)
        own_supply = (sysm.buyer == i) & (sysm.supplier == i)
        first = held[i] + margin_lost[i] - (cv[own_supply].sum() * P.value("commitment_margin"))
        assert row.loss_caused >= first * (1 - 1e-9) - 1.0
        parts = sum(getattr(row, f"loss_{c}") for c in CHANNELS) + row.loss_client
        assert row.loss_caused == pytest.approx(parts, rel=1e-9, abs=1.0)
    hits = r[[c for c in r.columns if c.startswith("hit_")]].sum(axis=1)
    np.testing.assert_allclose(hits, r["loss_caused"], rtol=1e-9, atol=1.0)
    assert (np.diff(r["loss_caused"]) <= 0).all()
    # a column of the batch equals the firm failing on its own
    top = r["entity"].iloc[0]
    alone = rank(net, P, firms=[top]).iloc[0]
    # to the cascade's tolerance: 1e-9 times the largest book equity
    atol = 1e-9 * inp.equity.max()
    assert alone["loss_caused"] == pytest.approx(r["loss_caused"].iloc[0], abs=atol)
    with pytest.raises(DataError, match="did you mean 'oracle'"):
        rank(net, P, firms=["oracel"])
