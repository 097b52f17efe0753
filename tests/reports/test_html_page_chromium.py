"""reports.html_page in a real browser: headless Chromium (Debian's /usr/bin/chromium, installed
by the test set-up; nothing is downloaded) opens the page from file:// and, through the DevTools
protocol, the test checks that every Plotly div holds its SVG and that the page asked for nothing
but the file itself (Network domain: every request is file:, data: or blob:). A control page with
one remote image shows that such a request would be seen. Chromium also runs behind a proxy that
refuses everything, so not even its own background calls leave the machine.
"""

from __future__ import annotations

import itertools
import json
import re
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from reports.build import write_reports
from tests.reports.conftest import CITY

websockets_client = pytest.importorskip("websockets.sync.client")

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--remote-debugging-port=0",
)
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
PLOTS_JS = (
    "Array.from(document.querySelectorAll('div.js-plotly-plot'))"
    ".map(d => [d.id, d.querySelectorAll('svg.main-svg').length])"
)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed")


class RefusingProxy:
    """A TCP listener that closes every connection at once and counts them."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def __enter__(self) -> RefusingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.server.close()


class Browser:
    """Headless Chromium driven over the DevTools protocol (one page target, flat sessions)."""

    def __init__(self, profile: Path, proxy_port: int) -> None:
        self.proc = subprocess.Popen(
            [
                str(CHROMIUM),
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--proxy-server=http://127.0.0.1:{proxy_port}",
                "--proxy-bypass-list=<-loopback>",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        url = self._devtools_url()
        self.ws = websockets_client.connect(url, max_size=None, open_timeout=30)
        self.ids = itertools.count(1)
        self.events: list[dict] = []

    def _devtools_url(self) -> str:
        assert self.proc.stderr is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                return found.group(1)
            if not line and self.proc.poll() is not None:
                break
        raise RuntimeError("Chromium did not open its DevTools port")

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        msg_id = next(self.ids)
        msg: dict = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv(timeout=60))
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str, timeout: float = 60) -> None:
        if any(e.get("method") == method and e.get("sessionId") == session for e in self.events):
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            event = json.loads(self.ws.recv(timeout=timeout))
            self.events.append(event)
            if event.get("method") == method and event.get("sessionId") == session:
                return
        raise TimeoutError(method)

    def load(self, url: str) -> tuple[list[str], list]:
        """Open url in a fresh tab; return the URLs it requested and its Plotly divs' SVGs."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        self.call("Network.enable", session=session)
        self.call("Page.enable", session=session)
        self.call("Page.navigate", {"url": url}, session=session)
        self.wait_for("Page.loadEventFired", session)
        self.session = session  # the tab of the last page loaded, for further calls
        time.sleep(1.0)  # late requests (fonts, images set by script) would start by now
        plots = self.call(
            "Runtime.evaluate", {"expression": PLOTS_JS, "returnByValue": True}, session=session
        )["result"]["value"]
        requested = [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == session
        ]
        return requested, plots

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def test_every_chart_renders_and_nothing_is_fetched(report_warehouse, tmp_path):
    write_reports(report_warehouse, tmp_path, formats=("html",), region=CITY)
    page = tmp_path / f"envq_{CITY}_20260331_zh.html"
    control = tmp_path / "control.html"
    control.write_text('<html><body><img src="http://example.invalid/a.png"></body></html>')

    with RefusingProxy() as proxy:
        browser = Browser(tmp_path / "profile", proxy.port)
        try:
            requested, plots = browser.load(page.resolve().as_uri())
            control_requested, _ = browser.load(control.resolve().as_uri())
        finally:
            browser.close()

    assert [p[0] for p in plots] == [
        "fig-good",
        "fig-pm25",
        "fig-pm10",
        "fig-calendar",
        "fig-drivers",
    ]
    assert all(n >= 1 for _, n in plots), plots
    assert requested and all(u.startswith(LOCAL_SCHEMES) for u in requested), requested
    assert "http://example.invalid/a.png" in control_requested
