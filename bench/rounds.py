"""Figures measured in interleaved rounds, for bench/run.py and bench/export.py.

On a busy 2-core machine one measurement moves by more than the differences that matter, and a
ratio of two figures taken minutes apart mostly measures what else ran in between. So every
ratio is computed within a round, from a Miarka figure and its baseline measured next to each
other, their order alternating from round to round (A B, then B A: a machine that slows down
or warms up during a round favours neither side), and reported as the median over the rounds
with its spread (min-max) and every round's value.
"""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


def in_round_order(items: Sequence[T], round_index: int) -> list[T]:
    """`items` as given in even rounds, reversed in odd ones."""
    return list(items) if round_index % 2 == 0 else list(reversed(items))


@dataclass(frozen=True)
class Spread:
    """One figure over the rounds."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def text(self, fmt: str = "{:.2f}", suffix: str = "x") -> str:
        """`0.93x (0.88-0.97; 0.93 0.88 0.97)`: median, spread, every round."""
        each = " ".join(fmt.format(v) for v in self.values)
        low, high = fmt.format(min(self.values)), fmt.format(max(self.values))
        return f"{fmt.format(self.median)}{suffix} ({low}-{high}{suffix}; {each})"


@dataclass
class Table:
    """Measurements by round; ratios of two of them taken round by round."""

    rows: list[tuple[str, str, Spread, str, bool | None]] = field(default_factory=list)
    measured: dict[str, list[float]] = field(default_factory=dict)

    def add(self, key: str, value: float) -> None:
        self.measured.setdefault(key, []).append(value)

    def spread(self, key: str) -> Spread:
        return Spread(tuple(self.measured[key]))

    def ratio(self, numerator: str, denominator: str) -> Spread:
        pairs = zip(self.measured[numerator], self.measured[denominator], strict=True)
        return Spread(tuple(n / d for n, d in pairs))

    def goal(
        self,
        figure: str,
        spread: Spread,
        *,
        at_least: float | None = None,
        at_most: float | None = None,
        goal: str = "",
        fmt: str = "{:.2f}",
        suffix: str = "x",
    ) -> None:
        """A row of RESULTS.md's table, the median judged against `at_least` or `at_most`."""
        met: bool | None = None
        if at_least is not None:
            goal, met = f"\u2265 {at_least}\u00d7", spread.median >= at_least
        elif at_most is not None:
            goal, met = f"\u2264 {at_most}\u00d7", spread.median <= at_most
        self.rows.append((figure, goal, spread, spread.text(fmt, suffix), met))

    def markdown(self, rounds: int) -> str:
        lines = [
            f"| figure | goal | median of {rounds} rounds (min-max; each round) | goal met |",
            "|---|---|---|---|",
        ]
        for figure, goal, _, text, met in self.rows:
            verdict = "" if met is None else ("yes" if met else "**no**")
            lines.append(f"| {figure} | {goal} | {text} | {verdict} |")
        return "\n".join(lines)
