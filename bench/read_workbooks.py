"""Benchmark: reading a shipped workbook with pandas, calamine engine against openpyxl.

Loaders read workbooks with pandas' `calamine` engine (python-calamine); this measures why, on
the largest CKE file a loader reads whole (data/cke/e8/E8_2023.xlsx, 12,593 schools x 52
columns, every sheet). Runs are interleaved (calamine, openpyxl, calamine, ...) so a busy
machine slows both alike; the median of each is printed, nothing is asserted. Usage:
    python bench/read_workbooks.py [ROUNDS]   (default 3)
"""

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from service.settings import REPO_ROOT

WORKBOOK = REPO_ROOT / "data" / "cke" / "e8" / "E8_2023.xlsx"
ENGINES = ("calamine", "openpyxl")


def read(path: Path, engine: str) -> int:
    """Every sheet, every cell as an object, as the loaders read it; returns the cell count."""
    frames = pd.read_excel(path, sheet_name=None, header=None, engine=engine, dtype=object)
    return sum(frame.size for frame in frames.values())


def timed(run: Callable[[], int]) -> tuple[float, int]:
    started = time.perf_counter()
    cells = run()
    return time.perf_counter() - started, cells


def main(rounds: int) -> None:
    times: dict[str, list[float]] = {engine: [] for engine in ENGINES}
    cells: dict[str, int] = {}
    for _ in range(rounds):
        for engine in ENGINES:
            seconds, cells[engine] = timed(lambda engine=engine: read(WORKBOOK, engine))
            times[engine].append(seconds)
    if len(set(cells.values())) != 1:
        print(f"the engines read different cell counts: {cells}")
    print(f"{WORKBOOK.name}: {cells['calamine']:,} cells, {rounds} interleaved rounds")
    for engine in ENGINES:
        runs = ", ".join(f"{t:.2f}" for t in times[engine])
        print(f"  {engine:9} median {statistics.median(times[engine]):6.2f} s  ({runs})")
    ratio = statistics.median(times["openpyxl"]) / statistics.median(times["calamine"])
    print(f"  calamine is {ratio:.1f}x faster")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
