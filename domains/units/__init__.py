"""Territorial units: the TERYT register every figure is joined to."""
