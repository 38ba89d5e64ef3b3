"""GUS table 12: population of every gmina by single year of age (0-29) and educational group."""

from loaders.gus_ages.load import SOURCE, load_gus_ages

__all__ = ["SOURCE", "load_gus_ages"]
