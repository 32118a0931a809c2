"""A run recorded under an id its caller chose (the web API's queue announces it first)."""

from __future__ import annotations

import uuid

import pytest

from lahar.errors import DataError, StoreError
from lahar.scenarios import builtin_scenario, run_scenario
from lahar.store import Store


def test_begin_run_keeps_the_given_id(tmp_path):
    st = Store(tmp_path / "s.duckdb")
    st.import_dataset()
    rid = str(uuid.uuid4())
    assert st.begin_run("run x", {"a": 1}, run_id=rid) == rid
    assert st.runs()["run_id"].tolist() == [rid]
    with pytest.raises(StoreError, match=f"already holds a run {rid}"):
        st.begin_run("run y", run_id=rid)
    with pytest.raises(
        StoreError, match=r"'run_id' parameter of Store\.begin_run\(\) must be a UUID"
    ):
        st.begin_run("run z", run_id="../../etc")
    assert st.runs()["command"].tolist() == ["run x"]


def test_run_scenario_records_under_the_given_id(tmp_path):
    st = Store(tmp_path / "s.duckdb")
    st.import_dataset()
    rid = str(uuid.uuid4())
    res = run_scenario(builtin_scenario("capex_cut"), draws=64, store=st, run_id=rid)
    assert res.run_id == rid
    assert st.run_dir(rid).is_dir()
    assert st.runs().set_index("run_id").loc[rid, "status"] == "done"
    with pytest.raises(DataError, match="needs a store"):
        run_scenario(builtin_scenario("capex_cut"), draws=64, run_id=rid)
