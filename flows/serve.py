"""`envq serve`: the nightly schedule on a local Prefect server.

Prefect's temporary per-run server cannot schedule, so serve connects to the server named by
PREFECT_API_URL when one answers, or else starts `prefect server start` (on loopback unless
--host says otherwise) with Prefect's default SQLite database under PREFECT_HOME (data/prefect/,
the same database `envq run` writes, so the UI shows every night), registers the nightly
deployment with a cron schedule in the bureau's time zone and the operator's run options as
its parameters, and serves it. `--once` creates one run of the deployment,
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
from typing import Any
from uuid import UUID

from transforms.clock import bureau_timezone_name

log = logging.getLogger("envq.serve")

LOOPBACK = ("127.0.0.1", "localhost", "::1")
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
def local_server(port: int | None = None, host: str = "127.0.0.1") -> Iterator[str]:
    """Yield the API URL of a reachable Prefect server, starting one on `host` if needed."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured and _healthy(configured):
        yield configured
        return
    port = port or prefect_port()
    api_url = f"http://{_client_host(host)}:{port}/api"
    if _healthy(api_url):
        yield api_url
        return
    home = Path(os.environ.get("PREFECT_HOME", "data/prefect")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    env.pop("PREFECT_API_URL", None)
    if host not in LOOPBACK:
        log.warning(
            "the Prefect UI listens on %s: put a proxy with authentication in front of it "
            "(Prefect's server has no login of its own)",
            host,
        )
    command = [sys.executable, "-m", "prefect", "server", "start"]
    command += ["--host", host, "--port", str(port)]
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
            log.info("local Prefect server at %s (database under %s)", api_url, home)
            yield api_url
        finally:
            _stop(proc)


def prefect_port() -> int:
    """The port of the local Prefect server (ENVQ_PREFECT_PORT, default 4200)."""
    return int(os.environ.get("ENVQ_PREFECT_PORT", "4200"))


def _client_host(host: str) -> str:
    """Where this machine reaches a server listening on `host` (all interfaces: loopback)."""
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - a comparison


def running_server() -> str | None:
    """The API URL of a Prefect server already answering (PREFECT_API_URL, else the local
    port), so that `envq run` records its run where `envq serve` records the scheduled ones."""
    for url in (os.environ.get("PREFECT_API_URL"), f"http://127.0.0.1:{prefect_port()}/api"):
        if url and _healthy(url, timeout=1.0):
            return url
    return None


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
    cron: str,
    once: bool = False,
    host: str = "127.0.0.1",
    options: dict[str, Any] | None = None,
) -> int:
    """Register the nightly deployment on a local server and serve it (or run it once).

    options are the keyword arguments of every scheduled run (flows.cli.run_options: raw
    folder, warehouse, edition, language); None values are left to the flow's defaults.
    """
    with local_server(host=host) as api_url:
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            return asyncio.run(_serve_on(api_url, cron, once, options or {}))


async def _serve_on(api_url: str, cron: str, once: bool, options: dict[str, Any]) -> int:
    from prefect.deployments import arun_deployment
    from prefect.runner import Runner
    from prefect.schedules import Cron

    from flows.nightly import nightly

    timezone = bureau_timezone_name()
    parameters = {k: _parameter(v) for k, v in options.items() if v is not None}
    runner = Runner(name="envq", pause_on_shutdown=False)
    deployment_id = await runner.aadd_flow(
        nightly,
        name=DEPLOYMENT_NAME,
        schedules=[Cron(cron, timezone=timezone)],
        parameters=parameters,
        description="envq nightly: ingest, validate, build, publish, report",
    )
    shown = ", ".join(f"{k}={v}" for k, v in parameters.items()) or "defaults"
    print(f"deployment envq-nightly/{DEPLOYMENT_NAME} registered ({cron}, {timezone}) at {api_url}")
    print(f"each run: {shown}")
    if not once:
        due = await next_run_time(cron, dt.datetime.now(dt.UTC), timezone)
        print(f"next run at {due.isoformat()}; serving (Ctrl-C stops serve and its server)")
        await runner.start()
        return 0
    flow_run = await arun_deployment(deployment_id, timeout=0, as_subflow=False)
    await runner.start(run_once=True)
    state, message = await _final_state(flow_run.id)
    reason = f": {message}" if message else ""
    print(f"flow run {flow_run.name} ({flow_run.id}): {state}{reason}")
    return 0 if state == "COMPLETED" else 1


def _parameter(value: Any) -> Any:
    """A run option as a JSON value of the deployment (paths and dates as text)."""
    return (
        value.isoformat()
        if isinstance(value, dt.date)
        else str(value)
        if isinstance(value, Path)
        else value
    )


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


async def next_run_time(cron: str, after: dt.datetime, timezone: str | None = None) -> dt.datetime:
    """The first time after `after` that the cron fires in the bureau's time zone (default
    Asia/Shanghai), as the server counts."""
    from prefect.server.schemas.schedules import CronSchedule

    zone = timezone or bureau_timezone_name()
    (due,) = await CronSchedule(cron=cron, timezone=zone).get_dates(n=1, start=after)
    return due
