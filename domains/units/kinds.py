"""TERC codes, unit levels and kinds as GUS defines them (pure functions, no I/O).

A TERC code is WOJ (2 digits), + POW (2), + GMI (2) + RODZ (1). RODZ tells the kind of a
7-digit unit: 1 gmina miejska, 2 gmina wiejska, 3 gmina miejsko-wiejska, 4 miasto and 5 obszar
wiejski (the two parts of a miejsko-wiejska gmina), 8 dzielnica of Warsaw, 9 delegatura of a
city. Only RODZ 1-3 are gminas; 4, 5, 8 and 9 are parts of a gmina (`gmina_part`).
"""

import re
from enum import StrEnum
from typing import Final


class Level(StrEnum):
    VOIVODESHIP = "voivodeship"
    POWIAT = "powiat"
    GMINA = "gmina"
    GMINA_PART = "gmina_part"


class Kind(StrEnum):
    WOJEWODZTWO = "wojewodztwo"
    POWIAT_ZIEMSKI = "powiat_ziemski"
    MIASTO_NA_PRAWACH_POWIATU = "miasto_na_prawach_powiatu"
    GMINA_MIEJSKA = "gmina_miejska"
    GMINA_WIEJSKA = "gmina_wiejska"
    GMINA_MIEJSKO_WIEJSKA = "gmina_miejsko_wiejska"
    MIASTO = "miasto"
    OBSZAR_WIEJSKI = "obszar_wiejski"
    DZIELNICA = "dzielnica"
    DELEGATURA = "delegatura"


KIND_BY_RODZ: Final[dict[str, Kind]] = {
    "1": Kind.GMINA_MIEJSKA,
    "2": Kind.GMINA_WIEJSKA,
    "3": Kind.GMINA_MIEJSKO_WIEJSKA,
    "4": Kind.MIASTO,
    "5": Kind.OBSZAR_WIEJSKI,
    "8": Kind.DZIELNICA,
    "9": Kind.DELEGATURA,
}

LEVEL_OF_KIND: Final[dict[Kind, Level]] = {
    Kind.WOJEWODZTWO: Level.VOIVODESHIP,
    Kind.POWIAT_ZIEMSKI: Level.POWIAT,
    Kind.MIASTO_NA_PRAWACH_POWIATU: Level.POWIAT,
    Kind.GMINA_MIEJSKA: Level.GMINA,
    Kind.GMINA_WIEJSKA: Level.GMINA,
    Kind.GMINA_MIEJSKO_WIEJSKA: Level.GMINA,
    Kind.MIASTO: Level.GMINA_PART,
    Kind.OBSZAR_WIEJSKI: Level.GMINA_PART,
    Kind.DZIELNICA: Level.GMINA_PART,
    Kind.DELEGATURA: Level.GMINA_PART,
}

KIND_LABEL_PL: Final[dict[Kind, str]] = {
    Kind.WOJEWODZTWO: "województwo",
    Kind.POWIAT_ZIEMSKI: "powiat",
    Kind.MIASTO_NA_PRAWACH_POWIATU: "miasto na prawach powiatu",
    Kind.GMINA_MIEJSKA: "gmina miejska",
    Kind.GMINA_WIEJSKA: "gmina wiejska",
    Kind.GMINA_MIEJSKO_WIEJSKA: "gmina miejsko-wiejska",
    Kind.MIASTO: "miasto",
    Kind.OBSZAR_WIEJSKI: "obszar wiejski",
    Kind.DZIELNICA: "dzielnica",
    Kind.DELEGATURA: "delegatura",
}

# Voivodeship codes are the even numbers 02..32 (GUS, TERYT methodology).
VOIVODESHIP_CODES: Final[frozenset[str]] = frozenset(f"{n:02d}" for n in range(2, 33, 2))

TERYT_PATTERN: Final[str] = r"^(\d{2}|\d{4}|\d{7})$"
_TERYT_RE: Final = re.compile(TERYT_PATTERN)


def is_teryt(code: str) -> bool:
    """True for a well-formed TERC code: 2 (voivodeship), 4 (powiat) or 7 (gmina) digits."""
    return bool(_TERYT_RE.match(code))


def level_of_code(code: str) -> Level:
    """The level a TERC code addresses; 7-digit codes are gminas only for RODZ 1-3."""
    if len(code) == 2:  # noqa: PLR2004 - TERC lengths
        return Level.VOIVODESHIP
    if len(code) == 4:  # noqa: PLR2004
        return Level.POWIAT
    return LEVEL_OF_KIND[KIND_BY_RODZ[code[6]]]


def parent_code(code: str, kind: Kind) -> str | None:
    """The TERC code of the unit one level up.

    Parts 4/5 belong to the miejsko-wiejska gmina with the same GMI (RODZ 3); dzielnice and
    delegatury (8/9) belong to the city's gmina miejska, whose GMI is 01 (Warszawa 1465011,
    Kraków 1261011, ...).
    """
    match kind:
        case Kind.WOJEWODZTWO:
            return None
        case Kind.POWIAT_ZIEMSKI | Kind.MIASTO_NA_PRAWACH_POWIATU:
            return code[:2]
        case Kind.GMINA_MIEJSKA | Kind.GMINA_WIEJSKA | Kind.GMINA_MIEJSKO_WIEJSKA:
            return code[:4]
        case Kind.MIASTO | Kind.OBSZAR_WIEJSKI:
            return code[:6] + "3"
        case Kind.DZIELNICA | Kind.DELEGATURA:
            return code[:4] + "011"
