"""The kinds of partnership Miarka records, with their Polish and English names."""

from typing import Final

from schemas.partnerships import PartnershipKind

KIND_NAMES: Final[dict[PartnershipKind, tuple[str, str]]] = {
    "of": ("obszar funkcjonalny (OF)", "functional area (OF)"),
    "zit_iit": (
        "Zintegrowane Inwestycje Terytorialne (ZIT/IIT)",
        "Integrated Territorial Investments (ZIT/ITI)",
    ),
    "lgd": ("lokalna grupa działania (LGD)", "local action group (LAG)"),
    "zwiazek_miedzygminny": ("związek międzygminny", "union of gminas"),
    "porozumienie_terytorialne": ("porozumienie terytorialne", "territorial agreement"),
    "other": ("inna forma współpracy", "other form of cooperation"),
}
MEMBER_LEVELS: Final = ("gmina", "powiat")
