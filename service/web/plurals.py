"""Count phrases with the plural form CLDR gives a number (Babel's plural rules).

Polish has three forms for whole numbers, picked by the last digits, not by "one or more":
1 jednostka, 2-4 / 22-24 jednostki, 5-21 / 25-31 jednostek ("one", "few", "many"; "other" is
for fractions); English has "one" and "other". The forms themselves are in i18n.py (COUNTS).
"""

from functools import cache

from babel import Locale
from babel.plural import PluralRule

from schemas.indicators import Lang
from service.web import fmt
from service.web.i18n import COUNTS


@cache
def plural_rule(lang: Lang) -> PluralRule:
    return Locale.parse(lang).plural_form


def plural_categories(lang: Lang) -> frozenset[str]:
    """Every category a number can fall in for `lang`, "other" included."""
    return frozenset(plural_rule(lang).tags) | {"other"}


def count_phrase(phrase: str, n: int, lang: Lang) -> str:
    """`phrase` of COUNTS for `n`, the number written as the reader writes it."""
    return COUNTS[lang][phrase][plural_rule(lang)(n)].format(n=fmt.integer(n, lang))
