"""The indicator catalogue: domains, services and indicators as versioned TOML data.

The files in `domains/catalogue/` are the single source of truth; they are decoded into the
Structs below and checked at start-up (unique codes, known domain and service, known levels,
every term naming a source), so a broken definition stops the service, not a request.
"""

from functools import cache
from pathlib import Path
from typing import Literal, TypeVar

import msgspec

T = TypeVar("T")
CATALOGUE_DIR = Path(__file__).resolve().parents[1] / "catalogue"

Typology = Literal["quantity", "quality", "accessibility", "efficiency", "context"]
Polarity = Literal["higher_better", "lower_better", "neutral"]
IndicatorLevel = Literal["voivodeship", "powiat", "gmina"]
TermYear = Literal["same", "nearest"]
Baseline = Literal["poland"]


class CatalogueError(ValueError):
    """A catalogue file is invalid; names the file and the entry."""


class Term(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One source variable in a formula; `year = "nearest"` lets a slow-moving denominator
    (an area) come from the closest year available, flagged on every value that uses it, and
    `max_years` bounds how far that year may be (a population: 2), beyond which the value is
    missing with `denominator_missing`."""

    source: str
    code: str
    year: TermYear = "same"
    max_years: int | None = None


class Formula(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """value = multiplier x sum(numerator) / sum(denominator); no denominator = a plain sum.

    With `difference_to = "poland"` the value is the unit's ratio minus Poland's ratio of the
    same year (sums over the 16 voivodeships), times the multiplier: for figures whose level
    changes from year to year, such as exam results, only the distance to the country compares.
    """

    numerator: list[Term]
    denominator: list[Term] = []
    multiplier: float = 1.0
    difference_to: Baseline | None = None


class Service(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: str
    name_pl: str
    name_en: str


class Domain(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: str
    order: int
    name_pl: str
    name_en: str
    description_pl: str
    description_en: str
    services: list[Service]


class Indicator(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: str
    version: int
    domain: str
    service: str
    name_pl: str
    name_en: str
    description_pl: str
    description_en: str
    typology: Typology
    unit_pl: str
    unit_en: str
    polarity: Polarity
    levels: list[IndicatorLevel]
    formula: Formula
    source: str
    """Who publishes the inputs, in words (e.g. "GUS, Bank Danych Lokalnych")."""
    citation: str
    """Where each source variable id was taken from; never an invented id."""
    decimals: int = 1
    caveats_pl: str = ""
    caveats_en: str = ""
    monthly: bool = False
    """The yearly value is December's: the one numerator variable ends in `.m12` and its
    siblings `.m01` ... `.m11` hold the other months, served as the unit's monthly series."""

    def month_variables(self) -> tuple[str, list[str]] | None:
        """(source, the twelve variable codes, January first) of a monthly indicator."""
        if not self.monthly:
            return None
        term = self.formula.numerator[0]
        stem = term.code.removesuffix(DECEMBER_SUFFIX)
        return term.source, [f"{stem}.m{month:02d}" for month in range(1, 13)]


DECEMBER_SUFFIX = ".m12"


class _DomainsFile(msgspec.Struct, forbid_unknown_fields=True):
    domain: list[Domain]


class _IndicatorsFile(msgspec.Struct, forbid_unknown_fields=True):
    indicator: list[Indicator]


class Catalogue(msgspec.Struct, frozen=True):
    domains: list[Domain]
    indicators: list[Indicator]

    def indicator(self, code: str) -> Indicator | None:
        return self._indicators_by_code().get(code)

    def domain(self, code: str) -> Domain | None:
        return next((d for d in self.domains if d.code == code), None)

    def _indicators_by_code(self) -> dict[str, Indicator]:
        return {indicator.code: indicator for indicator in self.indicators}


def _decode(path: Path, kind: type[T]) -> T:
    try:
        return msgspec.toml.decode(path.read_bytes(), type=kind)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise CatalogueError(f"{path.name}: {exc}") from exc


def load_catalogue(directory: Path = CATALOGUE_DIR) -> Catalogue:
    domains = _decode(directory / "domains.toml", _DomainsFile).domain
    indicators: list[Indicator] = []
    for path in sorted((directory / "indicators").glob("*.toml")):
        indicators.extend(_decode(path, _IndicatorsFile).indicator)
    catalogue = Catalogue(domains=sorted(domains, key=lambda d: d.order), indicators=indicators)
    _check(catalogue)
    return catalogue


def _check(catalogue: Catalogue) -> None:
    services = {s.code: d.code for d in catalogue.domains for s in d.services}
    domain_codes = [d.code for d in catalogue.domains]
    if len(set(domain_codes)) != len(domain_codes):
        raise CatalogueError("domains.toml: a domain code appears twice")
    if len(set(services)) != sum(len(d.services) for d in catalogue.domains):
        raise CatalogueError("domains.toml: a service code appears twice")
    seen: set[str] = set()
    for indicator in catalogue.indicators:
        where = f"indicator {indicator.code}"
        if indicator.code in seen:
            raise CatalogueError(f"{where}: the code appears twice")
        seen.add(indicator.code)
        if indicator.domain not in domain_codes:
            raise CatalogueError(f"{where}: unknown domain {indicator.domain!r}")
        if services.get(indicator.service) != indicator.domain:
            raise CatalogueError(
                f"{where}: service {indicator.service!r} is not a service of {indicator.domain}"
            )
        if not indicator.formula.numerator:
            raise CatalogueError(f"{where}: the formula has no numerator")
        if not indicator.levels:
            raise CatalogueError(f"{where}: applies to no level")
        if indicator.formula.difference_to is not None and any(
            term.year != "same" for term in indicator.formula.denominator
        ):
            raise CatalogueError(f"{where}: a difference to Poland takes same-year terms only")
        if not indicator.citation.strip():
            raise CatalogueError(f"{where}: every source variable needs a citation")
        formula = indicator.formula
        if indicator.monthly and (
            len(formula.numerator) != 1
            or formula.denominator
            or not formula.numerator[0].code.endswith(DECEMBER_SUFFIX)
        ):
            raise CatalogueError(
                f"{where}: a monthly indicator is one `{DECEMBER_SUFFIX}` variable, no denominator"
            )


@cache
def default_catalogue() -> Catalogue:
    return load_catalogue()
