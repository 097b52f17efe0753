"""Reading raw files as they arrive: compressed or not, GBK or UTF-8 (with or without BOM)."""

from __future__ import annotations

import gzip
import hashlib
import lzma
from pathlib import Path

COMPRESSED_SUFFIXES = {".xz": lzma.decompress, ".gz": gzip.decompress}


class RawFileError(ValueError):
    """A raw file that cannot be read at all (encoding, empty, unknown format)."""

    def __init__(self, path: Path | str, rule: str, detail: str = "") -> None:
        self.path = str(path)
        self.rule = rule
        msg = f"{path}: {rule}" + (f" ({detail})" if detail else "")
        super().__init__(msg)


def sha256_of(path: Path) -> str:
    """sha256 of the file's bytes as stored (compressed files hash their compressed bytes)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def logical_name(path: Path) -> str:
    """The file name without a compression suffix: china_sites_20190101.csv.xz -> ...csv."""
    name = path.name
    for suffix in COMPRESSED_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def read_bytes(path: Path) -> bytes:
    """The file's content, decompressed when it ends in .xz or .gz."""
    data = path.read_bytes()
    for suffix, decompress in COMPRESSED_SUFFIXES.items():
        if path.name.endswith(suffix):
            try:
                return decompress(data)
            except (OSError, lzma.LZMAError, EOFError) as exc:
                raise RawFileError(path, "corrupt compressed file", str(exc)) from exc
    return data


def decode_text(data: bytes, path: Path | str = "<bytes>") -> tuple[str, str]:
    """Decode as UTF-8 (BOM stripped) or else GB18030 (a GBK superset); return (text, encoding)."""
    if not data.strip():
        raise RawFileError(path, "empty file")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError as exc:
        raise RawFileError(path, "unreadable encoding (neither UTF-8 nor GBK)", str(exc)) from exc
