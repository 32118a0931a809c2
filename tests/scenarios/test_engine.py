"""The full cascade of a scenario on a three-firm network, worked by hand, and its properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lahar.data import load_bea, load_network, load_parameters
from lahar.errors import DataError
from lahar.network import Network
from lahar.scenarios import (
    builtin_scenario,
    capex_bust,
    evaluate,
    make_context,
    parse_scenario,
    run_scenario,
)

B = 1e9
A5 = (1 - 1.08**-5) / 0.08
P = load_parameters()
TABLE = load_bea(2023, domestic=True)

FIXED = """
[parameters]
commitment_margin = 1.0
commitment_discount_rate = 0.08
status_weight_announced = 0.25
status_weight_committed = 0.5
status_weight_estimate = 0.5
recovery_external = 1.0
recovery_interbank = 1.0
price_impact = 0.0
"""


def _three_firms() -> Network:
    """lab -> cloud: 40 of cloud over 5 years (committed); the bank lent 45 to the cloud and
    holds a 5 stake in it. Lab A=20 E=5; cloud A=60 E=10, capex 19; bank A=200 E=20 ($B)."""
    ents = pd.DataFrame(
        {
            "id": ["lab", "cloud", "bank"],
            "name": ["Lab", "Cloud", "Bank"],
            "kind": ["ai_lab", "neocloud", "bank"],
            "country": ["US"] * 3,
        }
    )
    exps = pd.DataFrame(
        {
            "id": ["x1", "x2", "x3"],
            "source": ["lab", "bank", "bank"],
            "target": ["cloud", "cloud", "cloud"],
            "layer": ["cloud_contract", "debt", "equity"],
            "amount_usd": [40 * B, 45 * B, 5 * B],
            "status": ["committed", "drawn", "reported"],
            "term_years": [5.0, np.nan, np.nan],
        }
    )
    rows = []
    for e, eq, ta in (("lab", 5, 20), ("cloud", 10, 60), ("bank", 20, 200)):
        rows += [
            (e, 2025, "book_equity", eq * B, "point"),
            (e, 2025, "total_assets", ta * B, "point"),
        ]
    rows.append(("cloud", 2025, "capex", 19 * B, "year"))
    facts = pd.DataFrame(rows, columns=["entity", "year", "metric", "value", "basis"])
    return Network.from_frames(ents, exps, facts, termless_years=5.0)


def _spec(paid: str) -> str:
    return (
        'name = "t"\ntitle = "t"\n\n[[shocks]]\nkind = "partial_payment"\n'
        f'entities = ["lab"]\npaid_share = {paid}\n' + FIXED
    )


def test_three_firms_through_every_channel_by_hand() -> None:
    """The lab pays 20 %: the cloud loses the margin (100 %) on 80 % of the contract's value,
    0.8 * 0.5 * 8 * a(5, 8 %) = 12.777 > its equity 10, so it defaults. Its external assets
    10 + 50 - 12.777 = 47.223 go pro rata to the bank (45 of 50): the bank receives 42.501 and
    loses 2.499 of credit, and its 5 stake in the failed cloud. The cloud's capex (19 of US AI
    capex 380 * 0.5 = 190) is cut: a 10 % cut, which is capex_bust(0.1) for GDP and jobs."""
    ctx = make_context(parse_scenario(_spec("0.2")), _three_firms(), P, TABLE)
    out = evaluate(ctx, 0, 1)
    ch = {k: v[:, 0] / B for k, v in out["channels"].items()}
    lost = 0.8 * 0.5 * 8 * A5
    np.testing.assert_allclose(ch["commitments"], [0, lost, 0], rtol=1e-12)
    assert out["defaulted"][:, 0].tolist() == [False, True, False]
    paid = 10 + 50 - lost
    np.testing.assert_allclose(ch["credit"], [0, 0, 45 - 45 / 50 * paid], rtol=1e-10)
    np.testing.assert_allclose(ch["equity_stakes"], [0, 0, 5.0], rtol=1e-12)
    head = {k: v[0] for k, v in out["headline"].items()}
    assert head["defaults"] == 1
    np.testing.assert_allclose(head["loss_total"] / B, lost + (45 - 45 / 50 * paid) + 5, rtol=1e-10)
    cut = 19 * B / (P.value("ai_capex_2025") * P.value("us_share_ai_capex"))
    np.testing.assert_allclose(head["ai_capex_cut"], cut, rtol=1e-12)
    direct = capex_bust([cut], table=TABLE, params=P)
    np.testing.assert_allclose(head["gdp_change"], direct.gdp_change[0], rtol=1e-9)
    np.testing.assert_allclose(head["jobs_change"], direct.jobs_change[0], rtol=1e-9)
    np.testing.assert_allclose(head["sp500_return"], direct.sp500_return[0], rtol=1e-9)


def test_zero_shock_zero_loss_and_monotone_in_the_unpaid_share() -> None:
    net = _three_firms()
    zero = evaluate(make_context(parse_scenario(_spec("1.0")), net, P, TABLE), 0, 1)
    assert all(v.max() == 0 for v in zero["channels"].values())
    assert zero["headline"]["gdp_change"][0] == 0
    ctx = make_context(parse_scenario(_spec("{ low = 0.0, high = 1.0 }")), net, P, TABLE)
    out = evaluate(ctx, 0, 64)
    paid = out["x"][:, 0]
    loss = out["headline"]["loss_total"]
    order = np.argsort(paid)
    assert (np.diff(loss[order]) <= 1e-6).all()  # less paid, more lost


def test_a_column_of_a_batch_equals_a_single_draw_run() -> None:
    ctx = make_context(builtin_scenario("ai_bust"), load_network(params=P), P, TABLE, seed=3)
    batch = evaluate(ctx, 0, 16)
    for s in (0, 7, 15):
        one = evaluate(ctx, s, s + 1)
        np.testing.assert_array_equal(one["x"][0], batch["x"][s])
        # the cascade stops when no loss moves by more than tol (1e-9) x the largest book
        # equity; a batch iterates until its slowest column has settled, so a column can sit
        # closer to the fixed point than the single run: agreement to that stopping scale
        # (about 1e3 USD on the shipped data)
        for k, v in one["headline"].items():
            np.testing.assert_allclose(v[0], batch["headline"][k][s], rtol=1e-9, atol=1e4)


def test_openai_paying_40_percent_hits_suppliers_not_client_money() -> None:
    """On the shipped data: suppliers lose through the commitment channel, and no asset
    manager or index fund defaults on its clients' money."""
    net = load_network(params=P)
    res = run_scenario(
        builtin_scenario("openai_pays_40"), draws=64, network=net, params=P, table=TABLE
    )
    ent = res.entities
    commit = ent[(ent["channel"] == "commitments") & (ent["mean"] > 0)]
    suppliers = set(net.exposures.query("source == 'openai'")["target"])
    assert set(commit["entity"])
    assert set(commit["entity"]) <= suppliers
    kinds = dict(zip(net.ids, net.kinds, strict=True))
    total = ent[ent["channel"] == "total"]
    managers = total[total["entity"].map(kinds).isin(["asset_manager", "index_fund"])]
    assert (managers["default_probability"] == 0).all()
    assert (res.headline["loss_commitments"] > 0).all()


def test_unknown_entities_and_parameters_are_named() -> None:
    net = _three_firms()
    with pytest.raises(DataError, match=r"unknown entities 'lap' \(did you mean lab"):
        make_context(parse_scenario(_spec("0.4").replace('["lab"]', '["lap"]')), net, P, TABLE)
    bad = _spec("0.4") + "bogus_parameter = 1\n"
    with pytest.raises(DataError, match="unknown parameter ids"):
        make_context(parse_scenario(bad), net, P, TABLE)
    drawn = _spec("0.4").replace("price_impact = 0.0", "price_impact = { low = 0, high = 1 }")
    with pytest.raises(DataError, match="one value per run"):
        make_context(parse_scenario(drawn), net, P, TABLE)


_FIXED_ALL = FIXED.replace("commitment_margin = 1.0", "commitment_margin = 0.3").replace(
    "price_impact = 0.0", "price_impact = 1.0"
)


@pytest.mark.parametrize(
    "shock",
    [
        'kind = "partial_payment"\nentities = ["openai"]\npaid_share = { low = 0.0, high = 1.0 }',
        'kind = "revenue_shortfall"\nkinds = ["ai_lab", "neocloud"]\nshortfall = { low = 0.0, high = 1.0 }',
        'kind = "collateral"\nkinds = ["neocloud", "spv"]\nhaircut = { low = 0.0, high = 1.0 }\nltv_max = 0.8\ngpu_share = 0.6',
        'kind = "rates"\nbp = { low = 0, high = 500 }',
        'kind = "repricing"\ncohort = "ai"\nfall = { low = 0.0, high = 1.0 }',
        'kind = "capex_cut"\ncut = { low = 0.0, high = 1.0 }',
        'kind = "pledge_withdrawn"\ncountries = ["AE", "SA", "QA"]\nshare = { low = 0.0, high = 1.0 }',
    ],
    ids=lambda s: s.split('"')[1],
)
def test_losses_are_monotone_in_each_monotone_shock(shock: str) -> None:
    """On the shipped network, with every other quantity fixed: a larger shock never lowers
    any firm's loss, nor the defaults (a smaller paid share is a larger shock)."""
    spec = parse_scenario(f'name = "m"\ntitle = "m"\n\n[[shocks]]\n{shock}\n{_FIXED_ALL}')
    ctx = make_context(spec, load_network(params=P), P, TABLE)
    k = [d.group for d in ctx.dims].index("shocks")
    u = np.full((32, ctx.d), 0.5)
    u[:, k] = np.linspace(0.0, 1.0, 32)
    out = evaluate(ctx, 0, 32, points=u)
    total = sum(out["channels"].values())
    if "paid_share" in shock:
        total, dflt = total[:, ::-1], out["defaulted"][:, ::-1]
    else:
        dflt = out["defaulted"]
    assert (np.diff(total, axis=1) >= -1e-6 * np.abs(total).max()).all()
    assert (np.diff(dflt.astype(int), axis=1) >= 0).all()
