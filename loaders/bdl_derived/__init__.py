"""Third-party copies of BDL powiat series (`Code, County, Year, <value>`), flagged as such."""

from loaders.bdl_derived.load import load_bdl_derived

__all__ = ["load_bdl_derived"]
