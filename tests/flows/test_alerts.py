"""Alerts reach a local webhook and a local SMTP sink (both on 127.0.0.1, started here; nothing
leaves the machine): once for a target that turned off_track, never again while it stays so."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from flows import alerts
from flows.settings import Settings
from tests.reports.conftest import CITY, build_report_warehouse

controller_module = pytest.importorskip("aiosmtpd.controller")


class Hook(ThreadingHTTPServer):
    """A webhook robot: records (path, JSON body) of every POST and answers 200."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                length = int(self.headers["Content-Length"])
                hook.posts.append((self.path, json.loads(self.rfile.read(length))))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"errcode":0}')

            def log_message(self, *args) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Sink:
    """aiosmtpd handler keeping every message."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"


@pytest.fixture
def report_warehouse(tmp_path: Path) -> Path:
    """The reports' small published warehouse (targets of 2026-03-31 in several states)."""
    return build_report_warehouse(tmp_path / "published.duckdb")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def hook():
    server = Hook()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def sink():
    handler = Sink()
    port = _free_port()
    controller = controller_module.Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    yield handler
    controller.stop()


def _settings(tmp_path: Path, warehouse: Path, hook: Hook, smtp_port: int) -> Settings:
    config = tmp_path / "config"
    config.mkdir()
    (config / "alerts.yaml").write_text(
        "channels:\n"
        "  - {type: webhook, name: 钉钉值班群, template: dingtalk,\n"
        f"     url: '{hook.url}/robot/send?access_token=t'}}\n"
        f"  - {{type: webhook, name: 飞书, template: feishu, url: '{hook.url}/feishu'}}\n"
        "  - {type: email, name: 科室邮箱, smtp_host: 127.0.0.1, "
        f"smtp_port: {smtp_port}, security: none,\n"
        "     from: envq@example.org, to: [duty@example.org]}\n",
        encoding="utf-8",
    )
    return Settings(warehouse=warehouse, config_dir=config)


def _set_status(warehouse: Path, region: str, indicator: str, status: str) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(
            "update target_progress set status = ? where region_code = ? and indicator = ? "
            "and as_of = (select max(as_of) from target_progress)",
            [status, region, indicator],
        )
    finally:
        con.close()


def test_a_target_turning_off_track_is_told_once(report_warehouse, tmp_path, hook, sink):
    settings = _settings(tmp_path, report_warehouse, hook, sink.port)
    # the night before: the city's good days were on track; the fixture's other targets in
    # danger (city PM2.5 at risk, county PM2.5 lost, section WQ2 off track) are told then
    _set_status(report_warehouse, CITY, "good_days", "on_track")
    assert alerts.alert_targets(settings) == 3
    assert len(hook.posts) == 2 and len(sink.messages) == 1
    hook.posts.clear()
    sink.messages.clear()

    # tonight the good days fall off track: one target changed, one message per channel
    _set_status(report_warehouse, CITY, "good_days", "off_track")
    assert alerts.alert_targets(settings) == 1
    line = "安康市 (610900) 优良天数：进度正常 → 进度滞后；余下 275 天中至少 239 天需为优良"
    posts = dict(hook.posts)
    assert sorted(posts) == ["/feishu", "/robot/send?access_token=t"]
    ding, feishu = posts["/robot/send?access_token=t"], posts["/feishu"]
    assert ding["msgtype"] == "text"
    subject, body = ding["text"]["content"].split("\n", 1)
    assert subject == "envq 目标预警：1 项目标状态变化（截至 2026-03-31）"
    assert body.splitlines()[0] == line
    assert body.splitlines()[1].startswith("发送时间 ") and body.endswith("Asia/Shanghai")
    assert feishu == {"msg_type": "text", "content": {"text": ding["text"]["content"]}}
    (mail,) = sink.messages
    assert mail["Subject"] == subject
    assert mail["To"] == "duty@example.org"
    assert line in mail.get_body(("plain",)).get_content()

    # the next night nothing changed: no message at all
    hook.posts.clear()
    sink.messages.clear()
    assert alerts.alert_targets(settings) == 0
    assert hook.posts == [] and sink.messages == []


def test_a_channel_down_keeps_the_change_for_the_next_night(report_warehouse, tmp_path, hook):
    closed = _free_port()  # nothing listens there
    settings = _settings(tmp_path, report_warehouse, hook, closed)
    assert alerts.alert_targets(settings) == 0  # the mail failed: not advanced
    assert len(hook.posts) == 2
    assert not alerts.state_path(settings).exists()
    assert alerts.alert_targets(settings) == 0
    assert len(hook.posts) == 4  # told again


def test_a_failed_run_is_told(tmp_path, hook, sink):
    settings = _settings(tmp_path, tmp_path / "envq.duckdb", hook, sink.port)
    reason = "failed at stage 'validate': CriticalValidationFailure: 2 critical expectation(s)"
    alerts.alert_failure(settings, reason, "20261206T020000-abc123", critical=True)
    (mail,) = sink.messages
    assert mail["Subject"] == "envq 数据校验严重失败，夜间运行已停止"
    text = mail.get_body(("plain",)).get_content()
    assert reason in text and "20261206T020000-abc123" in text


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        (
            "{type: webhook, url: 'http://x', template: slack}",
            "channel 1: unknown template 'slack'",
        ),
        ("{type: pager, url: 'http://x'}", "channel 1: 'type' must be webhook or email"),
        ("{type: email, smtp_host: h, from: a@b}", "channel 1: missing 'to'"),
        ("{type: webhook, url: 'http://x', colour: red}", "channel 1: unknown keys ['colour']"),
    ],
)
def test_a_bad_channel_names_the_file_and_the_channel(tmp_path, entry, says):
    path = tmp_path / "alerts.yaml"
    path.write_text(f"channels:\n  - {entry}\n", encoding="utf-8")
    with pytest.raises(alerts.AlertConfigError) as err:
        alerts.load_channels(path)
    assert str(err.value) == f"{path}: {says}" or str(err.value).startswith(f"{path}: {says}")


def test_no_configuration_no_alerts(report_warehouse, tmp_path):
    settings = Settings(warehouse=report_warehouse, config_dir=tmp_path)
    assert alerts.alert_targets(settings) == 0
    assert not alerts.state_path(settings).exists()
