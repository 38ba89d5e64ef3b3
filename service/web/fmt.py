"""Numbers the way a Polish (or English) reader writes them, and missing shown as missing.

Digits, grouping and the decimal mark come from CLDR through Babel: Polish "806 200" (a no-break
space between thousands) and "5,9", English "806,200" and "5.9"; the currency symbol too ("zł",
"PLN"). Two choices are ours, kept from before CLDR: the true minus sign (U+2212) instead of a
hyphen, and a no-break space before "%" and the currency, as the indicator units are written.
A missing value is the words "brak danych", never 0.
"""

from decimal import Decimal
from typing import Final

from babel.numbers import format_decimal, get_currency_symbol

from schemas.indicators import Lang

NBSP: Final = "\u00a0"
MINUS: Final = "\u2212"
EN_DASH: Final = "\u2013"
TIMES: Final = "\u00d7"
MISSING: Final[dict[Lang, str]] = {"pl": "brak danych", "en": "no data"}
CURRENCY: Final = "PLN"


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def number(value: float | Decimal | None, decimals: int, lang: Lang) -> str:
    if value is None:
        return MISSING[lang]
    # Decimal(float) is the float's exact binary value and Babel rounds it half to even:
    # the same digits as Python's own "{:.1f}" (2.675 -> "2,67", 1.25 -> "1,2").
    magnitude = abs(value) if isinstance(value, Decimal) else Decimal(abs(value))
    text_ = format_decimal(magnitude, _pattern(decimals), locale=lang, decimal_quantization=True)
    sign = MINUS if value < 0 and text_.strip("0,.\u00a0\u202f") else ""
    return sign + text_


def integer(value: int | None, lang: Lang) -> str:
    return number(None if value is None else Decimal(value), 0, lang)


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
    return f"{number(value, 2, lang)}{NBSP}{get_currency_symbol(CURRENCY, lang)}"


def exact(value: Decimal | None, lang: Lang) -> str:
    """A decimal with as many places as it carries ("3 069,0785", "3 100")."""
    if value is None:
        return MISSING[lang]
    exponent = value.as_tuple().exponent
    return number(value, max(0, -exponent) if isinstance(exponent, int) else 0, lang)
