"""Name folding for search that ignores case and Polish diacritics (`lodz` finds Łódź)."""

import unicodedata

# Letters NFKD does not decompose into a base letter plus a combining mark.
_NO_DECOMPOSITION = str.maketrans({"ł": "l", "Ł": "l", "ß": "ss", "ø": "o", "Ø": "o"})


def fold(text: str) -> str:
    """Lower-case, strip diacritics and collapse whitespace, for matching only."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_NO_DECOMPOSITION))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())
