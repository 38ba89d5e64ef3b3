"""Pieces several pages build the same way: a link to a unit, what a value means, its notes."""

from domains.indicators.catalogue import Indicator
from schemas.indicators import Lang, ValueRow
from schemas.units import UnitRef
from service.web.context import Meaning, Ui, UnitLink
from service.web.i18n import pick
from service.web.labels import DENOMINATOR_NAMES, POLARITY, flag_text
from service.web.names import display_name, kind_words, place_of


def unit_link(teryt: str, name: str, kind: str, ui: Ui, context: str = "") -> UnitLink:
    return UnitLink(
        teryt=teryt,
        name=display_name(name, kind, ui.lang),
        kind=kind_words(kind, ui.lang),
        href=ui.url("web-unit", teryt=teryt),
        context=context,
    )


def ref_link(unit: UnitRef, ui: Ui, parents: list[UnitRef] | None = None) -> UnitLink:
    """A link to `unit`, saying where it lies when its `parents` are given."""
    context = place_of(parents, ui.lang) if parents else ""
    return unit_link(unit.teryt, unit.name, unit.kind, ui, context)


def flags_in_words(indicator: Indicator, flags: list[str], lang: Lang) -> list[str]:
    denominator = indicator.formula.denominator
    what = DENOMINATOR_NAMES[lang].get(denominator[0].code) if denominator else None
    return [flag_text(flag, lang, what) for flag in flags]


def meaning_of(indicator: Indicator, lang: Lang, value: ValueRow | None = None) -> Meaning:
    return Meaning(
        definition=pick(indicator, "description", lang),
        polarity=POLARITY[lang][indicator.polarity],
        source=indicator.source,
        caveats=pick(indicator, "caveats", lang),
        year=value.year if value else None,
        flags=flags_in_words(indicator, value.flags, lang) if value else [],
    )
