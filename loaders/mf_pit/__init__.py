"""Ministry of Finance statements of each JST's share in PIT, stored beside the Rb-27S reports."""

from loaders.mf_pit.load import SOURCE, load_mf_pit

__all__ = ["SOURCE", "load_mf_pit"]
