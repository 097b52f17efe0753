"""`envq serve`: the schedule's times, and one run of the deployment on a local server."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
import sqlite3
import urllib.request

import duckdb
import pytest

from flows.serve import local_server, next_run_time
from tests.flows.processes import kill, start_envq

UTC = dt.UTC
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize(
    ("now_utc", "due_shanghai"),
    [
        # 01:59 in Shanghai: tonight's 02:00 is still ahead
        (dt.datetime(2026, 1, 1, 17, 59, tzinfo=UTC), dt.datetime(2026, 1, 2, 2, 0)),
        # 02:30 in Shanghai (18:30 UTC the day before): the next is tomorrow's
        (dt.datetime(2026, 1, 1, 18, 30, tzinfo=UTC), dt.datetime(2026, 1, 3, 2, 0)),
        # 20:00 UTC on 28 Feb is 04:00 on 1 March in Shanghai
        (dt.datetime(2026, 2, 28, 20, 0, tzinfo=UTC), dt.datetime(2026, 3, 2, 2, 0)),
    ],
)
def test_nightly_schedule_fires_at_two_in_shanghai(now_utc, due_shanghai):
    due = asyncio.run(next_run_time("0 2 * * *", now_utc))
    assert due.astimezone(SHANGHAI).replace(tzinfo=None) == due_shanghai
    assert due.utcoffset() == dt.timedelta(hours=8)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _api(api_url: str, path: str, body: dict) -> list[dict]:
    request = urllib.request.Request(
        f"{api_url}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as resp:  # noqa: S310 - loopback
        return json.loads(resp.read())


def _envq(args: list[str], env: dict[str, str]) -> str:
    proc = start_envq(*args, env=env)
    try:
        out, _ = proc.communicate(timeout=600)
    finally:
        kill(proc)
    text = out.decode(errors="replace")
    assert proc.returncode == 0, text[-3000:]
    return text


@pytest.mark.e2e
def test_serve_once_runs_the_deployment_with_the_given_raw_folder(tmp_path, monkeypatch):
    """serve --once reads --raw (no variable), runs the deployment, leaves its summary, and
    the server's API lists envq's own log lines of that run; a later `envq run` finds the
    same server and records its run there too."""
    from transforms.sample.data import write_sample

    raw = tmp_path / "raw"
    write_sample(raw, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 6))
    warehouse = tmp_path / "wh" / "envq.duckdb"
    home = tmp_path / "prefect"
    port = _free_port()
    env = {
        "PREFECT_HOME": str(home),
        "ENVQ_PREFECT_PORT": str(port),
        "ENVQ_REPORTS": str(tmp_path / "reports"),
        "ENVQ_RETRY_DELAYS": "1,1",
    }
    monkeypatch.setenv("PREFECT_HOME", str(home))  # the test's own server (local_server)
    monkeypatch.setenv("ENVQ_PREFECT_PORT", str(port))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("ENVQ_RAW", raising=False)
    with local_server(port=port) as api_url:  # the operator's long-running server
        text = _envq(["serve", "--once", "--warehouse", str(warehouse), "--raw", str(raw)], env)
        assert "registered (0 2 * * *, Asia/Shanghai)" in text
        assert f"raw={raw}" in text
        runs = _api(api_url, "/flow_runs/filter", {"sort": "EXPECTED_START_TIME_ASC"})
        served = [r for r in runs if r["state_type"] == "COMPLETED"]
        assert len(served) == 1 and served[0]["parameters"]["raw"] == str(raw)
        logs = _api(
            api_url,
            "/logs/filter",
            {"logs": {"flow_run_id": {"any_": [served[0]["id"]]}}, "limit": 200},
        )
        names = {log["name"] for log in logs}
        # envq's own loggers, not only Prefect's (the air marts' build line is envq's)
        assert any(log["name"] == "envq" and "air marts" in log["message"] for log in logs)
        assert {n for n in names if not n.startswith("prefect")} >= {"envq"}

        # `envq run` records its run in the same server (and database) as the nights
        _envq(["run", "--warehouse", str(warehouse), "--raw", str(raw)], env)
        runs = _api(api_url, "/flow_runs/filter", {"sort": "EXPECTED_START_TIME_ASC"})
        completed = [r for r in runs if r["state_type"] == "COMPLETED"]
        assert len(completed) == 2 and completed[1]["deployment_id"] is None

    assert not _port_open(port), "the server was left running"
    db = sqlite3.connect(home / "prefect.db")
    try:
        runs = db.execute(
            "select r.id, r.state_type, r.expected_start_time from flow_run r "
            "join deployment d on d.id = r.deployment_id where d.name = 'nightly' "
            "order by r.expected_start_time"
        ).fetchall()
        schedules = db.execute("select schedule from deployment_schedule").fetchall()
        artifacts = dict(
            db.execute("select key, data from artifact where flow_run_id = ?", [runs[0][0]])
        )
    finally:
        db.close()
    # the triggered run completed; the server's scheduler queued the coming nights at 02:00
    assert runs[0][1] == "COMPLETED"
    queued = [dt.datetime.fromisoformat(start) for _, state, start in runs[1:]]
    assert queued and all(state == "SCHEDULED" for _, state, _ in runs[1:])
    for start in queued:
        local = start.replace(tzinfo=start.tzinfo or UTC).astimezone(SHANGHAI)
        assert (local.hour, local.minute) == (2, 0)
    assert json.loads(schedules[0][0]) == {
        "cron": "0 2 * * *",
        "timezone": "Asia/Shanghai",
        "day_or": True,
    }
    summary = json.loads(artifacts["envq-run-summary"])
    assert summary.startswith("# envq 运行摘要")  # the run's language, zh by default
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        loaded = con.execute("select count(*) from load_log where status = 'loaded'").fetchall()
    finally:
        con.close()
    assert loaded[0][0] > 0
    assert f"文件：{loaded[0][0]} 个" in summary
    assert str(warehouse) in summary
    assert "envq-run-failure" not in artifacts
