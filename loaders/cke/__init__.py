"""CKE (Central Examination Board) results per school: the eighth-grade exam and the matura."""

from loaders.cke.e8_load import SOURCE as E8_SOURCE
from loaders.cke.e8_load import load_cke_e8
from loaders.cke.matura_load import SOURCE as MATURA_SOURCE
from loaders.cke.matura_load import load_cke_matura

__all__ = ["E8_SOURCE", "MATURA_SOURCE", "load_cke_e8", "load_cke_matura"]
