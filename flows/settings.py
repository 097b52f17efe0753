"""Paths and options of a run, read once from the CLI and the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_WAREHOUSE = Path("data/warehouse/envq.duckdb")
DEFAULT_RAW = Path("data/raw")
SAMPLE_DIR = Path("data/raw/sample")


@dataclass(frozen=True)
class Settings:
    """Where things are. Relative paths are taken from the current directory (the repo root)."""

    warehouse: Path
    raw: Path = DEFAULT_RAW
    config_dir: Path = Path("data/config")
    targets: Path = Path("data/targets.yaml")
    reports_dir: Path = Path("data/reports")

    @property
    def work_db(self) -> Path:
        """The writer's working database beside the published one."""
        return self.warehouse.with_name(self.warehouse.stem + ".work.duckdb")

    @property
    def quality_dir(self) -> Path:
        return self.reports_dir / "quality"


def load_settings(warehouse: str | Path | None = None, raw: str | Path | None = None) -> Settings:
    """Settings from arguments, then ENVQ_* environment variables, then defaults."""
    env = os.environ
    return Settings(
        warehouse=Path(warehouse or env.get("ENVQ_WAREHOUSE") or DEFAULT_WAREHOUSE),
        raw=Path(raw or env.get("ENVQ_RAW") or DEFAULT_RAW),
        config_dir=Path(env.get("ENVQ_CONFIG_DIR", "data/config")),
        targets=Path(env.get("ENVQ_TARGETS", "data/targets.yaml")),
        reports_dir=Path(env.get("ENVQ_REPORTS", "data/reports")),
    )
