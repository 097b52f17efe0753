"""Progress of long loops: a rich bar on a terminal, plain log lines everywhere else.

A bureau's nightly run writes to a log file, where a redrawn bar would be noise full of
escape codes; a person at a terminal wants to see that a national year is moving. So the
same `advance()` calls draw a bar when the stream is a TTY, and otherwise log one line at
every `every_pct` per cent (and at the end), e.g. `ingest: 37/365 files (10%) 12.3 s`.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import IO, Any

log = logging.getLogger("envq.progress")


class Progress:
    """Count `total` steps of one task; a context manager that closes the bar or logs the end."""

    def __init__(
        self,
        description: str,
        total: int,
        unit: str = "files",
        stream: IO[str] | None = None,
        every_pct: int = 10,
        logger: logging.Logger | None = None,
    ) -> None:
        self.description, self.total, self.unit = description, max(0, total), unit
        self.done = 0
        self.every_pct = max(1, every_pct)
        self.logger = logger or log
        self._stream = stream if stream is not None else sys.stderr
        self._next_pct = self.every_pct
        self._start = time.perf_counter()
        self._bar: Any = None
        self._task: Any = None
        if _is_tty(self._stream) and self.total:
            self._start_bar()

    @property
    def is_bar(self) -> bool:
        return self._bar is not None

    def _start_bar(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(self.unit),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(file=self._stream),
            transient=False,
        )
        self._bar.start()
        self._task = self._bar.add_task(self.description, total=self.total)

    def advance(self, steps: int = 1) -> None:
        """Count `steps` more steps done; redraw the bar or log when a threshold is crossed."""
        self.done += steps
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done)
            return
        if not self.total:
            return
        pct = 100 * self.done // self.total
        if pct >= self._next_pct and self.done < self.total:
            self._log_line()
            self._next_pct = (pct // self.every_pct + 1) * self.every_pct

    def _log_line(self) -> None:
        pct = 100 * self.done // self.total if self.total else 100
        self.logger.info(
            "%s: %d/%d %s (%d%%) %.1f s",
            self.description,
            self.done,
            self.total,
            self.unit,
            pct,
            time.perf_counter() - self._start,
        )

    def close(self) -> None:
        """Stop the bar, or log the final count."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        else:
            self._log_line()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def file_progress(description: str, total: int) -> Progress:
    """Progress over files on stderr (module-level, so a spawned child process can use it)."""
    return Progress(description, total, unit="files")


def _is_tty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
