"""A spec's main parameters: their names (as the Monte Carlo gives them) and changing them."""

from __future__ import annotations

import pytest

from lahar.data import load_bea, load_network, load_parameters
from lahar.errors import DataError
from lahar.scenarios import (
    Quantity,
    builtin_scenario,
    make_context,
    scenario_hash,
    shock_quantities,
    with_quantities,
)


@pytest.fixture(scope="module")
def data():
    params = load_parameters()
    return load_network(params=params), params, load_bea(2023, domestic=True)


def test_names_read_off_the_toml_files():
    # ai_bust.toml names two quantities (openai_paid_share, capex_cut); the others are
    # <shock kind>.<field>; ltv_max = 0.8 is a fixed number; gpu_share a parameters.csv range
    got = [
        (q.name, q.shock, q.field, q.share) for q in shock_quantities(builtin_scenario("ai_bust"))
    ]
    assert got == [
        ("openai_paid_share", 0, "paid_share", True),
        ("revenue_shortfall.shortfall", 1, "shortfall", True),
        ("collateral.haircut", 2, "haircut", True),
        ("collateral.ltv_max", 2, "ltv_max", True),
        ("collateral.gpu_share", 2, "gpu_share", True),
        ("repricing.fall", 3, "fall", True),
        ("capex_cut", 4, "cut", True),
    ]
    # two shocks of one kind: the second name gets _2
    names = [q.name for q in shock_quantities(builtin_scenario("lab_revenue_shortfall"))]
    assert names == ["revenue_shortfall.shortfall", "revenue_shortfall.shortfall_2"]
    # rates are basis points, not a share
    (bp,) = shock_quantities(builtin_scenario("rates_up"))
    assert (bp.name, bp.share) == ("rates.bp", False)


@pytest.mark.parametrize("name", ["ai_bust", "lab_revenue_shortfall", "gpu_collateral_slump"])
def test_the_monte_carlo_uses_the_same_names(data, name):
    spec = builtin_scenario(name)
    ctx = make_context(spec, *data)
    shocks = [d.name for d in ctx.dims if d.group == "shocks"]
    assert [q.name for q in shock_quantities(spec) if q.quantity.drawn] == shocks
    assert {q.name for q in shock_quantities(spec) if not q.quantity.drawn} <= set(ctx.fixed)


def test_no_change_is_the_same_spec():
    spec = builtin_scenario("ai_bust")
    assert scenario_hash(with_quantities(spec, {})) == scenario_hash(spec)


def test_a_new_range_reaches_the_draws(data):
    spec = with_quantities(
        builtin_scenario("ai_bust"),
        {
            "openai_paid_share": Quantity(low=0.1, high=0.2),
            "collateral.gpu_share": Quantity(low=0.5, high=0.6),
        },
    )
    dims = {d.name: d for d in make_context(spec, *data).dims}
    assert (dims["openai_paid_share"].low, dims["openai_paid_share"].high) == (0.1, 0.2)
    assert (dims["collateral.gpu_share"].low, dims["collateral.gpu_share"].high) == (0.5, 0.6)
    assert dims["openai_paid_share"].source == "assumption: changed by the user"
    # the correlation of ai_bust.toml still binds the two named quantities
    assert spec.correlations == [("openai_paid_share", "capex_cut", -0.6)]


def test_a_fixed_value_leaves_the_correlations(data):
    spec = with_quantities(builtin_scenario("ai_bust"), {"capex_cut": Quantity(value=0.3)})
    assert spec.correlations == []
    ctx = make_context(spec, *data)
    assert ctx.fixed["capex_cut"] == 0.3
    assert "capex_cut" not in {d.name for d in ctx.dims}


def test_bad_changes_name_the_quantity():
    spec = builtin_scenario("ai_bust")
    with pytest.raises(
        DataError, match=r"no quantity 'nope'; its quantities are openai_paid_share, "
    ):
        with_quantities(spec, {"nope": Quantity(value=1.0)})
    with pytest.raises(
        DataError, match=r"repricing\.fall: a share: expected values in \[0, 1\], got 1\.2"
    ):
        with_quantities(spec, {"repricing.fall": Quantity(low=0.2, high=1.2)})
