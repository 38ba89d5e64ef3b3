"""The Ministry of Education's national register of schools and institutions (SIO/RSPO)."""

from loaders.schools.load import load_schools

__all__ = ["load_schools"]
