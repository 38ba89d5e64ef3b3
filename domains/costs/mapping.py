"""The cost-service mapping (`services.toml`) as validated Structs, read once at start-up.

A service is a set of rozdziały with shares, income and transfer paragraphs, per vintage of
the budget classification; a vintage says from which year it applies and whether it breaks a
series. The checks here (shares in (0, 1], codes well-formed, every vintage mapped, dedicated
income never including the general subsidy) stop a broken file at start-up, not in a request.
"""

import re
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Final, Literal

import msgspec

from schemas.costs import RozdzialOut, VintageOut

__all__ = [
    "OVERHEAD_KEYS",
    "Classification",
    "CostCatalogue",
    "CostService",
    "MappingError",
    "RozdzialShare",
    "ServiceMapping",
    "Vintage",
    "default_cost_catalogue",
    "load_cost_catalogue",
]

MAPPING_FILE: Final = Path(__file__).resolve().parent / "services.toml"
OVERHEAD_KEYS: Final = frozenset({"spend_share", "none"})
"""Overhead keys the calculator implements; a service lists those it supports."""
_ROZDZIAL = re.compile(r"\d{5}")
_PARAGRAF = re.compile(r"\d{3}")

Volume = Literal["pupils", "population"]


class MappingError(ValueError):
    """services.toml is invalid; names the service, vintage or entry."""


RozdzialShare = RozdzialOut
Vintage = VintageOut


class ServiceMapping(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    vintages: list[str]
    rozdzialy: list[RozdzialShare]
    income_paragraphs: list[str]
    transfer_out_paragraphs: list[str] = []
    transfer_in_paragraphs: list[str] = []

    def share_of(self, rozdzial: str) -> Decimal | None:
        return next((r.share for r in self.rozdzialy if r.code == rozdzial), None)


class CostService(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: str
    name_pl: str
    name_en: str
    volume: Volume
    unit_pl: str
    unit_en: str
    volume_unit_pl: str
    volume_unit_en: str
    overhead_keys: list[str]
    mapping: list[ServiceMapping]
    school_types: list[str] = []
    note: str = ""


class Classification(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    capital_paragraph_prefixes: list[str]
    debt_paragraphs: list[str]
    debt_groups: list[str]
    never_income_paragraphs: list[str]
    overhead_rozdzialy: list[str]
    spend_share_excluded_dzialy: list[str]
    citation: str

    def is_capital(self, paragraf: str) -> bool:
        return paragraf.startswith(tuple(self.capital_paragraph_prefixes))

    def is_debt(self, paragraf: str, grupa: str | None) -> bool:
        return paragraf in self.debt_paragraphs or (grupa is not None and grupa in self.debt_groups)


class CostCatalogue(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    classification: Classification
    vintage: list[Vintage]
    service: list[CostService]

    def find_service(self, code: str) -> CostService | None:
        return next((s for s in self.service if s.code == code), None)

    def vintage_for(self, year: int) -> Vintage:
        """The vintage in force in `year` (the earliest one for years before every vintage)."""
        ordered = sorted(self.vintage, key=lambda v: v.valid_from)
        current = ordered[0]
        for vintage in ordered:
            if vintage.valid_from <= year:
                current = vintage
        return current

    def mapping_for(self, service: CostService, year: int) -> tuple[Vintage, ServiceMapping]:
        vintage = self.vintage_for(year)
        mapping = next(m for m in service.mapping if vintage.code in m.vintages)
        return vintage, mapping

    def breaks_between(self, first_year: int, last_year: int) -> list[int]:
        """Years in (first_year, last_year] in which a series-breaking vintage starts."""
        return sorted(
            v.valid_from
            for v in self.vintage
            if v.series_break and first_year < v.valid_from <= last_year
        )


def _check_codes(where: str, codes: list[str], pattern: re.Pattern[str], what: str) -> None:
    for code in codes:
        if not pattern.fullmatch(code):
            raise MappingError(f"{where}: {what} {code!r} is not {pattern.pattern}")


def _check(catalogue: CostCatalogue) -> None:
    vintages = [v.code for v in catalogue.vintage]
    if not vintages or len(set(vintages)) != len(vintages):
        raise MappingError("services.toml: vintages missing or a vintage code appears twice")
    classification = catalogue.classification
    _check_codes("classification", classification.overhead_rozdzialy, _ROZDZIAL, "rozdział")
    _check_codes("classification", classification.debt_paragraphs, _PARAGRAF, "paragraph")
    seen: set[str] = set()
    for service in catalogue.service:
        where = f"service {service.code}"
        if service.code in seen:
            raise MappingError(f"{where}: the code appears twice")
        seen.add(service.code)
        unknown_keys = set(service.overhead_keys) - OVERHEAD_KEYS
        if unknown_keys or not service.overhead_keys:
            raise MappingError(f"{where}: overhead keys must be among {sorted(OVERHEAD_KEYS)}")
        if service.volume == "pupils" and not service.school_types:
            raise MappingError(f"{where}: a per-pupil service needs school_types")
        covered = [code for m in service.mapping for code in m.vintages]
        if sorted(covered) != sorted(vintages):
            raise MappingError(f"{where}: every vintage needs exactly one mapping ({vintages})")
        for mapping in service.mapping:
            _check_mapping(f"{where}, vintages {mapping.vintages}", mapping, classification)


def _check_mapping(where: str, mapping: ServiceMapping, classification: Classification) -> None:
    codes = [r.code for r in mapping.rozdzialy]
    _check_codes(where, codes, _ROZDZIAL, "rozdział")
    if len(set(codes)) != len(codes):
        raise MappingError(f"{where}: a rozdział appears twice")
    if set(codes) & set(classification.overhead_rozdzialy):
        raise MappingError(f"{where}: an administration rozdział cannot be a service's own")
    for entry in mapping.rozdzialy:
        if not Decimal(0) < entry.share <= Decimal(1):
            raise MappingError(f"{where}: share of {entry.code} must be in (0, 1]")
    for name in ("income_paragraphs", "transfer_out_paragraphs", "transfer_in_paragraphs"):
        _check_codes(where, getattr(mapping, name), _PARAGRAF, name)
    never = set(mapping.income_paragraphs) & set(classification.never_income_paragraphs)
    if never:
        raise MappingError(f"{where}: {sorted(never)} is general revenue, never dedicated income")
    if set(mapping.income_paragraphs) & set(mapping.transfer_in_paragraphs):
        raise MappingError(f"{where}: a paragraph cannot be both income and transfer in")


def load_cost_catalogue(path: Path = MAPPING_FILE) -> CostCatalogue:
    try:
        catalogue = msgspec.toml.decode(path.read_bytes(), type=CostCatalogue)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise MappingError(f"{path.name}: {exc}") from exc
    _check(catalogue)
    return catalogue


@cache
def default_cost_catalogue() -> CostCatalogue:
    return load_cost_catalogue()
