"""User-defined groups of units (functional areas, partnerships), shareable by id."""
