"""Unit names as a reader expects them: "województwo śląskie", "powiat żywiecki", "Kraków".

TERC keeps voivodeship names in capitals and land powiats as bare adjectives ("żywiecki");
on a page they need the word that says what they are. Gminas keep their name; their kind
("gmina miejska") is shown beside it, since several gminas can share a name (Bolesławiec).
"""

from collections.abc import Iterable, Mapping

from domains.units.kinds import KIND_BY_RODZ
from schemas.indicators import Lang
from schemas.units import UnitRef
from service.web.labels import KINDS


def display_name(name: str, kind: str, lang: Lang) -> str:
    if kind == "wojewodztwo":
        return f"województwo {name.lower()}" if lang == "pl" else f"{name.lower()} voivodeship"
    if kind == "powiat_ziemski":
        return f"powiat {name}"
    return name


def kind_words(kind: str, lang: Lang) -> str:
    return KINDS[lang].get(kind, kind)


def place_of(parents: Iterable[UnitRef], lang: Lang) -> str:
    """ "powiat żywiecki, województwo śląskie" from the parents, nearest first."""
    return ", ".join(display_name(p.name, p.kind, lang) for p in parents)


def context_from_codes(teryt: str, names: Mapping[str, tuple[str, str]], lang: Lang) -> str:
    """Where a unit lies, from a {teryt: (name, kind)} map of powiats and voivodeships."""
    parts = []
    for code in (teryt[:4], teryt[:2]):
        if code != teryt and code in names:
            name, kind = names[code]
            parts.append(display_name(name, kind, lang))
    return ", ".join(parts)


def kind_of(level: str, name: str, teryt: str) -> str:
    """The kind of a unit where a row lacks `kind` (values, neighbours).

    TERC writes voivodeships in capitals, land powiats as lower-case adjectives ("żywiecki")
    and cities with powiat rights as capitalised names ("Kraków"); a gmina's kind is the RODZ
    digit at the end of its code.
    """
    if level == "voivodeship":
        return "wojewodztwo"
    if level == "powiat":
        return "powiat_ziemski" if name[:1].islower() else "miasto_na_prawach_powiatu"
    kind = KIND_BY_RODZ.get(teryt[6:7])
    return kind.value if kind else ""
