"""`envq serve`: the nightly schedule on a local Prefect server.

Prefect's temporary per-run server cannot schedule, so serve connects to the server named by
PREFECT_API_URL when one answers, or else starts `prefect server start` on loopback with its
own SQLite database under data/prefect/ (PREFECT_HOME), registers the nightly deployment with
a cron schedule in Asia/Shanghai and serves it. `--once` creates one run of the deployment,
executes it with the same runner, prints its outcome and exits with it (used by tests). A
server that serve started stops with serve (also when serve is killed); one it connected to
is left running.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

log = logging.getLogger("envq.serve")

TIMEZONE = "Asia/Shanghai"
DEPLOYMENT_NAME = "nightly"
SERVER_START_TIMEOUT = 120.0
_PR_SET_PDEATHSIG = 1


def _healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as resp:  # noqa: S310
            return resp.status == 200
    except OSError:
        return False


def _die_with_parent() -> None:
    """In the server's process (Linux): receive SIGTERM when serve ends, even by SIGKILL."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@contextlib.contextmanager
def local_server(port: int | None = None) -> Iterator[str]:
    """Yield the API URL of a reachable Prefect server, starting one on loopback if needed."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured and _healthy(configured):
        yield configured
        return
    port = port or int(os.environ.get("ENVQ_PREFECT_PORT", "4200"))
    api_url = f"http://127.0.0.1:{port}/api"
    if _healthy(api_url):
        yield api_url
        return
    home = Path(os.environ.get("PREFECT_HOME", "data/prefect")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_API_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{home / 'server.db'}",
    )
    env.pop("PREFECT_API_URL", None)
    command = [sys.executable, "-m", "prefect", "server", "start"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with open(home / "server.log", "ab") as log_file:
        proc = subprocess.Popen(  # noqa: S603 - fixed argument list
            command,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - only a prctl call
        )
        try:
            _wait_until_healthy(proc, api_url, home)
            log.info("local Prefect server at %s (database %s)", api_url, home / "server.db")
            yield api_url
        finally:
            _stop(proc)


def _wait_until_healthy(proc: subprocess.Popen[bytes], api_url: str, home: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while not _healthy(api_url):
        if proc.poll() is not None:
            raise RuntimeError(f"prefect server exited early; see {home / 'server.log'}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"prefect server did not answer on {api_url} in time")
        time.sleep(0.5)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def serve(
    cron: str, once: bool = False, warehouse: str | None = None, home: str | None = None
) -> int:
    """Register the nightly deployment on a local server and serve it (or run it once).

    home (an absolute path) is passed to every scheduled run: the runs of a bureau's
    workspace read and write there whatever the server's current directory."""
    with local_server() as api_url:
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            return asyncio.run(_serve_on(api_url, cron, once, warehouse, home))


async def _serve_on(
    api_url: str, cron: str, once: bool, warehouse: str | None, home: str | None
) -> int:
    from prefect.deployments import arun_deployment
    from prefect.runner import Runner
    from prefect.schedules import Cron

    from flows.nightly import nightly

    parameters = {
        key: value for key, value in (("warehouse", warehouse), ("home", home)) if value
    }
    runner = Runner(name="envq", pause_on_shutdown=False)
    deployment_id = await runner.aadd_flow(
        nightly,
        name=DEPLOYMENT_NAME,
        schedules=[Cron(cron, timezone=TIMEZONE)],
        parameters=parameters,
        description="envq nightly: ingest, validate, build, publish, report",
    )
    print(f"deployment envq-nightly/{DEPLOYMENT_NAME} registered ({cron}, {TIMEZONE}) at {api_url}")
    if not once:
        due = await next_run_time(cron, dt.datetime.now(dt.UTC))
        print(f"next run at {due.isoformat()}; serving (Ctrl-C stops serve and its server)")
        await runner.start()
        return 0
    flow_run = await arun_deployment(deployment_id, timeout=0, as_subflow=False)
    await runner.start(run_once=True)
    state, message = await _final_state(flow_run.id)
    reason = f": {message}" if message else ""
    print(f"flow run {flow_run.name} ({flow_run.id}): {state}{reason}")
    return 0 if state == "COMPLETED" else 1


async def _final_state(flow_run_id: UUID, timeout: float = 60.0) -> tuple[str, str]:
    """The run's final state type and, unless it completed, its one-line message."""
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        deadline = time.monotonic() + timeout
        while True:
            run = await client.read_flow_run(flow_run_id)
            state = run.state
            if state is not None and (state.is_final() or time.monotonic() > deadline):
                lines = (state.message or "").splitlines()
                return state.type.value, "" if state.is_completed() or not lines else lines[0]
            if state is None and time.monotonic() > deadline:
                return "UNKNOWN", ""
            await asyncio.sleep(1)


async def next_run_time(cron: str, after: dt.datetime) -> dt.datetime:
    """The first time after `after` that the cron fires in Asia/Shanghai (as the server counts)."""
    from prefect.server.schemas.schedules import CronSchedule

    (due,) = await CronSchedule(cron=cron, timezone=TIMEZONE).get_dates(n=1, start=after)
    return due
