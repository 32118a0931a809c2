"""Malformed inputs: each names file, line and field, and leaves the store as it was.

Lines are counted as the file shows them (header = line 1). In the mini fixture, exposure X6
spans lines 7-8 (a quoted multi-line note), so counts after it must use the physical line.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from lahar.cli import app
from lahar.data import validate
from lahar.errors import DataError
from lahar.store import Store

from ..conftest import MINI


def rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def write(path: Path, data: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(data)


def set_cell(file: str, row: int, field: str, value: str) -> Callable[[Path], None]:
    """Mutation: set ``field`` of data row ``row`` (1 = first after the header)."""

    def apply(d: Path) -> None:
        data = rows(d / file)
        data[row][data[0].index(field)] = value
        write(d / file, data)

    return apply


def drop_column(file: str, field: str) -> Callable[[Path], None]:
    def apply(d: Path) -> None:
        data = rows(d / file)
        k = data[0].index(field)
        write(d / file, [r[:k] + r[k + 1 :] for r in data])

    return apply


def add_column(file: str, field: str) -> Callable[[Path], None]:
    def apply(d: Path) -> None:
        data = rows(d / file)
        write(d / file, [[*r, field if i == 0 else "1"] for i, r in enumerate(data)])

    return apply


def short_row(file: str, row: int) -> Callable[[Path], None]:
    def apply(d: Path) -> None:
        data = rows(d / file)
        data[row] = data[row][:-2]
        write(d / file, data)

    return apply


def bad_bytes(file: str, row: int) -> Callable[[Path], None]:
    def apply(d: Path) -> None:
        lines = (d / file).read_bytes().split(b"\n")
        lines[row] = lines[row].replace(b"Reuters", b"Reu\xffters")
        (d / file).write_bytes(b"\n".join(lines))

    return apply


# (mutation, file, line, field, message fragment)
CASES = [
    (
        set_cell("exposures.csv", 1, "amount_usd", "-3e9"),
        "exposures.csv",
        2,
        "amount_usd",
        "expected >= 0, got -3e9",
    ),
    (
        set_cell("exposures.csv", 2, "amount_usd", "12bn"),
        "exposures.csv",
        3,
        "amount_usd",
        "expected a number, got '12bn'",
    ),
    (set_cell("facts.csv", 2, "value", "nan"), "facts.csv", 3, "value", "expected a finite number"),
    (set_cell("exposures.csv", 3, "layer", "loan"), "exposures.csv", 4, "layer", "got 'loan'"),
    (
        set_cell("exposures.csv", 3, "status", "rumoured"),
        "exposures.csv",
        4,
        "status",
        "got 'rumoured'",
    ),
    (
        set_cell("entities.csv", 1, "kind", "bank_holding"),
        "entities.csv",
        2,
        "kind",
        "got 'bank_holding'",
    ),
    (
        set_cell("exposures.csv", 4, "target", "nobody"),
        "exposures.csv",
        5,
        "target",
        "unknown entity id 'nobody'",
    ),
    (
        set_cell("exposures.csv", 1, "source_id", "S99"),
        "exposures.csv",
        2,
        "source_id",
        "unknown source id 'S99'",
    ),
    (
        set_cell("entities.csv", 2, "parent", "ghost"),
        "entities.csv",
        3,
        "parent",
        "unknown entity id 'ghost'",
    ),
    (
        set_cell("exposures.csv", 2, "id", "X1"),
        "exposures.csv",
        3,
        "id",
        "duplicate id 'X1' (first on line 2)",
    ),
    (
        set_cell("sources.csv", 1, "date", "2025-13-01"),
        "sources.csv",
        2,
        "date",
        "expected a date YYYY-MM-DD",
    ),
    (
        set_cell("sources.csv", 2, "url", "www.example.com/page"),
        "sources.csv",
        3,
        "url",
        "expected an http(s) URL",
    ),
    (
        set_cell("exposures.csv", 4, "term_years", ""),
        "exposures.csv",
        5,
        "term_years",
        "required for layer cloud_contract",
    ),
    (
        set_cell("exposures.csv", 1, "term_years", "3"),
        "exposures.csv",
        2,
        "term_years",
        "must be empty for layer equity",
    ),
    (
        set_cell("exposures.csv", 3, "term_years", "0"),
        "exposures.csv",
        4,
        "term_years",
        "expected > 0",
    ),
    (
        set_cell("exposures.csv", 5, "target", "oracle"),
        "exposures.csv",
        6,
        "target",
        "source and target are the same",
    ),
    (
        set_cell("exposures.csv", 6, "confidence", "certain"),
        "exposures.csv",
        7,
        "confidence",
        "got 'certain'",
    ),
    (
        set_cell("exposures.csv", 2, "quantity", "5"),
        "exposures.csv",
        3,
        "quantity_unit",
        "go together",
    ),
    (
        set_cell("facts.csv", 1, "unit", "count"),
        "facts.csv",
        2,
        "unit",
        "metric book_equity is in USD",
    ),
    (set_cell("facts.csv", 3, "year", "20x5"), "facts.csv", 4, "year", "expected an integer"),
    (
        set_cell("entities.csv", 3, "country", "USA"),
        "entities.csv",
        4,
        "country",
        "ISO 3166-1 alpha-2",
    ),
    (set_cell("entities.csv", 2, "id", "Open AI"), "entities.csv", 3, "id", "lower-case slug"),
    (
        set_cell("sources.csv", 3, "publication", ""),
        "sources.csv",
        4,
        "publication",
        "required value is empty",
    ),
    (
        set_cell("exposures.csv", 2, "supersedes", "X9"),
        "exposures.csv",
        3,
        "supersedes",
        "unknown exposure id 'X9'",
    ),
    (
        set_cell("exposures.csv", 2, "supersedes", "X4"),
        "exposures.csv",
        3,
        "supersedes",
        "between other entities",
    ),
    (
        set_cell("facts.csv", 1, "metric", "capacity_price"),
        "facts.csv",
        2,
        "unit",
        "metric capacity_price is in USD/MW-day",
    ),
    (drop_column("entities.csv", "country"), "entities.csv", 1, "country", "missing column"),
    (add_column("facts.csv", "currency"), "facts.csv", 1, "currency", "unexpected column"),
    (short_row("exposures.csv", 2), "exposures.csv", 3, "-", "expected 19 fields, got 17"),
    (bad_bytes("sources.csv", 1), "sources.csv", 2, "-", "not valid UTF-8"),
]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, pd.DataFrame]]:
    """A store holding the valid mini dataset, and its tables."""
    path = tmp_path_factory.mktemp("store") / "base.duckdb"
    store = Store(path)
    store.import_dataset(MINI)
    return path, store.read_tables()


def assert_unchanged(path: Path, before: dict[str, pd.DataFrame]) -> None:
    after = Store(path, read_only=True).read_tables()
    for name, frame in before.items():
        pd.testing.assert_frame_equal(after[name], frame)


@pytest.mark.parametrize(("mutate", "file", "line", "field", "fragment"), CASES)
def test_malformed_input_is_named_and_store_unchanged(
    mini_dir, baseline, mutate, file, line, field, fragment
):
    mutate(mini_dir)
    where = f"{file}:{line}: {field}: "
    problems = [str(p) for p in validate(mini_dir)]
    assert any(p.startswith(where) and fragment in p for p in problems), problems

    path, before = baseline
    with pytest.raises(DataError) as info:
        Store(path).import_dataset(mini_dir)
    assert where in str(info.value)
    assert fragment in str(info.value)
    assert_unchanged(path, before)

    result = CliRunner().invoke(app, ["data", "import", str(mini_dir), "--store", str(path)])
    assert result.exit_code == 1
    assert where in result.output
    assert_unchanged(path, before)


def test_every_problem_reported_in_one_pass(mini_dir):
    for mutate, *_ in CASES[:6]:
        mutate(mini_dir)
    problems = [str(p) for p in validate(mini_dir)]
    for _, file, line, field, _frag in CASES[:6]:
        assert any(p.startswith(f"{file}:{line}: {field}: ") for p in problems), (file, line, field)


def test_line_numbers_count_multiline_records(mini_dir):
    # X6 starts on line 7 and its quoted note runs onto line 8; a following record is line 9
    data = rows(mini_dir / "exposures.csv")
    extra = list(data[1])
    extra[0], extra[4] = "X7", "-1"
    write(mini_dir / "exposures.csv", [*data, extra])
    problems = [str(p) for p in validate(mini_dir)]
    assert "exposures.csv:9: amount_usd: expected >= 0, got -1" in problems


def test_missing_file(mini_dir):
    (mini_dir / "facts.csv").unlink()
    problems = [str(p) for p in validate(mini_dir)]
    assert problems == [f"facts.csv: -: file not found in {mini_dir}"]
