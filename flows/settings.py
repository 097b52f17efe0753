"""Paths and options of a run, read once from the CLI and the environment.

Everything a run reads or writes lives in one home (workspace):

    <home>/config/        regions.csv, stations.csv, water_sections.csv, dust_days.csv,
                          progress.yaml
    <home>/targets.yaml   the assessment targets
    <home>/raw/           incoming files
    <home>/warehouse/     envq.duckdb (published) and envq.work.duckdb (the writer's)
    <home>/reports/       reports and Data Docs (reports/quality/)

The home is --home, else $ENVQ_HOME, else the project's own `data/` folder (relative to the
current directory, as before): the demo's home, which holds the synthetic sample. A bureau's
workspace is made by `envq init` and carries the marker file WORKSPACE_MARKER; the synthetic
sample is only ever generated into the demo home. Each path can still be overridden on its
own: --warehouse / $ENVQ_WAREHOUSE, --raw / $ENVQ_RAW, $ENVQ_CONFIG_DIR, $ENVQ_TARGETS,
$ENVQ_REPORTS.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEMO_HOME = Path("data")
# envq's own loggers, shown in the Prefect UI beside Prefect's (PREFECT_LOGGING_EXTRA_LOGGERS)
ENVQ_LOGGERS = ("envq", "flows", "transforms", "expectations", "reports")
WORKSPACE_MARKER = "envq-workspace.yaml"
WAREHOUSE_FILE = Path("warehouse/envq.duckdb")
DEFAULT_RAW = DEMO_HOME / "raw"


@dataclass(frozen=True)
class Settings:
    """Where things are. Relative paths are taken from the current directory."""

    warehouse: Path
    raw: Path = DEFAULT_RAW
    config_dir: Path = DEMO_HOME / "config"
    targets: Path = DEMO_HOME / "targets.yaml"
    reports_dir: Path = DEMO_HOME / "reports"
    home: Path = DEMO_HOME

    @property
    def work_db(self) -> Path:
        """The writer's working database beside the published one."""
        return self.warehouse.with_name(self.warehouse.stem + ".work.duckdb")

    @property
    def quality_dir(self) -> Path:
        return self.reports_dir / "quality"

    @property
    def progress_config(self) -> Path:
        """The target-progress settings file (docs/target_progress.md)."""
        return self.config_dir / "progress.yaml"

    @property
    def is_workspace(self) -> bool:
        """A bureau's workspace made by `envq init` (never gets the synthetic sample)."""
        return (self.home / WORKSPACE_MARKER).is_file()

    @property
    def is_demo(self) -> bool:
        """The project's own home with the synthetic sample (the default home, not a workspace)."""
        return not self.is_workspace and same_path(self.home, DEMO_HOME)


def resolve_home(home: str | Path | None = None) -> Path:
    """The home: the argument, else $ENVQ_HOME, else the demo home `data/`."""
    return Path(home or os.environ.get("ENVQ_HOME") or DEMO_HOME)


def load_settings(
    warehouse: str | Path | None = None,
    raw: str | Path | None = None,
    home: str | Path | None = None,
) -> Settings:
    """Settings from arguments, then ENVQ_* environment variables, then the home's layout."""
    env = os.environ
    root = resolve_home(home)
    return Settings(
        warehouse=Path(warehouse or env.get("ENVQ_WAREHOUSE") or root / WAREHOUSE_FILE),
        raw=Path(raw or env.get("ENVQ_RAW") or root / "raw"),
        config_dir=Path(env.get("ENVQ_CONFIG_DIR") or root / "config"),
        targets=Path(env.get("ENVQ_TARGETS") or root / "targets.yaml"),
        reports_dir=Path(env.get("ENVQ_REPORTS") or root / "reports"),
        home=root,
    )


def same_path(a: Path, b: Path) -> bool:
    """a and b name the same place (relative paths from the current directory)."""
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
