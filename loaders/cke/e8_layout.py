"""The layout of CKE's "Wyniki egzaminu ósmoklasisty w szkołach" workbooks (2021-2025).

Sheet `SAS`: a two-row header, subjects on the upper row over blocks of five statistics on the
lower one (`liczba zdających`, `wynik średni (%)`, `odchylenie standardowe (%)`,
`mediana (%)`, `modalna (%)`), school identification before the first block (2025 adds
`Identyfikator szkoły`, so columns are found by header, never by position). Sheet `Legenda`
says from how many takers CKE publishes statistics: 10 in 2021, 5 since 2022.
"""

import re
from typing import Final

from loaders.cke.identity import id_headers

LEGEND_SHEET: Final = "Legenda"
COL_RSPO: Final = "RSPO"
ID_COLUMNS: Final = id_headers(COL_RSPO)
"""Identification headers a file must have (`Ulica nr` is read when present)."""

SUBJECTS: Final[dict[str, str]] = {
    "język polski": "polski",
    "matematyka": "matematyka",
    "język angielski": "angielski",
    "język niemiecki": "niemiecki",
    "język rosyjski": "rosyjski",
    "język francuski": "francuski",
    "język hiszpański": "hiszpanski",
    "język włoski": "wloski",
}
"""Subject as CKE heads its block (any case) -> the code in Miarka's measures."""
REQUIRED_SUBJECTS: Final = ("polski", "matematyka", "angielski")
"""Every pupil takes Polish and mathematics, and a modern language (most often English)."""

TAKERS: Final = "takers"
STATISTICS: Final[dict[str, str]] = {
    "liczba zdających": TAKERS,
    "wynik średni (%)": "mean",
    "odchylenie standardowe (%)": "sd",
    "mediana (%)": "median",
    "modalna (%)": "mode",
}
"""Statistic header (any case) -> its name; the mode is checked but not stored."""
STORED: Final = ("takers", "mean", "sd", "median")
PUBLISHED_STATISTICS: Final = ("mean", "sd", "median")
"""CKE gives all three or none (none below its threshold of takers); the mode may be absent
where the statistics are given (several results equally frequent)."""

WITHHELD_FLAG: Final = "statistics_withheld"
"""On a school's takers when CKE publishes no statistics for so few takers."""

_THRESHOLD: Final = re.compile(r"powyżej\s+(\d+)\s*\(\s*(\d+)\s+i\s+więcej\s*\)", re.IGNORECASE)
_YEAR_IN_NAME: Final = re.compile(r"E8_(\d{4})(?!\d)", re.IGNORECASE)


def measure(subject: str, statistic: str) -> str:
    return f"e8.{subject}.{statistic}"


ALL_MEASURES: Final = [measure(s, stat) for s in SUBJECTS.values() for stat in STORED]


def threshold_in(text: str) -> int | None:
    """Takers from which statistics are published: "... powyżej 4 (5 i więcej)" -> 5."""
    found = _THRESHOLD.search(" ".join(text.split()))
    if found is None or int(found.group(2)) != int(found.group(1)) + 1:
        return None
    return int(found.group(2))


def year_in_name(name: str) -> int | None:
    found = _YEAR_IN_NAME.search(name)
    return int(found.group(1)) if found else None
