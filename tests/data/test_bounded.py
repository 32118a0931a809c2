"""Reading a dataset costs bounded output, time and memory, whatever the files hold."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from lahar.data import validate
from lahar.data._validate import MAX_FILE_BYTES, MAX_PROBLEMS_PER_FILE


def _facts_with_bad_years(d: Path, n: int) -> None:
    with (d / "facts.csv").open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    good = {
        "entity": "nvidia",
        "metric": "book_equity",
        "value": "1",
        "unit": "USD",
        "status": "reported",
        "basis": "point",
        "source_id": "S4",
        "confidence": "high",
    }
    with (d / "facts.csv").open("a", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n", restval="")
        for i in range(n):
            w.writerow({**good, "id": f"B{i}", "year": "20x5"})


def test_problems_are_capped_per_file(mini_dir):
    _facts_with_bad_years(mini_dir, 500)  # one problem per row: the year
    problems = [str(p) for p in validate(mini_dir)]
    listed = [p for p in problems if p.startswith("facts.csv:") and "year" in p]
    assert len(listed) == MAX_PROBLEMS_PER_FILE == 100
    assert listed[0].startswith("facts.csv:6: year: expected an integer")
    assert problems[-1] == (
        "facts.csv: -: ... and 400 more problems (only the first 100 are listed)"
    )
    assert len(problems) == 101


def test_a_file_just_under_the_cap_is_listed_whole(mini_dir):
    _facts_with_bad_years(mini_dir, 100)
    problems = [str(p) for p in validate(mini_dir)]
    assert len(problems) == 100
    assert not any("more problems" in p for p in problems)


def test_junk_is_bounded(mini_dir):
    # 2 MB of junk lines in exposures.csv: wrong field counts on every line
    line = "junk;" * 20 + "\n"
    (mini_dir / "exposures.csv").write_text(
        (mini_dir / "exposures.csv").read_text(encoding="utf-8") + line * 20000,
        encoding="utf-8",
    )
    problems = [str(p) for p in validate(mini_dir)]
    assert len([p for p in problems if p.startswith("exposures.csv")]) == 101
    assert problems[-1] == (
        "exposures.csv: -: ... and 19900 more problems (only the first 100 are listed)"
    )


def test_symlink_to_an_endless_device_is_refused(mini_dir):
    (mini_dir / "entities.csv").unlink()
    (mini_dir / "entities.csv").symlink_to("/dev/zero")
    problems = [str(p) for p in validate(mini_dir)]
    assert "entities.csv: -: not a regular file (a device, pipe, socket or folder)" in problems


def test_fifo_is_refused_without_blocking(mini_dir):
    (mini_dir / "facts.csv").unlink()
    os.mkfifo(mini_dir / "facts.csv")  # opening it for reading would wait for a writer
    problems = [str(p) for p in validate(mini_dir)]
    assert "facts.csv: -: not a regular file (a device, pipe, socket or folder)" in problems


def test_oversized_file_is_refused_unread(mini_dir):
    big = mini_dir / "sources.csv"
    with big.open("r+b") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    problems = [str(p) for p in validate(mini_dir)]
    assert "sources.csv: -: file is 64.0 MiB, over the 64 MiB limit of a dataset file" in problems


def test_bad_utf8_line_is_exact(mini_dir):
    path = mini_dir / "facts.csv"
    lines = path.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b"oracle", b"orac\xffle")
    path.write_bytes(b"\n".join(lines))
    problems = [str(p) for p in validate(mini_dir)]
    assert any(p.startswith("facts.csv:4: -: not valid UTF-8") for p in problems), problems


@pytest.mark.parametrize("kind", ["file", "missing"])
def test_not_a_folder(tmp_path, kind):
    target = tmp_path / "x"
    if kind == "file":
        target.write_text("a\n", encoding="utf-8")
    problems = [str(p) for p in validate(target)]
    what = "not a folder" if kind == "file" else "no such folder"
    assert problems == [f"{target}: -: {what}: expected a dataset folder"]


def test_one_endless_line_is_refused(mini_dir):
    path = mini_dir / "exposures.csv"
    with path.open("ab") as fh:
        fh.write(b"x" * (2**20 + 10))  # no newline
    problems = [str(p) for p in validate(mini_dir)]
    assert "exposures.csv:9: -: line longer than 1 MiB" in problems
