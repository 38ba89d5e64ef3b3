"""The columns and codes of the register as published (`schoolsData.xlsx`, sheet Identyfikacja).

Only the columns Miarka needs are read. The register also holds phone and fax numbers, e-mail
addresses, web sites and the name of the governing body, which for a natural person running a
non-public school is that person's name: none of those columns is ever read.
"""

from typing import Final, Literal

SHEET: Final = "Identyfikacja"
HEADER_ROW: Final = 1
"""1-based row of the header; row 2 is empty, data start in row 3."""

RSPO: Final = "Nr RSPO"
WOJ: Final = "woj"
POW: Final = "pow"
GM: Final = "gm"
GMINA_KIND: Final = "Typ gminy"
LOCALITY: Final = "Miejscowość"
TYPE_CODE: Final = "Typ"
TYPE_NAME: Final = "Nazwa typu"
NAME: Final = "Nazwa szkoły, placówki"
STREET: Final = "Ulica"
HOUSE: Final = "Nr domu"
POSTCODE: Final = "Kod poczt."
PUBLIC: Final = "Publiczność"
GOVERNING_CODE: Final = "Kod org. prowadz."
GOV_WOJ: Final = "woj. org. prow."
GOV_POW: Final = "pow. org. prow."
GOV_GM: Final = "gmina org. prow."
GOV_GMINA_KIND: Final = "typ gminy"
REPORTING_RSPO: Final = "Nr RSPO jednostki sprawozdawczej"

PUPILS: Final = "Uczniowie, wychow., słuchacze"
GIRLS: Final = "w tym dziewczęta"
PRESCHOOL_CLASS_PUPILS: Final = "w tym w oddziałach przedszk."
OTHER_TYPE_PUPILS: Final = "w tym w oddziałach innego typu"
CLASSES: Final = "Oddziały"
TEACHERS_FULL_TIME: Final = "Nauczyciele pełnozatrudnieni"
TEACHERS_PART_TIME: Final = "Nauczyciele niepełnozatrudnieni (stos.pracy)"
TEACHERS_PART_TIME_FTE: Final = "Nauczyciele niepełnozatrudnieni (w etatach)"

COUNT_COLUMNS: Final = (
    PUPILS,
    GIRLS,
    PRESCHOOL_CLASS_PUPILS,
    OTHER_TYPE_PUPILS,
    CLASSES,
    TEACHERS_FULL_TIME,
    TEACHERS_PART_TIME,
    TEACHERS_PART_TIME_FTE,
)
"""Counts of people, classes and posts; oddziały and FTE may be fractional."""
FRACTIONAL: Final = frozenset({CLASSES, TEACHERS_PART_TIME_FTE})
REQUIRED: Final = (
    RSPO, WOJ, POW, GM, GMINA_KIND, LOCALITY, TYPE_CODE, TYPE_NAME, NAME, STREET, HOUSE,
    POSTCODE, PUBLIC, GOVERNING_CODE, GOV_WOJ, GOV_POW, GOV_GM, GOV_GMINA_KIND, REPORTING_RSPO,
    *COUNT_COLUMNS,
)  # fmt: skip

MEASURES: Final = {
    PUPILS: "register.pupils",
    GIRLS: "register.girls",
    PRESCHOOL_CLASS_PUPILS: "register.preschool_class_pupils",
    OTHER_TYPE_PUPILS: "register.other_type_class_pupils",
    CLASSES: "register.classes",
    TEACHERS_FULL_TIME: "register.teachers_full_time",
    TEACHERS_PART_TIME: "register.teachers_part_time",
    TEACHERS_PART_TIME_FTE: "register.teachers_part_time_fte",
}
"""School-level measures (table school_figure), one per count column."""

GMINA_RODZ: Final = {"M": "1", "Gm": "2", "M-Gm": "3"}
"""`Typ gminy` -> the RODZ digit of TERC (urban, rural, urban-rural gmina)."""

PRIMARY_SCHOOL: Final = 3
PRESCHOOL: Final = 1
PRESCHOOL_GROUP: Final = 80
"""Zespół wychowania przedszkolnego."""
PRESCHOOL_POINT: Final = 81
"""Punkt przedszkolny."""
PRESCHOOL_INSTITUTIONS: Final = frozenset({PRESCHOOL, PRESCHOOL_GROUP, PRESCHOOL_POINT})
PUBLIC_CODE: Final = "001"
"""`Publiczność`: 001 public; 002, 003, 004 the kinds of non-public institution."""

GoverningKind = Literal[
    "gmina",
    "city_with_powiat_rights",
    "powiat",
    "voivodeship",
    "central_government",
    "government_administration",
    "public_university",
    "non_public_university",
    "company",
    "foundation",
    "association",
    "social_organisation",
    "religious_body",
    "cooperative",
    "social_cooperative",
    "economic_self_government",
    "trade_union_or_other_body",
    "other_legal_person",
    "natural_person",
    "other",
]
GOVERNING_KINDS: Final[dict[str, GoverningKind]] = {
    "0001": "gmina",
    "0002": "city_with_powiat_rights",
    "0003": "powiat",
    "0004": "voivodeship",
    **{f"{code:04d}": "central_government" for code in range(5, 21)},
    "0021": "other_legal_person",
    "0022": "association",
    "0023": "social_organisation",
    "0024": "economic_self_government",
    "0025": "cooperative",
    "0026": "economic_self_government",
    "0027": "trade_union_or_other_body",
    "0028": "religious_body",
    "0029": "other",
    "0030": "non_public_university",
    "0031": "company",
    "0032": "foundation",
    "0033": "natural_person",
    "0034": "public_university",
    "0036": "government_administration",
    "0037": "social_cooperative",
}
"""RSPO's code of the kind of governing body -> Miarka's name. Codes 0001-0004 are named by the
file itself (Gmina, Miasto na prawach powiatu, Powiat ziemski, Samorząd województwa) and
0005-0014 are ministers; the non-public kinds are read off the bodies the file lists under each
code (e.g. 0033 lists persons, 0028 religious orders, 0032 foundations)."""
GMINA_BODY: Final = "0001"
CITY_BODY: Final = "0002"
POWIAT_BODY: Final = "0003"
VOIVODESHIP_BODY: Final = "0004"
NATURAL_PERSON_BODIES: Final = frozenset({"0029", "0033"})
"""Bodies that are, or may be, natural persons: their schools' street address is not stored
(it may be the person's home); code 0029 mixes persons and civil partnerships."""
