"""The layout of the Ministry of Finance statements of each JST's share in PIT, as published.

One sheet: a title in row 1 ("Informacja o udziałach jednostek samorządu terytorialnego w
podatku PIT za rok budżetowy 2020"), empty rows, a four-row header (Excel rows 4-7), then one
row per unit and rozdział. The identifying columns are WK, PK, GK, GT (the unit's codes as
the budget reports give them; `-` where a code does not apply), the amounts are those of an
Rb-27S line: Należności, Dochody wykonane (wpłaty minus zwroty), Saldo końcowe as należności
pozostałe do zapłaty (ogółem, w tym zaległości netto) and nadpłaty.

Which unit a row is for follows from its rozdział and the codes it has: 75621 (the gmina
share) for a gmina, WK+PK+GK+GT; 75621 with GK and GT `-` for the gmina part of a city with
powiat rights, which files both shares under its powiat code; 75622 (the powiat share) for a
powiat, WK+PK; 75623 for a voivodeship, WK; 75634 for the metropolitan union (Górnośląsko-
Zagłębiowska Metropolia), which is no unit of the TERC register.
"""

from typing import Final, Literal, NamedTuple

RowKind = Literal["gmina", "city_gmina", "powiat", "voivodeship", "metropolis"]

TITLE_PREFIX: Final = "informacja o udziałach jednostek samorządu terytorialnego w podatku pit"
HEADER_SEARCH_ROWS: Final = 20
NOT_APPLICABLE: Final = "-"
"""The files' sign for a code that does not apply (GK of a powiat, PK of a voivodeship)."""

COL_WK, COL_PK, COL_GK, COL_GT, COL_NAME = 0, 1, 2, 3, 4
COL_DZIAL, COL_ROZDZIAL, COL_PARAGRAF = 7, 8, 9
COL_NA, COL_DW, COL_NO, COL_NZ, COL_NP = 10, 11, 12, 13, 14
CODE_FIELD: Final = "WK+PK+GK+GT"
FIELDS: Final[dict[int, str]] = {
    COL_WK: "WK",
    COL_PK: "PK",
    COL_GK: "GK",
    COL_GT: "GT",
    COL_NAME: "Nazwa JST",
    COL_DZIAL: "DZIAŁ",
    COL_ROZDZIAL: "ROZDZIAŁ",
    COL_PARAGRAF: "PARAGRAF",
    COL_NA: "Należności",
    COL_DW: "Dochody wykonane",
    COL_NO: "Saldo końcowe: należności pozostałe do zapłaty, ogółem",
    COL_NZ: "Saldo końcowe: w tym zaległości netto",
    COL_NP: "Saldo końcowe: nadpłaty",
}
"""Column -> the name a problem gives as its field."""


class HeaderCell(NamedTuple):
    offset: int
    """Row below the header's first row (0-3)."""
    column: int
    text: str
    """How the cell starts as published; compared case-folded, whitespace collapsed."""


HEADER: Final = (
    HeaderCell(0, COL_WK, "WK"),
    HeaderCell(0, COL_PK, "PK"),
    HeaderCell(0, COL_GK, "GK"),
    HeaderCell(0, COL_GT, "GT"),
    HeaderCell(0, COL_NAME, "Nazwa JST"),
    HeaderCell(0, 5, "województwo"),
    HeaderCell(0, 6, "powiat"),
    HeaderCell(0, COL_DZIAL, "Klasyfikacja budżetowa"),
    HeaderCell(0, COL_NA, "Należności"),
    HeaderCell(0, COL_DW, "Dochody wykonane"),
    HeaderCell(0, COL_NO, "Saldo końcowe"),
    HeaderCell(1, COL_DZIAL, "DZIAŁ"),
    HeaderCell(1, COL_ROZDZIAL, "ROZDZIAŁ"),
    HeaderCell(1, COL_PARAGRAF, "PARAGRAF"),
    HeaderCell(1, COL_NO, "należności pozostałe do zapłaty"),
    HeaderCell(1, COL_NP, "nadpłaty"),
    HeaderCell(2, COL_NO, "ogółem"),
    HeaderCell(2, COL_NZ, "w tym"),
    HeaderCell(3, COL_NZ, "zaległości netto"),
)
HEADER_ROWS: Final = 4


class Rozdzial(NamedTuple):
    name: str
    kinds: tuple[RowKind, ...]
    """The kinds of unit a row of this rozdział can be for (told apart by the codes given)."""


ROZDZIALY: Final[dict[str, Rozdzial]] = {
    "75621": Rozdzial("Udziały gmin w podatkach stanowiących dochód budżetu państwa",
                      ("gmina", "city_gmina")),
    "75622": Rozdzial("Udziały powiatów w podatkach stanowiących dochód budżetu państwa",
                      ("powiat",)),
    "75623": Rozdzial("Udziały województw w podatkach stanowiących dochód budżetu państwa",
                      ("voivodeship",)),
    "75634": Rozdzial("Związek metropolitalny: udział w PIT (nazwa rozdziału niesprawdzona)",
                      ("metropolis",)),
}  # fmt: skip
"""Rozdziały of dział 756 the statements have. Names of 75621-75623 as we know them from
załącznik nr 2 to the MF regulation on the budget classification (Dz.U. 2010 nr 38 poz. 207,
z późn. zm.); the codes are what the loader uses."""
DZIAL: Final = "756"
PIT_PARAGRAF: Final = "001"
"""Paragraf 0010 (podatek dochodowy od osób fizycznych): 001 and P4 0, as budget lines store it."""

SERIES: Final[dict[RowKind, str]] = {
    "gmina": "gminy",
    "city_gmina": "miasta_npp",
    "powiat": "powiaty",
    "voivodeship": "wojewodztwa",
    "metropolis": "metropolia",
}
"""Which of MF's separate files a row belongs to (a powiat row of a city: `miasta_npp`)."""
