"""Running `envq` as a child process in the flows tests: in its own session (so that it can be
killed with the Prefect server or workers it starts), from the repository root, with the
analytics of GX and Prefect off and no Prefect API of the calling shell."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from tests.conftest import REPO_ROOT

QUIET = {"GX_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
         "DO_NOT_TRACK": "1"}


def start_envq(*args: str, env: dict[str, str] | None = None, stdout: Any = subprocess.PIPE,
               stderr: Any = subprocess.STDOUT) -> subprocess.Popen[bytes]:
    """`python -m flows.cli ARGS` started, not waited for."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    full.update(QUIET, **(env or {}))
    return subprocess.Popen(  # noqa: S603 - fixed argument list
        [sys.executable, "-m", "flows.cli", *args],
        cwd=REPO_ROOT, env=full, stdout=stdout, stderr=stderr, start_new_session=True,
    )


def kill(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group if it is still running, and reap it."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
