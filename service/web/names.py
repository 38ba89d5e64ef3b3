"""Unit names as a reader expects them: "województwo śląskie", "powiat żywiecki", "Kraków".

TERC keeps voivodeship names in capitals and land powiats as bare adjectives ("żywiecki");
on a page they need the word that says what they are. Gminas keep their name; their kind
("gmina miejska") is shown beside it, since several gminas can share a name (Bolesławiec).
"""

from collections.abc import Iterable

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
