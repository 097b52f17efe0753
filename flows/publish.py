"""The writer's working database and its atomic publication.

Analysts open the published file read-only. A run writes only to `<name>.work.duckdb` beside
it, under an exclusive lock, and publishes by copying the closed working file to a temporary
name and renaming it over the published path (os.replace is atomic on POSIX). An analyst who
holds the old file open keeps reading the old state; a run killed at any moment leaves the
published file exactly as the last good run left it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from transforms.warehouse import connect


class WarehouseBusy(RuntimeError):
    """Another envq run holds the writer's lock."""


@contextmanager
def writer_lock(work_db: Path) -> Iterator[None]:
    """Hold an exclusive, non-blocking lock for the working database."""
    work_db.parent.mkdir(parents=True, exist_ok=True)
    lock_path = work_db.with_suffix(".lock")
    with open(lock_path, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise WarehouseBusy(f"{work_db}: another envq run is writing") from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def open_working(published: Path, work_db: Path) -> duckdb.DuckDBPyConnection:
    """Open the working database, seeding it from the published one when it is missing."""
    if not work_db.exists() and published.exists():
        _copy_atomically(published, work_db)
    return connect(work_db)


def publish(work_db: Path, published: Path) -> None:
    """Replace the published database by the (closed) working one in one atomic step."""
    _copy_atomically(work_db, published)


def _copy_atomically(src: Path, dst: Path) -> None:
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(src, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dst)
        dir_fd = os.open(dst.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        if tmp.exists():
            tmp.unlink()
