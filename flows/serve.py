"""`envq serve`: the nightly schedule on a local Prefect server.

Prefect's temporary per-run server cannot schedule, so serve connects to the server named by
PREFECT_API_URL when one answers, or else starts `prefect server start` on loopback with its
own SQLite database under data/prefect/, registers the nightly deployment with a cron
schedule in Asia/Shanghai and serves it. `--once` creates one run of the deployment, executes
it with the same runner, stops, and exits with the run's outcome (used by tests).
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger("envq.serve")

TIMEZONE = "Asia/Shanghai"
DEPLOYMENT_NAME = "nightly"


def _healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as resp:  # noqa: S310
            return resp.status == 200
    except OSError:
        return False


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
    log_file = open(home / "server.log", "ab")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(  # noqa: S603 - fixed argument list
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while not _healthy(api_url):
            if proc.poll() is not None:
                raise RuntimeError(f"prefect server exited early; see {home / 'server.log'}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"prefect server did not answer on {api_url} within 120 s")
            time.sleep(0.5)
        log.info("local Prefect server at %s (database %s)", api_url, home / "server.db")
        yield api_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log_file.close()


def serve(cron: str, once: bool = False, warehouse: str | None = None) -> int:
    """Register the nightly deployment on a local server and serve it (or run it once)."""
    with local_server() as api_url:
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            return _serve_on(api_url, cron, once, warehouse)


def _serve_on(api_url: str, cron: str, once: bool, warehouse: str | None) -> int:
    from prefect.deployments import run_deployment
    from prefect.runner import Runner
    from prefect.schedules import Cron

    from flows.nightly import nightly

    parameters = {"warehouse": warehouse} if warehouse else {}
    runner = Runner(name="envq", pause_on_shutdown=False)
    deployment_id = runner.add_flow(
        nightly,
        name=DEPLOYMENT_NAME,
        schedules=[Cron(cron, timezone=TIMEZONE)],
        parameters=parameters,
        description="envq nightly: ingest, validate, build, publish, report",
    )
    print(f"deployment envq-nightly/{DEPLOYMENT_NAME} registered ({cron}, {TIMEZONE}) at {api_url}")
    if not once:
        runner.start()
        return 0
    flow_run = run_deployment(deployment_id, timeout=0)
    runner.start(run_once=True)
    state = _final_state(flow_run.id)
    print(f"flow run {flow_run.name}: {state}")
    return 0 if state == "COMPLETED" else 1


def _final_state(flow_run_id) -> str:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        deadline = time.monotonic() + 60
        while True:
            run = client.read_flow_run(flow_run_id)
            if run.state is not None and run.state.is_final():
                return run.state.type.value
            if time.monotonic() > deadline:
                return run.state.type.value if run.state else "UNKNOWN"
            time.sleep(1)
