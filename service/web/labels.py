"""Words for codes the data carries: unit kinds and levels, peer groups, polarity, flags.

Kept apart from the page words in i18n.py; each function answers in the reader's language.
"""

import re
from collections.abc import Mapping
from typing import Final

from schemas.indicators import Lang

LEVELS: Final[Mapping[Lang, Mapping[str, str]]] = {
    "pl": {"voivodeship": "województwa", "powiat": "powiaty", "gmina": "gminy"},
    "en": {"voivodeship": "voivodeships", "powiat": "powiats", "gmina": "gminas"},
}

KINDS: Final[Mapping[Lang, Mapping[str, str]]] = {
    "pl": {
        "wojewodztwo": "województwo",
        "powiat_ziemski": "powiat",
        "miasto_na_prawach_powiatu": "miasto na prawach powiatu",
        "gmina_miejska": "gmina miejska",
        "gmina_wiejska": "gmina wiejska",
        "gmina_miejsko_wiejska": "gmina miejsko-wiejska",
        "miasto": "miasto w gminie miejsko-wiejskiej",
        "obszar_wiejski": "obszar wiejski gminy miejsko-wiejskiej",
        "dzielnica": "dzielnica",
        "delegatura": "delegatura",
    },
    "en": {
        "wojewodztwo": "voivodeship",
        "powiat_ziemski": "powiat",
        "miasto_na_prawach_powiatu": "city with powiat rights",
        "gmina_miejska": "urban gmina",
        "gmina_wiejska": "rural gmina",
        "gmina_miejsko_wiejska": "urban-rural gmina",
        "miasto": "town of an urban-rural gmina",
        "obszar_wiejski": "rural area of an urban-rural gmina",
        "dzielnica": "district of Warsaw",
        "delegatura": "city delegation",
    },
}

_GROUP_KINDS: Final[Mapping[Lang, Mapping[str, str]]] = {
    "pl": {
        "gmina_miejska": "gminy miejskie",
        "gmina_wiejska": "gminy wiejskie",
        "gmina_miejsko_wiejska": "gminy miejsko-wiejskie",
        "powiat_ziemski": "powiaty ziemskie",
        "miasto_na_prawach_powiatu": "miasta na prawach powiatu",
        "voivodeship": "wszystkie województwa",
    },
    "en": {
        "gmina_miejska": "urban gminas",
        "gmina_wiejska": "rural gminas",
        "gmina_miejsko_wiejska": "urban-rural gminas",
        "powiat_ziemski": "land powiats",
        "miasto_na_prawach_powiatu": "cities with powiat rights",
        "voivodeship": "all voivodeships",
    },
}

_CLASS_BOUNDS: Final = re.compile(r"^(\d+)k-(\d+)k$")


def _population_class(label: str, lang: Lang) -> str:
    pl = lang == "pl"
    if label == "unknown":
        return "liczba mieszkańców nieznana" if pl else "population unknown"
    if label.startswith("<"):
        number = label[1:].removesuffix("k")
        return f"poniżej {number} tys. mieszkańców" if pl else f"under {number},000 residents"
    if label.startswith(">="):
        number = label[2:].removesuffix("k")
        return f"{number} tys. mieszkańców i więcej" if pl else f"{number},000 residents or more"
    bounds = _CLASS_BOUNDS.match(label)
    if bounds:
        low, high = bounds.groups()
        return (
            f"od {low} do {high} tys. mieszkańców" if pl else f"{low},000 to {high},000 residents"
        )
    return label


def peer_group_label(code: str | None, lang: Lang) -> str:
    """'gmina_miejska:>=100k' -> 'gminy miejskie, 100 tys. mieszkańców i więcej'."""
    if code is None:
        return "brak grupy porównawczej" if lang == "pl" else "no peer group"
    kind, _, size = code.partition(":")
    words = _GROUP_KINDS[lang].get(kind, kind)
    return f"{words}, {_population_class(size, lang)}" if size else words


POLARITY: Final[Mapping[Lang, Mapping[str, str]]] = {
    "pl": {
        "higher_better": "Wyższa wartość jest lepsza.",
        "lower_better": "Niższa wartość jest lepsza.",
        "neutral": "Wskaźnik opisowy: ani wyższa, ani niższa wartość nie jest sama w sobie "
        "lepsza; miejsce w rankingu liczymy od największej wartości.",
    },
    "en": {
        "higher_better": "A higher value is better.",
        "lower_better": "A lower value is better.",
        "neutral": "Descriptive indicator: neither a higher nor a lower value is better in "
        "itself; ranks count from the largest value.",
    },
}

_FLAGS: Final[Mapping[Lang, Mapping[str, str]]] = {
    "pl": {
        "sum_of_gmina": "suma wartości gmin (wyliczona przez Miarkę)",
        "sum_of_powiat": "suma wartości powiatów (wyliczona przez Miarkę)",
        "partial_sum_of_gmina": "suma niepełna: części gmin brakuje danych",
        "partial_sum_of_powiat": "suma niepełna: części powiatów brakuje danych",
        "partial_sum_of_budgetary_units": "suma sprawozdań jednostek budżetowych (np. szkół), "
        "nie sprawozdanie całego samorządu: może być niepełna",
        "code_changed": "gmina zmieniła kod TERYT (zmiana rodzaju gminy); dane spod "
        "wcześniejszego kodu przypisano do kodu obowiązującego",
        "missing_at_source": "brak danych u źródła",
        "derived_copy": "kopia pośrednia danych GUS (przekształcona przez osobę trzecią)",
        "attribute_n": "brak wartości u źródła (atrybut „n” w eksporcie BDL)",
        "zero_at_source": "źródło podaje 0, czego ta wielkość nie może mieć: pominięto jako brak",
        "no_data_confidential_or_not_applicable": "dane niedostępne: tajemnica statystyczna "
        "lub zjawisko nie występuje",
        "preliminary_estimate": "status publikacji: dane wstępne (GUS: „szacunki wstępne”, "
        "symbol s w BDL); mogą jeszcze się zmienić",
        "revised_at_source": "status publikacji: dane korygowane (korekta sprawozdania Rb "
        "złożona po pierwszym, wersja powyżej 0)",
    },
    "en": {
        "sum_of_gmina": "sum of the gminas' values (computed by Miarka)",
        "sum_of_powiat": "sum of the powiats' values (computed by Miarka)",
        "partial_sum_of_gmina": "incomplete sum: some gminas have no data",
        "partial_sum_of_powiat": "incomplete sum: some powiats have no data",
        "partial_sum_of_budgetary_units": "sum of the reports of budgetary units (e.g. "
        "schools), not the report of the whole local government: may be incomplete",
        "code_changed": "the gmina's TERYT code changed (a change of its kind); figures under "
        "the earlier code are carried to the code in force",
        "missing_at_source": "no data at the source",
        "derived_copy": "an indirect copy of GUS data (reshaped by a third party)",
        "attribute_n": "no value at the source (attribute “n” in the BDL export)",
        "zero_at_source": "the source gives 0, which this quantity cannot be: left out as missing",
        "no_data_confidential_or_not_applicable": "not available: statistical confidentiality "
        "or not applicable",
        "preliminary_estimate": "publication status: preliminary (GUS: “szacunki wstępne”, "
        "symbol s in BDL); may still change",
        "revised_at_source": "publication status: revised (a corrected Rb report filed after "
        "the first one, version above 0)",
    },
}

# A publication status a value's flags state (issue 17), shown beside the number as a letter
# with its words for screen readers, and explained once in the page's legend.
PUBLICATION_STATUS: Final[Mapping[str, str]] = {
    "preliminary_estimate": "preliminary",
    "revised_at_source": "revised",
}
_STATUS_MARKS: Final[Mapping[Lang, Mapping[str, tuple[str, str]]]] = {
    "pl": {
        "preliminary": ("w", "dane wstępne: mogą jeszcze się zmienić"),
        "revised": ("k", "dane korygowane: źródło poprawiło pierwotnie opublikowane dane"),
    },
    "en": {
        "preliminary": ("p", "preliminary figures: may still change"),
        "revised": ("r", "revised figures: the source corrected the figures first published"),
    },
}


def status_marks(flags: list[str], lang: Lang) -> list[tuple[str, str]]:
    """(mark, words) of each publication status the flags state, once each, in a fixed order."""
    states = {PUBLICATION_STATUS[flag] for flag in flags if flag in PUBLICATION_STATUS}
    return [mark for status, mark in _STATUS_MARKS[lang].items() if status in states]


_DENOMINATOR_YEAR: Final = re.compile(r"^denominator_year_(\d{4})$")


def flag_text(flag: str, lang: Lang, denominator: str | None = None) -> str:
    """A value's flag in words; `denominator` names what the denominator measures."""
    year = _DENOMINATOR_YEAR.match(flag)
    if year:
        what = denominator or ("mianownik" if lang == "pl" else "denominator")
        if lang == "pl":
            return f"{what} wg stanu na {year.group(1)} r."
        return f"{what} as of {year.group(1)}"
    known = _FLAGS[lang].get(flag)
    if known:
        return known
    return f"oznaczenie źródła: {flag}" if lang == "pl" else f"source flag: {flag}"


DENOMINATOR_NAMES: Final[Mapping[Lang, Mapping[str, str]]] = {
    "pl": {"area_km2": "powierzchnia", "population.total": "liczba ludności"},
    "en": {"area_km2": "area", "population.total": "population"},
}
