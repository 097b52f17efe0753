"""The bureau's clock: run ids, "generated at" stamps and alert times are in its time zone.

Servers often run on UTC; a Chinese bureau reads times in Asia/Shanghai, so every stamp a person
reads is taken in ENVQ_TIMEZONE (an IANA name, default Asia/Shanghai) instead of the server's.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Shanghai"


def bureau_timezone_name() -> str:
    """The configured IANA time zone name (ENVQ_TIMEZONE), default Asia/Shanghai."""
    return os.environ.get("ENVQ_TIMEZONE") or DEFAULT_TIMEZONE


def bureau_timezone() -> ZoneInfo:
    """The bureau's time zone; ValueError naming the variable when the name is unknown."""
    name = bureau_timezone_name()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"ENVQ_TIMEZONE: unknown time zone {name!r}") from exc


def bureau_now() -> dt.datetime:
    """The current time in the bureau's time zone (aware)."""
    return dt.datetime.now(bureau_timezone())
