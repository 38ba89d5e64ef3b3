"""The manifest of shipped data files (`data/manifest.toml`), checked by sha256 before loading."""

import gzip
import hashlib
from datetime import date
from pathlib import Path

import msgspec

from loaders.errors import LoadRefused
from loaders.source_text import sha256_of

MANIFEST_NAME = "manifest.toml"


class ShippedFile(msgspec.Struct, frozen=True, kw_only=True):
    source: str
    path: str
    sha256: str
    publisher: str
    as_of: date | None = None
    year: int | None = None
    measure_unit: str | None = None
    description: str = ""
    table: str | None = None
    """BDL table of an export, e.g. "LUDN 2137"."""
    multiplier: float = 1.0
    """Converts the file's unit into the variable's (1000 for values in thousands)."""
    columns: dict[str, str] = {}
    """Export column header -> Miarka variable code."""
    negative_as_missing: list[str] = []
    """Columns whose negative counts are a known defect of the file: stored as missing."""
    additive: bool = True
    """False for rates and shares: never summed into powiats and voivodeships."""
    zero_as_missing: bool = False
    """A 0 the quantity cannot be (a wage, a gmina's own revenue) is a gap of the file: stored as
    missing, flagged `zero_at_source`."""


class Manifest(msgspec.Struct, frozen=True, kw_only=True):
    file: list[ShippedFile]


def read_manifest(data_dir: Path) -> Manifest:
    path = data_dir / MANIFEST_NAME
    try:
        return msgspec.toml.decode(path.read_bytes(), type=Manifest)
    except FileNotFoundError as exc:
        raise LoadRefused.one(str(path), "the data manifest is missing") from exc
    except msgspec.ValidationError as exc:
        raise LoadRefused.one(MANIFEST_NAME, f"invalid manifest: {exc}") from exc


def verified_path(data_dir: Path, entry: ShippedFile) -> Path:
    """The file's path, after checking it is the exact file the manifest names."""
    path = data_dir / entry.path
    if not path.is_file():
        raise LoadRefused.one(entry.path, "listed in the manifest but not present")
    # A `.gz` entry is shipped compressed: its sha256 is that of the published bytes.
    actual = sha256_of_gunzipped(path) if path.suffix == ".gz" else sha256_of(path)
    if actual != entry.sha256:
        raise LoadRefused.one(
            entry.path, f"sha256 {actual} differs from the manifest's {entry.sha256}"
        )
    return path


def sha256_of_gunzipped(path: Path) -> str:
    """The sha256 of a gzip file's content, streamed (the published bytes of a .gz entry)."""
    digest = hashlib.sha256()
    try:
        with gzip.open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except (OSError, EOFError) as exc:
        raise LoadRefused.one(path.name, f"not a readable gzip file: {exc}") from exc
    return digest.hexdigest()


def shipped_files(data_dir: Path, source: str | None = None) -> list[ShippedFile]:
    return [f for f in read_manifest(data_dir).file if source is None or f.source == source]
