"""Reading raw files as they arrive: compressed or not, GBK or UTF-8 (with or without BOM)."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import lzma
import re
from pathlib import Path

COMPRESSED_SUFFIXES = {".xz": lzma.decompress, ".gz": gzip.decompress}
# Excel workbooks: a format may read them itself, else transforms.ingest.workbooks reads them
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


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


# Files that travel with the data and describe it (README, 数据说明.txt, URL and city lists,
# PDFs): an ingest skips them as documentation instead of failing on "no known format".
# Only files that no format claims are judged, so tianqihoubao's output.txt stays data while
# 数据说明.txt beside it is documentation; a .csv or .json no format claims still fails.
DOCUMENT_SUFFIXES = frozenset(
    {".md", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".odt", ".rtf", ".html", ".htm"}
)
DOCUMENT_NAME_PREFIXES = ("README", "LICENSE", "NOTICE", "CHANGELOG", "SHA256SUMS")
# Checked on the raw bytes: in UTF-8 and GBK text these bytes are never part of a Chinese
# character, except "|" as a GBK trail byte, which can only make a file look tabular (and
# so fail as before), never hide a table.
TABLE_DELIMITERS = (b",", b"\t", b";", b"|")


class DocumentationFile(RawFileError):
    """A file no format claims that describes the data rather than holding it."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path, "documentation")


def is_documentation(path: Path, head: bytes) -> bool:
    """Documentation by name (README*, LICENSE*, ..., *说明*), by a document suffix (.md,
    .pdf, .docx, .xlsx, .html, ...), or a .txt whose first five non-empty lines have no
    delimiter (prose or a plain list: no table a format could read). Call it only for a file
    that no format claims."""
    name = logical_name(path)
    suffix = Path(name).suffix.lower()
    if suffix in DOCUMENT_SUFFIXES:
        return True
    if name.upper().startswith(DOCUMENT_NAME_PREFIXES) or "说明" in name:
        return True
    if suffix != ".txt":
        return False
    lines = [line.strip() for line in head.splitlines() if line.strip()][:5]
    return not any(d in line for line in lines for d in TABLE_DELIMITERS)


def date_in_name(name: str) -> dt.date | None:
    """The date a file name carries as YYYYMMDD or YYYY-MM-DD (整改台账_20261130.xlsx), if any."""
    m = re.search(r"(?<!\d)((?:19|20)\d\d)-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?!\d)", name)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
