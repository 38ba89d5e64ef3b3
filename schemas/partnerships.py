"""Partnerships of local governments, their aggregates and their self-assessment (ZMP standards).

A membership is presented as fact only when the partnership cites a public source for it
(`source_url`); `membership_sourced` says which. Example partnerships (`example`) are made up
for demonstrations and tests, and say so in their names.
"""

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from schemas.groups import MAX_GROUP_MEMBERS, GroupAggregate, TerytCode
from schemas.indicators import IndicatorSummary, ValueRow

PartnershipKind = Literal[
    "of", "zit_iit", "lgd", "zwiazek_miedzygminny", "porozumienie_terytorialne", "other"
]
PartnershipId = Annotated[
    str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$", max_length=64)
]
PublicUrl = Annotated[str, msgspec.Meta(pattern=r"^https?://\S+$", max_length=2000)]
Position = Literal["above", "below", "equal", "missing"]
MAX_EVIDENCE = 20


class MemberIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    teryt: TerytCode
    joined_on: date
    left_on: date | None = None


class PartnershipIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new partnership: its members listed, or taken from a saved group (`from_group`), whose
    members all joined on `joined_on`."""

    id: PartnershipId
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    kind: PartnershipKind
    leader_teryt: TerytCode | None = None
    description: Annotated[str, msgspec.Meta(max_length=4000)] = ""
    source_url: PublicUrl | None = None
    """A public document that lists the members; without one no membership is shown as fact."""
    example: bool = False
    """Made up for a demonstration or a test: the name must say so (przykład / example)."""
    members: Annotated[list[MemberIn], msgspec.Meta(max_length=MAX_GROUP_MEMBERS)] = []
    from_group: Annotated[str, msgspec.Meta(max_length=16)] | None = None
    joined_on: date | None = None


class PartnershipPatch(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An edit: only the fields given change (`null` clears the leader or the source). A member
    given with the `joined_on` of a recorded membership sets its `left_on` (a member leaving);
    any other is a new membership, checked like those of a new partnership."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    kind: PartnershipKind | msgspec.UnsetType = msgspec.UNSET
    leader_teryt: TerytCode | msgspec.UnsetType | None = msgspec.UNSET
    description: Annotated[str, msgspec.Meta(max_length=4000)] | msgspec.UnsetType = msgspec.UNSET
    source_url: PublicUrl | msgspec.UnsetType | None = msgspec.UNSET
    members: Annotated[list[MemberIn], msgspec.Meta(max_length=MAX_GROUP_MEMBERS)] = []


class MemberOut(msgspec.Struct, frozen=True, kw_only=True):
    teryt: str
    name: str
    level: str
    joined_on: date
    left_on: date | None
    in_force: bool
    """A member today (it has not left)."""


class PartnershipSummary(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    kind: PartnershipKind
    kind_name: str
    leader_teryt: str | None
    example: bool
    membership_sourced: bool
    members_in_force: int
    url: str


class PartnershipOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    kind: PartnershipKind
    kind_name: str
    leader_teryt: str | None
    description: str
    source_url: str | None
    membership_sourced: bool
    example: bool
    from_group: str | None
    created_at: datetime
    members: list[MemberOut]
    url: str


class PartnershipList(msgspec.Struct, frozen=True, kw_only=True):
    count: int
    items: list[PartnershipSummary]


class PartnershipYear(msgspec.Struct, frozen=True, kw_only=True):
    """The ratio of sums over the members in force on 31 December of `year`."""

    year: int
    members_in_force: list[str]
    aggregate: GroupAggregate


class MemberPosition(msgspec.Struct, frozen=True, kw_only=True):
    teryt: str
    name: str
    value: float | None
    position: Position
    """Against the partnership's value of the same year."""


class Spread(msgspec.Struct, frozen=True, kw_only=True):
    """How far apart the members are (the diagnosis of resources and needs, standards 2-3)."""

    members_with_values: int
    minimum: float
    minimum_teryt: str
    maximum: float
    maximum_teryt: str
    median: float
    max_to_min: float | None
    """maximum / minimum; none when the minimum is 0 or below."""


class SimilarPartnership(msgspec.Struct, frozen=True, kw_only=True):
    """Another recorded partnership of the same kind, with the indicator over its own members."""

    id: str
    name: str
    example: bool
    membership_sourced: bool
    members: int
    """Its members of the indicator's level in force on 31 December of the year."""
    population: float | None
    value: float | None
    url: str


class PartnershipIndicator(msgspec.Struct, frozen=True, kw_only=True):
    partnership: PartnershipSummary
    indicator: IndicatorSummary
    level: str
    year: int | None
    """The year of `aggregate`, `positions` and `items` (default: the latest with a value)."""
    aggregate: GroupAggregate | None
    positions: list[MemberPosition]
    items: list[ValueRow]
    series: list[PartnershipYear]
    spread: Spread | None = None
    """Between the members' values of `year`; none with fewer than two values."""
    similar: list[SimilarPartnership] = []
    """Other partnerships of the same kind with a value in `year`, nearest in population first
    (at most 5); empty where none is recorded."""


class AssessmentItemIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    standard: int
    """1-10, the ZMP cooperation standard (see `rubric` in the assessments' answer)."""
    stage: int
    """1-5, the stage the partnership gives itself."""
    justification: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    evidence: Annotated[list[PublicUrl], msgspec.Meta(max_length=MAX_EVIDENCE)] = []


class AssessmentIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One year's self-assessment: any of the 10 standards; entering one again adds a newer
    answer and keeps the earlier one in the history."""

    year: Annotated[int, msgspec.Meta(ge=2000, le=2100)]
    items: Annotated[list[AssessmentItemIn], msgspec.Meta(min_length=1, max_length=10)]


class AssessmentOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    year: int
    standard: int
    standard_name: str
    stage: int
    justification: str
    evidence: list[str]
    entered_by: str
    entered_at: datetime
    current: bool
    """The newest answer for this year and standard; older ones are the history."""


class StageOut(msgspec.Struct, frozen=True, kw_only=True):
    stage: int
    points: list[str]


class StandardOut(msgspec.Struct, frozen=True, kw_only=True):
    number: int
    group: str
    name: str
    name_en: str
    statement: str
    stages: list[StageOut]
    """The source's descriptors; empty when the source gives none (only the scale 1-5)."""
    miarka_indicators: list[str]
    """Miarka's choice, not the source's: what it measures beside this standard."""
    stages_note: str = ""
    """Where `stages` is empty: that the source gives no stage descriptors for it."""
    scale: list[int] = msgspec.field(default_factory=lambda: [1, 2, 3, 4, 5])


class MeasuredIndicator(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: str
    unit: str
    level: str | None
    year: int | None
    """The latest year with a value over the members; none when no member has one."""
    value: float | None
    """The partnership's ratio of sums."""
    members_with_values: int
    spread: Spread | None
    url: str


class MemberCost(msgspec.Struct, frozen=True, kw_only=True):
    teryt: str
    name: str
    total: float | None
    pupils: float | None
    unit_cost: float | None
    """Total cost per pupil of the primary schools it runs (the cost calculator); none without
    its Q4 Rb-28S report of the year, or when a component (e.g. the overhead) is missing."""
    direct_unit_cost: float | None
    """Direct cost per pupil (the schools' own spending), known when the overhead is not."""


class MeasuredCost(msgspec.Struct, frozen=True, kw_only=True):
    service: str
    name: str
    unit: str
    year: int | None
    value: float | None
    """Σ total / Σ pupils over the members with both."""
    direct_value: float | None
    """Σ direct cost / Σ pupils over the members with both."""
    members: list[MemberCost]
    spread: Spread | None
    direct_spread: Spread | None


class MeasuredStandard(msgspec.Struct, frozen=True, kw_only=True):
    """What Miarka measures beside a standard's self-assessment (Miarka's choice, not ZMP's)."""

    standard: int
    indicators: list[MeasuredIndicator]
    cost: MeasuredCost | None = None


class AssessmentPage(msgspec.Struct, frozen=True, kw_only=True):
    partnership: PartnershipSummary
    count: int
    items: list[AssessmentOut]
    rubric_source: str
    rubric: list[StandardOut]
    measured: list[MeasuredStandard] = []
    """Standards 5 and 7: the partnership's service indicators and their spread, latest year."""
