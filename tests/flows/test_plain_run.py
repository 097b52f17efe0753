"""`envq run --no-prefect`: a failed stage says where and why, and publishes nothing."""

from __future__ import annotations

import duckdb
import pytest

from flows.plain_run import StageFailed, failure_reason, run_plainly
from tests.conftest import REPO_ROOT


def test_failure_reason_is_one_line_naming_the_stage():
    exc = OSError("disk full\nsecond line")
    assert failure_reason("publish", exc) == "failed at stage 'publish': OSError: disk full"
    assert failure_reason("build", KeyError()) == "failed at stage 'build': KeyError"


def test_a_failed_stage_leaves_the_published_warehouse_as_it_was(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    config = tmp_path / "config"
    config.mkdir()
    (config / "regions.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    monkeypatch.setenv("ENVQ_CONFIG_DIR", str(config))
    monkeypatch.setenv("ENVQ_REPORTS", str(tmp_path / "reports"))
    published = tmp_path / "wh" / "envq.duckdb"
    published.parent.mkdir()
    con = duckdb.connect(str(published))
    con.execute("create table last_good as select 42 as v")
    con.close()
    inode = published.stat().st_ino

    with pytest.raises(StageFailed, match=r"^failed at stage 'configure': ConfigError: .*regions"):
        run_plainly(warehouse=str(published), raw=str(tmp_path / "raw"))

    assert published.stat().st_ino == inode
    con = duckdb.connect(str(published), read_only=True)
    assert con.execute("select v from last_good").fetchall() == [(42,)]
    con.close()
