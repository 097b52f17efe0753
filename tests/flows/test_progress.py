"""Progress: plain log lines without a terminal (no escape codes), a rich bar on one."""

from __future__ import annotations

import io
import logging

from flows.progress import Progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _messages(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "envq.progress"]


def test_plain_mode_logs_every_ten_per_cent_and_the_end(caplog):
    stream = io.StringIO()
    caplog.set_level(logging.INFO, logger="envq.progress")
    with Progress("ingest", 20, stream=stream) as bar:
        for _ in range(20):
            bar.advance()
    lines = _messages(caplog)
    assert not bar.is_bar
    assert len(lines) == 10  # 10 %, 20 %, ... 90 % while running, then 20/20 at the end
    assert lines[0].startswith("ingest: 2/20 files (10%)")
    assert lines[4].startswith("ingest: 10/20 files (50%)")
    assert lines[-1].startswith("ingest: 20/20 files (100%)")
    assert stream.getvalue() == ""  # nothing drawn when the stream is not a terminal
    assert not any("\x1b" in line for line in lines)


def test_plain_mode_with_few_steps_logs_each_crossing_once(caplog):
    caplog.set_level(logging.INFO, logger="envq.progress")
    with Progress("generate", 3, unit="days", stream=io.StringIO(), every_pct=25) as bar:
        for _ in range(3):
            bar.advance()
    lines = _messages(caplog)
    assert [line.split(" (")[0] for line in lines] == [
        "generate: 1/3 days",
        "generate: 2/3 days",
        "generate: 3/3 days",
    ]


def test_nothing_to_do_logs_one_final_line(caplog):
    caplog.set_level(logging.INFO, logger="envq.progress")
    with Progress("ingest", 0, stream=FakeTerminal()) as bar:
        assert not bar.is_bar  # no bar for an empty task, even on a terminal
    assert [m.split(" 0.")[0] for m in _messages(caplog)] == ["ingest: 0/0 files (100%)"]


def test_terminal_draws_a_bar_and_logs_nothing(caplog):
    stream = FakeTerminal()
    caplog.set_level(logging.INFO, logger="envq.progress")
    with Progress("ingest", 3, stream=stream) as bar:
        assert bar.is_bar
        for _ in range(3):
            bar.advance()
    assert _messages(caplog) == []
    assert "\x1b[" in stream.getvalue()  # a redrawn bar, on the terminal only
    assert "3/3" in stream.getvalue()
