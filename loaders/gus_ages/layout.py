"""The row labels of GUS table 12 ("Ludność w gminach według płci i wieku") and what they mean.

Each unit is a block of rows under its name and TERC code: the total on the unit's own row,
then 5-year groups with single years 0-29 below each of the first six, groups up to an open
one ("85 i więcej"; "80 i więcej" or lower in a few small gminas), economic, biological and
educational age groups, women 15-49. A few blocks have no single-year rows for 20-24 or 25-29
(the 5-year row is there): those ages are missing at source, never zero.
"""

import re
from typing import Final, Literal, NamedTuple

SINGLE_YEARS: Final = range(30)
"""Ages the table gives one by one (0 ... 29)."""
TOTAL: Final = "total"
EDUCATIONAL_TOTAL: Final = "Edukacyjne grupy wieku"


class AgeRange(NamedTuple):
    first: int
    last: int | None
    """None for an open group ("85 i więcej")."""


EDUCATIONAL_GROUPS: Final[dict[str, tuple[str, AgeRange]]] = {
    "3-6 lat": ("age_3_6", AgeRange(3, 6)),
    "7-12 lat": ("age_7_12", AgeRange(7, 12)),
    "13-15 lat": ("age_13_15", AgeRange(13, 15)),
    "16-18 lat": ("age_16_18", AgeRange(16, 18)),
    "19-24 lat": ("age_19_24", AgeRange(19, 24)),
}
"""Row label (spaces normalised) -> Miarka variable code and the ages it covers."""

ECONOMIC_GROUPS: Final[dict[str, str]] = {
    "Wiek przedprodukcyjny": "age_pre_working",
    "Wiek produkcyjny": "age_working",
    "Wiek poprodukcyjny": "age_post_working",
}
"""GUS's economic age groups (label -> variable): pre-working 0-17, working 18-64 for men and
18-59 for women, post-working 65+ men and 60+ women; the three add up to the total."""
PRE_WORKING: Final = AgeRange(0, 17)

OTHER_LABELS: Final = frozenset(
    {
        "18-64 lata mężczyźni",
        "18-59 lat kobiety",
        "Wiek mobilny",
        "Wiek niemobilny",
        "45-64 lata mężczyźni",
        "45-59 lat kobiety",
        "65 lat i więcej mężczyźni",
        "60 lat i więcej kobiety",
        "Biologiczne grupy wieku",
        "0-14 lat",
        "15-64 lat",
        "65 lat i więcej",
        "Kobiety w wieku 15-49 lat",
    }
)
"""Rows of the block Miarka does not store (they are sums of the ones it stores, or by sex)."""

_SINGLE: Final = re.compile(r"^(\d{1,2})$")
_GROUP: Final = re.compile(r"^(\d{1,3})-(\d{1,3})$")
_OPEN: Final = re.compile(r"^(\d{1,3}) i więcej$")

LabelKind = Literal["single", "group", "educational", "educational_total", "economic", "other"]


class Label(NamedTuple):
    kind: LabelKind
    ages: AgeRange | None
    variable: str | None


def normalise_label(raw: object) -> str:
    """ "    0    -    4" -> "0-4", "  3- 6   lat " -> "3-6 lat" (GUS pads labels with spaces)."""
    text = " ".join(str(raw).split())
    return re.sub(r"\s*-\s*", "-", text)


def classify(label: str) -> Label | None:
    """What a (normalised) row label holds; None for a label the table does not have."""
    found: Label | None = None
    if (single := _SINGLE.match(label)) is not None:
        age = int(single.group(1))
        if age in SINGLE_YEARS:
            found = Label("single", AgeRange(age, age), f"age_{age}")
    elif (group := _GROUP.match(label)) is not None:
        found = Label("group", AgeRange(int(group.group(1)), int(group.group(2))), None)
    elif (open_group := _OPEN.match(label)) is not None:
        found = Label("group", AgeRange(int(open_group.group(1)), None), None)
    elif label in EDUCATIONAL_GROUPS:
        variable, ages = EDUCATIONAL_GROUPS[label]
        found = Label("educational", ages, variable)
    elif label == EDUCATIONAL_TOTAL:
        found = Label("educational_total", None, None)
    elif label in ECONOMIC_GROUPS:
        found = Label("economic", None, ECONOMIC_GROUPS[label])
    elif label in OTHER_LABELS:
        found = Label("other", None, None)
    return found


VARIABLE_NAMES: Final[dict[str, str]] = {
    TOTAL: "Ludność ogółem (stan 30 VI)",
    **{f"age_{age}": f"Ludność, wiek {age} (lata ukończone)" for age in SINGLE_YEARS},
    **{
        variable: f"Ludność w wieku {ages.first}-{ages.last} lat (edukacyjna grupa wieku GUS)"
        for variable, ages in EDUCATIONAL_GROUPS.values()
    },
    "age_pre_working": "Ludność w wieku przedprodukcyjnym (0-17 lat)",
    "age_working": "Ludność w wieku produkcyjnym (mężczyźni 18-64, kobiety 18-59 lat)",
    "age_post_working": "Ludność w wieku poprodukcyjnym (mężczyźni 65+, kobiety 60+ lat)",
}
"""Every variable the loader stores, in the order of the table."""
