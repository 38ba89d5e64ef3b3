"""GUS BDL unit ids <-> TERC codes.

BDL's 12-digit unit ids are not TERC codes; they embed them. Layout, read off the BDL API's
`/units` answers (e.g. `011212001011` = gmina miejska Bochnia, TERC 1201011, and
`023000000000` = WIELKOPOLSKIE, TERC 30; see the pyBDL saved responses in tests/data/bdl):

    position  0-1  2-3   4       5-6        7-8     9-10   11
              macro woj  region  subregion  powiat  gmina  rodz

so TERC = woj + powiat + gmina + rodz, truncated to the unit's level (2 = voivodeship,
5 = powiat, 6 = gmina or part of a gmina).
"""

import re
from typing import Final

_BDL_ID: Final = re.compile(r"^\d{12}$")
BDL_LEVEL_VOIVODESHIP: Final = 2
BDL_LEVEL_POWIAT: Final = 5
BDL_LEVEL_GMINA: Final = 6


def teryt_from_bdl_id(bdl_id: str) -> str | None:
    """The TERC code a BDL unit id embeds; None for units above voivodeships or malformed ids."""
    if not _BDL_ID.match(bdl_id):
        return None
    woj, powiat, gmina, rodz = bdl_id[2:4], bdl_id[7:9], bdl_id[9:11], bdl_id[11]
    if woj == "00":
        return None  # Polska, makroregiony
    if powiat == "00":
        return woj if bdl_id[4:] == "00000000" else None  # regions/subregions have no TERC
    if gmina == "00":
        return woj + powiat
    return woj + powiat + gmina + rodz


def bdl_level_of_teryt(teryt: str) -> int:
    """The BDL `unit-level` to ask for units of this TERC code's length."""
    return {2: BDL_LEVEL_VOIVODESHIP, 4: BDL_LEVEL_POWIAT, 7: BDL_LEVEL_GMINA}[len(teryt)]
