"""What Miarka publishes, as a DCAT-AP catalogue (JSON-LD): the profile behind dane.gov.pl.

One `dcat:Dataset` per domain and one per indicator of the catalogue (domains/catalogue/), each
with its distributions: the bulk exports (CSV in the Polish and the English dialect, Parquet)
and, for an indicator with values, its latest cross-section (XLSX and JSON). Titles and
descriptions are in Polish and English. `dct:modified` is the current data release's
publication time (none before the first release). The publisher and the data licence are facts
of the deploying body: they come from settings (`MIARKA_CATALOG_*`); unset, the publisher's
name is a marked placeholder and the distributions carry a placeholder rights statement
instead of a licence, never an invented one. Vocabularies: the EU Publications Office
authority tables (data themes, frequency, language, country) and IANA media types.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final
from urllib.parse import quote, urlencode

from domains.indicators.catalogue import Catalogue, Domain, Indicator
from service.formats import MEDIA_TYPES
from service.settings import Settings

JSONLD: Final = "application/ld+json"
TURTLE: Final = "text/turtle"
CONTEXT: Final[Mapping[str, str]] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
"""Inline, so a reader (rdflib, a harvester) never fetches a remote context."""
EU: Final = "http://publications.europa.eu/resource/authority"
IANA: Final = "http://www.iana.org/assignments/media-types"
PLACEHOLDER: Final = {
    "pl": "[do uzupełnienia przez podmiot wdrażający]",
    "en": "[to be completed by the deploying body]",
}
THEMES: Final[Mapping[str, tuple[str, ...]]] = {
    "edukacja": ("EDUC",),
    "polityka_spoleczna": ("SOCI",),
    "kultura_rekreacja": ("EDUC",),
    "drogownictwo_transport": ("TRAN",),
    "ochrona_srodowiska": ("ENVI",),
    "nieruchomosci": ("ECON",),
    "inwestycje_budownictwo": ("ECON",),
    "geodezja_kartografia": ("REGI",),
    "podatki_oplaty": ("ECON",),
    "kontekst": ("SOCI",),
}
"""Domain -> EU data themes; every dataset is also GOVE (public sector) and REGI (regions)."""
COMMON_THEMES: Final = ("GOVE", "REGI")
LEVELS: Final[Mapping[str, tuple[str, str]]] = {
    "gmina": ("gminy", "gminas"),
    "powiat": ("powiaty", "powiats"),
    "voivodeship": ("województwa", "voivodeships"),
}
FILE_TYPES: Final = {"csv": "CSV", "xlsx": "XLSX", "json": "JSON"}
"""EU file-type codes; Parquet's distributions give only their media type."""


def _text(pl: str, en: str) -> list[dict[str, str]]:
    return [{"@value": pl, "@language": "pl"}, {"@value": en, "@language": "en"}]


def _ref(iri: str) -> dict[str, str]:
    return {"@id": iri}


class CatalogBuilder:
    """Absolute IRIs from `base` (the site's address, ending in "/"); no blank nodes, so two
    serialisations of the catalogue compare as sets of triples."""

    def __init__(
        self, catalogue: Catalogue, settings: Settings, base: str, modified: datetime | None
    ) -> None:
        self.catalogue = catalogue
        self.settings = settings
        self.base = base
        self.modified = modified
        self.iri = f"{base}api/v1/catalog"

    def url(self, path: str, **query: str) -> str:
        return f"{self.base}{path.lstrip('/')}" + (f"?{urlencode(query)}" if query else "")

    def publisher(self) -> dict[str, Any]:
        name = self.settings.catalog_publisher or self.settings.a11y_entity
        agent: dict[str, Any] = {
            "@id": self.settings.catalog_publisher_uri or f"{self.iri}#publisher",
            "@type": "foaf:Agent",
            "foaf:name": name if name else _text(PLACEHOLDER["pl"], PLACEHOLDER["en"]),
        }
        return agent

    def contact(self) -> dict[str, Any] | None:
        email = self.settings.a11y_contact_email
        if not email:
            return None
        point: dict[str, Any] = {
            "@id": f"{self.iri}#contact",
            "@type": "vcard:Kind",
            "vcard:hasEmail": _ref(f"mailto:{email}"),
        }
        if self.settings.a11y_contact_name:
            point["vcard:fn"] = self.settings.a11y_contact_name
        return point

    def rights(self) -> dict[str, Any]:
        """The data licence if the deploying body set one, else a placeholder statement."""
        if self.settings.catalog_license:
            return {"dct:license": {"@id": self.settings.catalog_license,
                                    "@type": "dct:LicenseDocument"}}  # fmt: skip
        return {
            "dct:rights": {
                "@id": f"{self.iri}#rights",
                "@type": "dct:RightsStatement",
                "rdfs:label": _text(PLACEHOLDER["pl"], PLACEHOLDER["en"]),
            }
        }

    def distribution(
        self, dataset: str, key: str, fmt: str, url: str, titles: tuple[str, str], *, download: bool
    ) -> dict[str, Any]:
        media = "application/json" if fmt == "json" else MEDIA_TYPES[fmt]
        out: dict[str, Any] = {
            "@id": f"{dataset}/{key}",
            "@type": "dcat:Distribution",
            "dct:title": _text(*titles),
            "dcat:accessURL": _ref(url),
            "dcat:mediaType": _ref(f"{IANA}/{media}"),
            **self.rights(),
        }
        if download:
            out["dcat:downloadURL"] = _ref(url)
        if fmt in FILE_TYPES:
            out["dct:format"] = _ref(f"{EU}/file-type/{FILE_TYPES[fmt]}")
        return out

    def bulk(self, dataset: str, path: str) -> list[dict[str, Any]]:
        """CSV (pl and en dialects) and Parquet of `path` (an export without its extension)."""
        return [
            self.distribution(
                dataset,
                "csv-pl",
                "csv",
                self.url(f"{path}.csv", locale="pl"),
                ("CSV, polski Excel (;, przecinek dziesiętny, BOM)",
                 "CSV, Polish Excel dialect (;, decimal comma, BOM)"),
                download=True,
            ),
            self.distribution(
                dataset,
                "csv-en",
                "csv",
                self.url(f"{path}.csv", locale="en"),
                ("CSV, dialekt angielski (, i kropka)", "CSV, English dialect (, and .)"),
                download=True,
            ),
            self.distribution(
                dataset,
                "parquet",
                "parquet",
                self.url(f"{path}.parquet"),
                ("Parquet (wszystkie jednostki i lata)", "Parquet (every unit and year)"),
                download=True,
            ),
        ]  # fmt: skip

    def common(self, themes: tuple[str, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "dct:publisher": _ref(self.publisher()["@id"]),
            "dct:language": [_ref(f"{EU}/language/POL"), _ref(f"{EU}/language/ENG")],
            "dct:spatial": _ref(f"{EU}/country/POL"),
            # Every value is of one year; the sources publish yearly.
            "dct:accrualPeriodicity": _ref(f"{EU}/frequency/ANNUAL"),
            "dcat:theme": [_ref(f"{EU}/data-theme/{t}") for t in dict.fromkeys(themes)],
        }
        if self.modified is not None:
            out["dct:modified"] = {"@value": self.modified.isoformat(), "@type": "xsd:dateTime"}
        if (contact := self.contact()) is not None:
            out["dcat:contactPoint"] = contact
        return out

    def domain_dataset(self, domain: Domain) -> dict[str, Any]:
        iri = f"{self.iri}#domain/{domain.code}"
        return {
            "@id": iri,
            "@type": "dcat:Dataset",
            "dct:identifier": f"domain/{domain.code}",
            "dct:title": _text(f"Miarka: {domain.name_pl}", f"Miarka: {domain.name_en}"),
            "dct:description": _text(domain.description_pl, domain.description_en),
            "dcat:keyword": _text(domain.name_pl, domain.name_en),
            "foaf:page": _ref(self.url(f"api/v1/domains/{quote(domain.code)}")),
            "dct:hasPart": [
                _ref(f"{self.iri}#indicator/{i.code}")
                for i in self.catalogue.indicators
                if i.domain == domain.code
            ],
            **self.common((*THEMES.get(domain.code, ()), *COMMON_THEMES)),
            "dcat:distribution": self.bulk(iri, f"api/v1/exports/domains/{quote(domain.code)}"),
        }

    def indicator_dataset(self, indicator: Indicator, latest: Mapping[str, int]) -> dict[str, Any]:
        iri = f"{self.iri}#indicator/{indicator.code}"
        code = quote(indicator.code)
        distributions = self.bulk(iri, f"api/v1/exports/indicators/{code}")
        # The latest cross-section of the first level with values: a table, not the history.
        level = next((lv for lv in indicator.levels if lv in latest), None)
        if level is not None:
            query = {"level": level, "year": str(latest[level])}
            path = f"api/v1/indicators/{code}/values"
            year = latest[level]
            pl, en = LEVELS[level]
            for fmt, titles in (
                ("xlsx", (f"XLSX: przekrój {year}, {pl}", f"XLSX: cross-section {year}, {en}")),
                ("json", (f"JSON (API): przekrój {year}, {pl}",
                          f"JSON (API): cross-section {year}, {en}")),
            ):  # fmt: skip
                fmt_query = {**query, "format": fmt} if fmt != "json" else query
                distributions.append(
                    self.distribution(
                        iri, fmt, fmt, self.url(path, **fmt_query), titles, download=fmt != "json"
                    )
                )
        return {
            "@id": iri,
            "@type": "dcat:Dataset",
            "dct:identifier": indicator.code,
            "dct:title": _text(indicator.name_pl, indicator.name_en),
            "dct:description": _text(indicator.description_pl, indicator.description_en),
            "dcat:keyword": _text(indicator.unit_pl, indicator.unit_en),
            "dcat:landingPage": _ref(self.url(f"w/{code}")),
            "foaf:page": _ref(self.url(f"api/v1/indicators/{code}")),
            "dct:isPartOf": _ref(f"{self.iri}#domain/{indicator.domain}"),
            # Not dct:source: DCAT-AP gives it the range dcat:Dataset, and a source named in words
            # (e.g. "GUS, Bank Danych Lokalnych (API)") is no dataset of this catalogue.
            "prov:wasDerivedFrom": {
                "@id": f"{iri}/source",
                "@type": "prov:Entity",
                "dct:title": indicator.source,
            },
            "dct:provenance": {
                "@id": f"{iri}/provenance",
                "@type": "dct:ProvenanceStatement",
                "rdfs:label": {"@value": indicator.citation, "@language": "pl"},
            },
            **self.common((*THEMES.get(indicator.domain, ()), *COMMON_THEMES)),
            "dcat:distribution": distributions,
        }

    def build(self, latest: Mapping[str, Mapping[str, int]]) -> dict[str, Any]:
        datasets = [self.domain_dataset(d) for d in self.catalogue.domains] + [
            self.indicator_dataset(i, latest.get(i.code, {})) for i in self.catalogue.indicators
        ]
        catalog: dict[str, Any] = {
            "@id": self.iri,
            "@type": "dcat:Catalog",
            "dct:title": _text(
                "Miarka: wskaźniki usług publicznych samorządów",
                "Miarka: indicators of the public services of Polish local governments",
            ),
            "dct:description": _text(
                "Wskaźniki usług publicznych każdej gminy, powiatu i województwa (rejestr "
                "TERYT), liczone z danych publicznych (GUS, GUGiK, Ministerstwo Finansów, MEN, "
                "CKE): jeden zbiór na dziedzinę i jeden na wskaźnik.",
                "Indicators of the public services of every Polish gmina, powiat and "
                "voivodeship (TERYT register), computed from public data (Statistics Poland, "
                "GUGiK, Ministry of Finance, MEN, CKE): one dataset per domain and one per "
                "indicator.",
            ),
            "foaf:homepage": _ref(self.base),
            "dct:language": [_ref(f"{EU}/language/POL"), _ref(f"{EU}/language/ENG")],
            "dct:spatial": _ref(f"{EU}/country/POL"),
            "dcat:themeTaxonomy": _ref(f"{EU}/data-theme"),
            "dct:publisher": self.publisher(),
            "dcat:dataset": datasets,
        }
        if self.modified is not None:
            catalog["dct:modified"] = {"@value": self.modified.isoformat(), "@type": "xsd:dateTime"}
        return {"@context": dict(CONTEXT), **catalog}
