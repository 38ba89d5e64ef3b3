"""Turn a published file (plain or zipped) into text, telling its encoding apart honestly.

Polish public registers come as UTF-8 (with or without BOM) or, in older downloads, as
Windows-1250. Anything else (UTF-16, an HTML error page, a binary, a broken ZIP) is refused
with a message that says what the file looks like instead.
"""

import codecs
import fnmatch
import hashlib
import zipfile
from io import BytesIO
from pathlib import Path

import msgspec

from loaders.errors import LoadRefused

ZIP_MAGIC = b"PK\x03\x04"


class SourceText(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    """Name shown in messages: the file name, or `archive.zip:member.csv`."""
    text: str
    encoding: str
    sha256: str
    """Of the file as given (the ZIP itself when zipped)."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_source_text(path: Path, member_pattern: str = "*.csv") -> SourceText:
    """Read `path`, unzipping the one member matching `member_pattern` when it is a ZIP."""
    if not path.is_file():
        raise LoadRefused.one(path.name, "file not found", code="missing_file")
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    name = path.name
    if raw.startswith(ZIP_MAGIC) or path.suffix.lower() == ".zip":
        name, raw = _unzip_member(path.name, raw, member_pattern)
    text, encoding = decode(name, raw)
    return SourceText(file=name, text=text, encoding=encoding, sha256=sha)


def _unzip_member(name: str, raw: bytes, pattern: str) -> tuple[str, bytes]:
    try:
        with zipfile.ZipFile(BytesIO(raw)) as archive:
            members = [m for m in archive.namelist() if fnmatch.fnmatch(m.lower(), pattern.lower())]
            if len(members) != 1:
                listed = ", ".join(archive.namelist()) or "none"
                raise LoadRefused.one(
                    name,
                    f"expected exactly one member matching {pattern} (members: {listed})",
                    code="missing_file",
                )
            return f"{name}:{members[0]}", archive.read(members[0])
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, OSError) as exc:
        raise LoadRefused.one(
            name, f"not a readable ZIP archive (truncated?): {exc}", code="unreadable_file"
        ) from exc


def decode(name: str, raw: bytes) -> tuple[str, str]:
    """Decode as UTF-8 (BOM optional) or Windows-1250; return (text, encoding)."""
    if not raw.strip():
        raise LoadRefused.one(name, "the file is empty", code="unreadable_file")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in raw[:4096]:
        raise LoadRefused.one(
            name,
            "the file is UTF-16 or binary; save it as UTF-8 (as GUS publishes it)",
            code="wrong_encoding",
        )
    if raw.startswith(codecs.BOM_UTF8):
        return _decode_utf8(name, raw[len(codecs.BOM_UTF8) :], bom=True), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if not raw[: exc.start].isascii():
            # UTF-8 letters before the bad byte: a UTF-8 file with a foreign part, not
            # Windows-1250 (whose first Polish letter is never valid UTF-8). Name that row.
            _decode_utf8(name, raw, bom=False)
    try:
        return raw.decode("cp1250"), "cp1250"
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        raise LoadRefused.one(
            name,
            f"byte 0x{raw[exc.start]:02x} is neither UTF-8 nor Windows-1250 text",
            row=row,
            code="wrong_encoding",
        ) from exc


def _decode_utf8(name: str, raw: bytes, *, bom: bool) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        marker = "has a UTF-8 BOM but " if bom else ""
        raise LoadRefused.one(
            name,
            f"the file {marker}holds byte 0x{raw[exc.start]:02x}, which is not valid UTF-8 "
            "(mixed encodings?)",
            row=row,
            code="wrong_encoding",
        ) from exc
