"""Scenario specs: every shipped spec validates; bad files name file, line and field."""

from __future__ import annotations

import pytest

from lahar.errors import DataError
from lahar.scenarios import (
    SHOCK_KINDS,
    builtin_scenario,
    builtin_scenarios,
    load_scenario,
    parse_scenario,
    scenario_hash,
)

GOOD = """
name = "t"
title = "A test"

[[shocks]]
kind = "partial_payment"
entities = ["lab"]
paid_share = { low = 0.3, high = 0.5, source = "assumption" }
"""


def test_shipped_scenarios_cover_the_articles_risks() -> None:
    names = builtin_scenarios()
    assert len(names) >= 8
    kinds = {sh.kind for n in names for sh in builtin_scenario(n).shocks}
    assert kinds == set(SHOCK_KINDS)  # every kind of shock is used by a shipped scenario
    for n in names:
        spec = builtin_scenario(n)
        assert spec.name == n
        assert len(spec.description.split()) >= 40, f"{n}: a paragraph on what and why"


def test_numbers_and_ranges_parse_and_the_hash_is_stable() -> None:
    spec = parse_scenario(GOOD)
    q = spec.shocks[0].paid_share
    assert (q.low, q.high, q.drawn) == (0.3, 0.5, True)
    fixed = parse_scenario(GOOD.replace('{ low = 0.3, high = 0.5, source = "assumption" }', "0.4"))
    assert fixed.shocks[0].paid_share.value == 0.4
    assert not fixed.shocks[0].paid_share.drawn
    assert scenario_hash(spec) == scenario_hash(parse_scenario(GOOD))
    assert scenario_hash(spec) != scenario_hash(fixed)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (GOOD.replace('kind = "partial_payment"', 'kind = "partial_pay"'), "bad.toml:5: shocks.0:"),
        (GOOD.replace("low = 0.3, high = 0.5", "low = 0.3, high = 1.5"), "bad.toml:8: shocks.0"),
        (
            GOOD.replace("low = 0.3, high = 0.5", "low = 0.6, high = 0.5"),
            "bad.toml:8: shocks.0.paid_share:",
        ),
        (GOOD.replace('title = "A test"', 'title = "A test"\ncolour = 3'), "bad.toml:4: colour:"),
        (
            GOOD.replace("paid_share", "payed_share"),
            "bad.toml:5: shocks.0.paid_share: Field required",
        ),
        (GOOD.replace('name = "t"', 'name = "T x"'), "bad.toml:2: name:"),
        (GOOD + '\n[[shocks]]\nkind = "capex_cut"\n', "bad.toml:10: shocks.1.cut: Field required"),
        ("name = 'x'\ntitle = \n", "bad.toml:2: -: invalid TOML"),
    ],
)
def test_bad_specs_name_file_line_and_field(text: str, where: str) -> None:
    with pytest.raises(DataError) as info:
        parse_scenario(text, file="bad.toml")
    assert where in str(info.value), str(info.value)


def test_load_scenario_reports_an_unreadable_file(tmp_path) -> None:
    with pytest.raises(DataError, match="cannot read the file"):
        load_scenario(tmp_path / "none.toml")
    with pytest.raises(DataError, match=r"No shipped scenario 'ai_bus'.*Did you mean ai_bust"):
        builtin_scenario("ai_bus")
