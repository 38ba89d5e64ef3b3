"""User-defined groups of units and their aggregates."""

from datetime import datetime
from typing import Annotated

import msgspec

from schemas.indicators import IndicatorSummary, ValueRow

MAX_GROUP_MEMBERS = 3_000

TerytCode = Annotated[str, msgspec.Meta(pattern=r"^(\d{2}|\d{4}|\d{7})$")]


class GroupIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    description: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    members: Annotated[list[TerytCode], msgspec.Meta(min_length=1, max_length=MAX_GROUP_MEMBERS)]


class GroupOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    description: str
    members: list[str]
    created_at: datetime
    url: str
    """Share this: the group and its aggregates are public."""


class GroupAggregate(msgspec.Struct, frozen=True, kw_only=True):
    """Ratio of sums over the members (Σ numerator / Σ denominator), never a mean of ratios."""

    value: float | None
    numerator: float | None
    denominator: float | None
    members_with_values: int
    members: int
    method: str


class GroupIndicator(msgspec.Struct, frozen=True, kw_only=True):
    group: GroupOut
    indicator: IndicatorSummary
    year: int | None
    aggregate: GroupAggregate
    items: list[ValueRow]
