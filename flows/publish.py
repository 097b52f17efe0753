"""The writer's working database and its atomic publication.

Analysts open the published file read-only. A run takes an exclusive lock, starts a fresh
working copy `<name>.work.duckdb` of the published file beside it (discarding whatever a
killed or failed run left), writes only there, and publishes by renaming the closed working
file over the published path (os.replace is atomic on POSIX). An analyst who holds the old
file open keeps reading the old state (its inode lives until the connection closes); a run
killed at any moment leaves the published file exactly as the last good run left it.

Before the rename the working file gets the data dictionary as comments on every table, view
and column (transforms/dictionary.yaml), and is rewritten in the storage version DuckDB 1.x
clients read ($ENVQ_STORAGE_VERSION, default v1.4.0) if an older run left it in another.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from transforms.dictionary import apply_comments
from transforms.warehouse import connect, rewrite_storage


class WarehouseBusy(RuntimeError):
    """Another envq run holds the writer's lock."""


@contextmanager
def writer_lock(work_db: Path) -> Iterator[None]:
    """Hold an exclusive, non-blocking lock for the working database.

    flock dies with its process, so a killed run never leaves a lock that blocks the next.
    """
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


def start_working(published: Path, work_db: Path) -> None:
    """Under the lock: drop a previous run's leftovers, then copy the published state to work on.

    A killed run may leave its working file (possibly with a WAL) and temporary copies; its
    files count as loaded only once published, so the new run starts from the published state
    and loads them again.
    """
    leftovers = [work_db, _wal(work_db), *_temporaries(work_db), *_temporaries(published)]
    for path in leftovers:
        path.unlink(missing_ok=True)
    if published.exists():
        _copy_atomically(published, work_db)


@contextmanager
def writing(published: Path, work_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Under the writer's lock, a fresh working copy to write on; published if the block ends well.

    One connection for the whole block (the CLI commands and `envq run --no-prefect`); the
    Prefect flow opens one per task instead and calls the pieces itself.
    """
    with writer_lock(work_db):
        start_working(published, work_db)
        con = open_working(published, work_db)
        try:
            yield con
            con.execute("checkpoint")
        finally:
            con.close()
        publish(work_db, published)


def open_working(published: Path, work_db: Path) -> duckdb.DuckDBPyConnection:
    """Open the working database, seeding it from the published one when it is missing."""
    if not work_db.exists() and published.exists():
        _copy_atomically(published, work_db)
    return connect(work_db)


def publish(work_db: Path, published: Path) -> None:
    """Comment, then rename the (closed) working database over the published one atomically."""
    con = connect(work_db)  # also folds a WAL left by an unclean close into the file
    try:
        apply_comments(con)
        con.execute("checkpoint")
    finally:
        con.close()
    rewrite_storage(work_db)
    _fsync(work_db)
    os.replace(work_db, published)
    _fsync_dir(published.parent)


def _wal(db: Path) -> Path:
    return db.with_name(db.name + ".wal")


def _temporaries(db: Path) -> list[Path]:
    return list(db.parent.glob(f".{db.name}.*.tmp"))


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _copy_atomically(src: Path, dst: Path) -> None:
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(src, tmp)
        _fsync(tmp)
        os.replace(tmp, dst)
        _fsync_dir(dst.parent)
    finally:
        tmp.unlink(missing_ok=True)
