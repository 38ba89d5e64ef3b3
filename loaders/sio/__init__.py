"""SIO (education information system) school volumes: pupils and teacher FTEs per school."""

from loaders.sio.load import SOURCE, load_sio
from loaders.sio.parse import SchoolRecord, SioBatch, parse_sio

__all__ = ["SOURCE", "SchoolRecord", "SioBatch", "load_sio", "parse_sio"]
