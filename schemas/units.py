"""Territorial units as the API shows them; field names equal CSV headers."""

from datetime import date
from typing import Annotated, Literal

import msgspec

UnitLevel = Literal["voivodeship", "powiat", "gmina", "gmina_part"]
UnitKind = Literal[
    "wojewodztwo",
    "powiat_ziemski",
    "miasto_na_prawach_powiatu",
    "gmina_miejska",
    "gmina_wiejska",
    "gmina_miejsko_wiejska",
    "miasto",
    "obszar_wiejski",
    "dzielnica",
    "delegatura",
]
Teryt = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^(\d{2}|\d{4}|\d{7})$",
        description="TERC code: 2 digits (voivodeship), 4 (powiat) or 7 (gmina, with RODZ)",
        examples=["12", "1261", "1261011"],
    ),
]


class UnitRef(msgspec.Struct, frozen=True, kw_only=True):
    teryt: Teryt
    level: UnitLevel
    kind: UnitKind
    name: str


class Unit(msgspec.Struct, frozen=True, kw_only=True):
    teryt: Teryt
    level: UnitLevel
    kind: UnitKind
    kind_label: str
    """NAZWA_DOD as GUS publishes it, e.g. 'gmina miejsko-wiejska'."""
    rodz: int | None
    name: str
    parent_teryt: str | None
    twin_teryt: str | None
    """For a city with powiat rights: the same city in its other role (powiat <-> gmina)."""
    bdl_id: str | None
    valid_from: date
    valid_to: date | None
    """Exclusive: the STAN_NA of the first register without this unit; null while in force."""


class CityRoles(msgspec.Struct, frozen=True, kw_only=True):
    """A city with powiat rights (miasto na prawach powiatu) is both a powiat and a gmina."""

    powiat: UnitRef
    gmina: UnitRef


class UnitDetail(Unit, frozen=True, kw_only=True):
    parents: list[UnitRef]
    """From the direct parent up to the voivodeship."""
    children_count: int
    city_with_powiat_rights: CityRoles | None


class PageLinks(msgspec.Struct, frozen=True, kw_only=True):
    self: str
    next: str | None


class UnitPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[Unit]
    total: int
    """Units matching the filters, over all pages."""
    limit: int
    next_cursor: str | None
    links: PageLinks
