"""The published warehouse opens in DuckDB 1.x (R's package, DBeaver's driver, older command
lines): it is written in storage version v1.4.0 unless ENVQ_STORAGE_VERSION chooses another.

The 1.x client runs in a separate virtual environment made here from a pinned package (kept in
pytest's cache between runs); the test skips, saying why, when the package cannot be installed.
"""

from __future__ import annotations

import json
import subprocess
import venv
from pathlib import Path

import duckdb
import pytest

from flows.publish import open_working, publish
from transforms.dictionary import tables
from transforms.warehouse import STORAGE_VERSION_ENV, file_storage_version, rewrite_storage

CLIENTS = ("1.4.4", "1.5.6")  # the oldest release the format serves, and DBeaver's current
READ = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(json.dumps({
    "version": duckdb.__version__,
    "rows": con.execute("select count(*) from load_log").fetchall()[0][0],
    "values": con.execute("select v from t order by v").fetchall(),
    "table_comment": con.execute(
        "select comment from duckdb_tables() where table_name = 'load_log'").fetchall()[0][0],
    "column_comment": con.execute(
        "select comment from duckdb_columns() where table_name = 'load_log' "
        "and column_name = 'sha256'").fetchall()[0][0],
}))
"""


@pytest.fixture(scope="module", params=CLIENTS)
def client(request) -> Path:
    """The python of a virtual environment holding duckdb==<version> only."""
    version = request.param
    folder = Path(request.config.cache.mkdir(f"duckdb-{version}-client"))
    python = folder / "bin" / "python"
    ready = folder / "installed"
    if not ready.exists():
        venv.create(folder, with_pip=True, clear=True)
        done = subprocess.run(  # noqa: S603 - fixed argument list
            [str(python), "-m", "pip", "install", "-q", f"duckdb=={version}"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.skip(f"duckdb=={version} could not be installed: {last}")
        ready.write_text(version, encoding="utf-8")
    return python


def _publish_sample(folder: Path) -> Path:
    published, work = folder / "envq.duckdb", folder / "envq.work.duckdb"
    con = open_working(published, work)
    con.execute("create table t as select * from range(3) r(v)")
    con.execute("insert into load_log values ('ab', 'x.csv', 'cnemc', 1, 0, now(), 'loaded', '')")
    con.execute("checkpoint")
    con.close()
    publish(work, published)
    return published


def _read_with(python: Path, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed argument list
        [str(python), "-c", READ, str(db)], capture_output=True, text=True, timeout=120
    )


def test_duckdb_1x_opens_the_published_file_with_its_comments(client, tmp_path, monkeypatch):
    monkeypatch.delenv(STORAGE_VERSION_ENV, raising=False)
    published = _publish_sample(tmp_path)
    done = _read_with(client, published)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got["version"].startswith("1.")
    assert got["rows"] == 1 and got["values"] == [[0], [1], [2]]
    assert got["table_comment"].startswith(tables()["load_log"].entry.zh)
    assert got["column_comment"].startswith("文件指纹 / SHA-256")


def test_the_newer_format_on_request_and_back(client, tmp_path, monkeypatch):
    monkeypatch.setenv(STORAGE_VERSION_ENV, "latest")
    published = _publish_sample(tmp_path)
    with duckdb.connect(str(published), read_only=True) as con:
        assert not file_storage_version(con).startswith("v1.")
    refused = _read_with(client, published)
    assert refused.returncode != 0 and "version number" in refused.stderr
    # the next publication in the default format rewrites the file (tables, rows, comments)
    monkeypatch.delenv(STORAGE_VERSION_ENV)
    assert rewrite_storage(published) is True
    assert rewrite_storage(published) is False
    done = _read_with(client, published)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows"] == 1


def test_an_unknown_storage_version_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(STORAGE_VERSION_ENV, "v1.4.0'; drop table t; --")
    with pytest.raises(ValueError, match="expected a version such as v1.4.0, or latest"):
        _publish_sample(tmp_path)
