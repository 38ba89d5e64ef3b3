"""Numbers the way a Polish (or English) reader writes them, and missing shown as missing.

Polish: a no-break space between thousands and a decimal comma ("806 200", "5,9"), the true
minus sign; English: "806,200", "5.9". A missing value is the words "brak danych", never 0.
"""

from decimal import Decimal
from typing import Final

from schemas.indicators import Lang

NBSP: Final = "\u00a0"
MINUS: Final = "\u2212"
EN_DASH: Final = "\u2013"
TIMES: Final = "\u00d7"
MISSING: Final[dict[Lang, str]] = {"pl": "brak danych", "en": "no data"}


def number(value: float | Decimal | None, decimals: int, lang: Lang) -> str:
    if value is None:
        return MISSING[lang]
    text_ = f"{abs(value):,.{decimals}f}"
    if lang == "pl":
        text_ = text_.replace(",", NBSP).replace(".", ",")
    sign = MINUS if value < 0 and text_.strip("0,.\u00a0") else ""
    return sign + text_


def integer(value: int | None, lang: Lang) -> str:
    return number(None if value is None else float(value), 0, lang)


def signed_percent(value: float | None, lang: Lang) -> str:
    """A change in %, with its sign and the true minus: "+3,2 %", "\u22121,0 %"."""
    if value is None:
        return MISSING[lang]
    text_ = number(value, 1, lang)
    return (text_ if value < 0 else "+" + text_) + (f"{NBSP}%" if lang == "pl" else "%")


def amount(value: Decimal | None, lang: Lang) -> str:
    """Money to the grosz with its currency: "42 216 201,19 zł", "42,216,201.19 PLN"."""
    if value is None:
        return MISSING[lang]
    return f"{number(value, 2, lang)}{NBSP}{'zł' if lang == 'pl' else 'PLN'}"


def exact(value: Decimal | None, lang: Lang) -> str:
    """A decimal with as many places as it carries ("3 069,0785", "3 100")."""
    if value is None:
        return MISSING[lang]
    exponent = value.as_tuple().exponent
    return number(value, max(0, -exponent) if isinstance(exponent, int) else 0, lang)
