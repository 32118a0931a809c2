"""Benchmark: validating a dataset whose CSV is 50 MB of junk stays bounded in time and memory.

Three 50 MB junk files, each put in place of ``exposures.csv`` in a copy of the shipped
dataset (fixed seed):

1. ``lines``: the real header, then 50 MB of short random junk lines (a wrong field count on
   every line: the case that printed 5.3 million problem lines before the per-file cap);
2. ``fields``: 50 MB of rows with the right number of fields but bad values in each (every
   row fails several type checks);
3. ``one-line``: 50 MB without a newline (one record larger than the CSV field limit).

Each case runs ``lahar data validate`` in a fresh process; the parent reads that process's
wall time and peak resident memory (``os.wait4``) and the size of what it printed. The shipped
dataset (valid) is the baseline, and the ratios junk / baseline are printed.

Run: ``python benchmarks/bench_junk_validation.py`` (``--mb 10`` for a quicker run).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lahar.data import DATA_DIR, FILES


def _write_junk_lines(path: Path, size: int, rng: random.Random, header: str) -> None:
    alphabet = string.ascii_letters + string.digits + ";:|!? "
    with path.open("w", encoding="utf-8") as fh:
        fh.write(header + "\n")
        n = 0
        while n < size:
            line = "".join(rng.choices(alphabet, k=rng.randint(10, 80))) + "\n"
            fh.write(line)
            n += len(line)


def _write_junk_fields(path: Path, size: int, rng: random.Random, header: str) -> None:
    n_fields = header.count(",") + 1
    with path.open("w", encoding="utf-8") as fh:
        fh.write(header + "\n")
        n = 0
        while n < size:
            cells = ["".join(rng.choices(string.ascii_letters, k=6)) for _ in range(n_fields)]
            line = ",".join(cells) + "\n"
            fh.write(line)
            n += len(line)


def _write_one_line(path: Path, size: int, rng: random.Random, header: str) -> None:
    with path.open("wb") as fh:
        for _ in range(max(1, size // 1_000_000)):
            fh.write(bytes(rng.choices(b"abcdefghij;:", k=1_000_000)))


def _run(directory: Path | None) -> dict[str, float]:
    args = [sys.executable, "-c", "from lahar.cli import main; main()", "data", "validate"]
    if directory is not None:
        args.append(str(directory))
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        printed = out.read()
    return {
        "wall_s": wall,
        "peak_rss_mb": usage.ru_maxrss / 1024,  # Linux: KiB
        "exit": os.waitstatus_to_exitcode(status),
        "lines": printed.count(b"\n"),
        "bytes": len(printed),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=50.0, help="junk file size in MB (default 50)")
    opts = ap.parse_args()
    size = int(opts.mb * 1e6)
    rng = random.Random(20261202)
    header = (DATA_DIR / "exposures.csv").read_text(encoding="utf-8").splitlines()[0]
    print(f"python {platform.python_version()}, {platform.machine()}, junk = {opts.mb:g} MB")
    with tempfile.TemporaryDirectory() as tmp:
        # every junk file is written (streamed) before any measured process starts, so the
        # parent holds no junk in memory when it spawns the children
        cases = []
        for name, write in (
            ("lines", _write_junk_lines),
            ("fields", _write_junk_fields),
            ("one-line", _write_one_line),
        ):
            d = Path(tmp) / name
            d.mkdir()
            for f in FILES:
                shutil.copy(DATA_DIR / f, d / f)
            write(d / "exposures.csv", size, rng, header)
            cases.append((name, d))
        base = _run(None)
        rows = [("shipped (valid)", base)]
        rows += [(name, _run(d)) for name, d in cases]
    print(
        f"{'case':16} {'exit':>4} {'wall s':>8} {'peak MB':>8} {'lines':>6} {'bytes':>7}"
        f" {'x wall':>7} {'x mem':>6}"
    )
    for name, r in rows:
        print(
            f"{name:16} {r['exit']:>4} {r['wall_s']:>8.2f} {r['peak_rss_mb']:>8.0f} "
            f"{r['lines']:>6.0f} {r['bytes']:>7.0f} {r['wall_s'] / base['wall_s']:>7.1f} "
            f"{r['peak_rss_mb'] / base['peak_rss_mb']:>6.1f}"
        )


if __name__ == "__main__":
    main()
