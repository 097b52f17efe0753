"""Publishing: readers keep the old state, the swap is atomic, one writer at a time."""

from __future__ import annotations

import duckdb
import pytest

from flows.publish import WarehouseBusy, open_working, publish, writer_lock, writing


def _write_value(work, published, value: int) -> None:
    con = open_working(published, work)
    con.execute("create or replace table t as select ? as v", [value])
    con.execute("checkpoint")
    con.close()
    publish(work, published)


def test_reader_keeps_old_state_while_a_run_publishes(tmp_path):
    published = tmp_path / "envq.duckdb"
    work = tmp_path / "envq.work.duckdb"
    _write_value(work, published, 1)
    reader = duckdb.connect(str(published), read_only=True)
    assert reader.execute("select v from t").fetchone() == (1,)
    _write_value(work, published, 2)  # the run never blocks on the reader
    assert reader.execute("select v from t").fetchone() == (1,)
    reader.close()
    fresh = duckdb.connect(str(published), read_only=True)
    assert fresh.execute("select v from t").fetchone() == (2,)
    fresh.close()
    assert not list(tmp_path.glob(".*.tmp"))


def test_working_db_is_seeded_from_published(tmp_path):
    published = tmp_path / "envq.duckdb"
    _write_value(tmp_path / "a.work.duckdb", published, 7)
    con = open_working(published, tmp_path / "b.work.duckdb")
    assert con.execute("select v from t").fetchone() == (7,)
    assert con.execute("select count(*) from load_log").fetchone() == (0,)
    con.close()


def test_second_writer_is_refused(tmp_path):
    work = tmp_path / "envq.work.duckdb"
    with writer_lock(work):
        with pytest.raises(WarehouseBusy, match="another envq run"):
            with writer_lock(work):
                pass
    with writer_lock(work):  # released after the first run
        pass


def test_writing_publishes_a_block_that_ends_well_and_nothing_else(tmp_path):
    published = tmp_path / "envq.duckdb"
    work = tmp_path / "envq.work.duckdb"
    with writing(published, work) as con:
        con.execute("create table t as select 1 as v")
    with pytest.raises(ValueError, match="stage failed"):
        with writing(published, work) as con:
            con.execute("create or replace table t as select 2 as v")
            raise ValueError("stage failed")
    reader = duckdb.connect(str(published), read_only=True)
    assert reader.execute("select v from t").fetchall() == [(1,)]
    reader.close()
    with writing(published, work) as con:  # the failed block's working copy is discarded
        assert con.execute("select v from t").fetchall() == [(1,)]
    assert not work.exists()
