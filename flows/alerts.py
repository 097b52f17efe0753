"""Alerts to the bureau's channels: a failed run, a critical validation failure, and targets
that turned at_risk, off_track or cannot_be_met since the previous night.

The channels are data, in <home>/config/alerts.yaml (absent: no alerts; docs/operations.md):
webhook robots (DingTalk, WeCom, Feishu take a JSON POST whose body shape differs: one
template per channel, with {{subject}} and {{body}} placeholders) and SMTP e-mail. Webhooks
are sent by Prefect's CustomWebhookNotificationBlock and e-mail by apprise (installed with
Prefect); envq only decides what to say and to whom.

A target is announced once, on the night its status changes into one of the alert states;
the statuses of the last announced night are kept in <warehouse>.alerts.json beside the
published database, so a target that was already off track yesterday stays quiet. A failed
delivery is logged and does not fail the run; the state is then not advanced, so the next
night tells again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import yaml

from flows.settings import Settings
from transforms.clock import bureau_now

log = logging.getLogger("envq.alerts")

ALERT_STATES = ("at_risk", "off_track", "cannot_be_met")
# JSON bodies of the chat robots' text messages; {{subject}} and {{body}} are filled in
TEMPLATES: dict[str, dict[str, Any]] = {
    "dingtalk": {"msgtype": "text", "text": {"content": "{{subject}}\n{{body}}"}},
    "wecom": {"msgtype": "text", "text": {"content": "{{subject}}\n{{body}}"}},
    "feishu": {"msg_type": "text", "content": {"text": "{{subject}}\n{{body}}"}},
    "json": {"subject": "{{subject}}", "body": "{{body}}"},
}
SECURITY = {"ssl": "ssl", "starttls": "starttls", "none": "insecure"}
CHANNEL_KEYS = {
    "webhook": {"type", "name", "url", "template"},
    "email": {
        "type",
        "name",
        "smtp_host",
        "smtp_port",
        "security",
        "user",
        "password_env",
        "from",
        "to",
    },
}


class AlertConfigError(ValueError):
    """alerts.yaml is malformed; the message names the file and the channel."""


@dataclass(frozen=True)
class Channel:
    """One destination: a webhook robot or an SMTP mailbox."""

    kind: str
    name: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def alerts_path(settings: Settings) -> Path:
    """The bureau's alert channels (ENVQ_ALERTS, else <home>/config/alerts.yaml)."""
    return Path(os.environ.get("ENVQ_ALERTS") or settings.config_dir / "alerts.yaml")


def state_path(settings: Settings) -> Path:
    """Where the statuses of the last announced night are kept (beside the warehouse)."""
    return settings.warehouse.with_name(settings.warehouse.stem + ".alerts.json")


def load_channels(path: Path) -> list[Channel]:
    """The channels of alerts.yaml; [] when the file does not exist."""
    if not path.exists():
        return []
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise AlertConfigError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("channels", []), list):
        raise AlertConfigError(f"{path}: expected a mapping with a list under 'channels:'")
    channels = []
    for i, entry in enumerate(doc.get("channels") or [], start=1):
        where = f"{path}: channel {i}"
        if not isinstance(entry, dict) or entry.get("type") not in CHANNEL_KEYS:
            raise AlertConfigError(f"{where}: 'type' must be webhook or email")
        kind = entry["type"]
        unknown = set(entry) - CHANNEL_KEYS[kind]
        if unknown:
            raise AlertConfigError(f"{where}: unknown keys {sorted(unknown)}")
        if kind == "webhook":
            if not entry.get("url"):
                raise AlertConfigError(f"{where}: missing 'url'")
            template = entry.get("template", "json")
            if isinstance(template, str) and template not in TEMPLATES:
                raise AlertConfigError(
                    f"{where}: unknown template {template!r}; use {', '.join(TEMPLATES)} "
                    "or a JSON mapping with {{subject}} and {{body}}"
                )
            if not isinstance(template, str | dict):
                raise AlertConfigError(f"{where}: 'template' must be a name or a mapping")
        else:
            for key in ("smtp_host", "from", "to"):
                if not entry.get(key):
                    raise AlertConfigError(f"{where}: missing '{key}'")
            if entry.get("security", "starttls") not in SECURITY:
                raise AlertConfigError(f"{where}: 'security' must be ssl, starttls or none")
        name = str(entry.get("name") or f"{kind} {i}")
        channels.append(Channel(kind, name, {k: v for k, v in entry.items() if k != "type"}))
    return channels


def _webhook_block(channel: Channel) -> Any:
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    template = channel.options.get("template", "json")
    body = TEMPLATES[template] if isinstance(template, str) else template
    return CustomWebhookNotificationBlock(
        name=channel.name, url=channel.options["url"], json_data=body, timeout=15
    )


def email_url(channel: Channel) -> str:
    """The apprise mailto URL of an SMTP channel (the password from its environment variable)."""
    o = channel.options
    recipients = o["to"] if isinstance(o["to"], list) else [o["to"]]
    security = SECURITY[o.get("security", "starttls")]
    scheme = "mailtos" if security == "ssl" else "mailto"
    default_port = 465 if security == "ssl" else 587 if security == "starttls" else 25
    port = int(o.get("smtp_port") or default_port)
    user = quote(str(o.get("user") or ""), safe="")
    password_env = o.get("password_env")
    password = quote(os.environ.get(password_env, ""), safe="") if password_env else ""
    login = f"{user}:{password}@" if user else ""
    query = urlencode(
        {
            "smtp": o["smtp_host"],
            "from": o["from"],
            "to": ",".join(recipients),
            "mode": security,
            "format": "text",
        }
    )
    return f"{scheme}://{login}{o['smtp_host']}:{port}?{query}"


def deliver(channels: list[Channel], message: Message) -> list[str]:
    """Send the message to every channel; the names of those that failed (logged)."""
    failed = []
    for channel in channels:
        try:
            if channel.kind == "webhook":
                _webhook_block(channel).notify(message.body, message.subject)
            else:
                import apprise

                sender = apprise.Apprise()
                if not sender.add(email_url(channel)) or not sender.notify(
                    body=message.body, title=message.subject
                ):
                    raise RuntimeError("the SMTP server did not accept the message")
            log.info("alert sent to %s: %s", channel.name, message.subject)
        except Exception as exc:  # noqa: BLE001 - one channel down must not stop the others
            log.warning("alert to %s failed: %s", channel.name, exc)
            failed.append(channel.name)
    return failed


def _zh(lang: str) -> bool:
    return lang != "en"


def _stamp() -> str:
    now = bureau_now()
    return f"{now:%Y-%m-%d %H:%M} {getattr(now.tzinfo, 'key', '')}".rstrip()


def current_statuses(warehouse: Path, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """target_progress rows of the latest (or given) as-of date of its year, with names (the
    configured targets: standard limits shown for regions without targets raise no alert)."""
    from flows.targets_check import assessed
    from transforms.targets.progress import progress_rows
    from transforms.warehouse import connect

    con = connect(warehouse, read_only=True)
    try:
        rows = progress_rows(con, as_of, None)
    finally:
        con.close()
    return assessed(rows).to_dict("records")


def target_key(row: dict[str, Any]) -> str:
    return f"{row['region_code']}|{row['year']}|{row['period']}|{row['indicator']}"


def changes(rows: list[dict[str, Any]], previous: dict[str, str]) -> list[dict[str, Any]]:
    """Rows whose status is an alert state and differs from the previous night's."""
    return [
        {**r, "previous_status": previous.get(target_key(r))}
        for r in rows
        if r["status"] in ALERT_STATES and previous.get(target_key(r)) != r["status"]
    ]


def target_message(events: list[dict[str, Any]], lang: str) -> Message:
    """One message listing each target that changed, with the number that decides it."""
    from reports import i18n
    from reports.headline import key_number, target_name

    zh = _zh(lang)
    as_of = events[0]["as_of"]
    day = str(as_of)[:10]  # a date or a pandas Timestamp: YYYY-MM-DD
    lines = []
    for e in events:
        before = e.get("previous_status")
        now = i18n.indicator(e["status"], lang)
        change = f"{i18n.indicator(before, lang)} → {now}" if before else now
        number = key_number(e, lang)
        sep = "：" if zh else ": "
        line = f"{e['region_name']} ({e['region_code']}) {target_name(e, lang)}{sep}{change}"
        lines.append(line + (f"{'；' if zh else '; '}{number}" if number else ""))
    if zh:
        subject = f"envq 目标预警：{len(events)} 项目标状态变化（截至 {day}）"
        lines.append(f"发送时间 {_stamp()}")
    else:
        subject = f"envq target alert: {len(events)} targets changed (as of {day})"
        lines.append(f"sent {_stamp()}")
    return Message(subject, "\n".join(lines))


def failure_message(reason: str, run_id: str, critical: bool, lang: str) -> Message:
    """A failed run, or a run stopped by a critical validation failure."""
    if _zh(lang):
        subject = "envq 数据校验严重失败，夜间运行已停止" if critical else "envq 夜间运行失败"
        body = f"{reason}\n运行 {run_id}；已发布的数据保持上次结果。\n发送时间 {_stamp()}"
    else:
        subject = (
            "envq: critical validation failure, nightly run stopped"
            if critical
            else "envq: nightly run failed"
        )
        body = f"{reason}\nrun {run_id}; the published data are left as they were.\n"
        body += f"sent {_stamp()}"
    return Message(subject, body)


def alert_targets(settings: Settings, lang: str = "zh", as_of: dt.date | None = None) -> int:
    """After a published run: announce the targets that changed into an alert state.

    Returns the number of targets announced (0: nothing changed, or no channel configured).
    """
    try:
        channels = load_channels(alerts_path(settings))
    except AlertConfigError as exc:  # the night's data are published: say it, do not fail
        log.error("no alerts tonight: %s", exc)
        return 0
    if not channels:
        return 0
    rows = current_statuses(settings.warehouse, as_of)
    path = state_path(settings)
    previous = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    events = changes(rows, previous.get("statuses", {}))
    if events and deliver(channels, target_message(events, lang)):
        return 0  # not advanced: tomorrow tells again
    state = {
        "as_of": str(rows[0]["as_of"])[:10] if rows else None,
        "statuses": {target_key(r): r["status"] for r in rows},
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
    return len(events)


def alert_failure(
    settings: Settings, reason: str, run_id: str, critical: bool, lang: str = "zh"
) -> None:
    """Tell the channels that a run failed (critical: stopped by the quality checks)."""
    try:
        channels = load_channels(alerts_path(settings))
    except AlertConfigError as exc:
        log.warning("no failure alert: %s", exc)
        return
    if channels:
        deliver(channels, failure_message(reason, run_id, critical, lang))
