"""flows.settings: every path from one home (--home, $ENVQ_HOME, else the demo's data/), the
per-path overrides, and which home may receive the synthetic sample."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows import stages
from flows.cli import build_parser
from flows.settings import WORKSPACE_MARKER, load_settings

ENV = ("ENVQ_HOME", "ENVQ_WAREHOUSE", "ENVQ_RAW", "ENVQ_CONFIG_DIR", "ENVQ_TARGETS", "ENVQ_REPORTS")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def layout(home: Path) -> dict[str, Path]:
    return {
        "warehouse": home / "warehouse" / "envq.duckdb",
        "raw": home / "raw",
        "config_dir": home / "config",
        "targets": home / "targets.yaml",
        "reports_dir": home / "reports",
    }


def paths(settings) -> dict[str, Path]:
    return {key: getattr(settings, key) for key in layout(Path())}


def test_default_home_is_the_demo_data_folder():
    s = load_settings()
    assert s.home == Path("data")
    assert paths(s) == layout(Path("data"))
    assert s.work_db == Path("data/warehouse/envq.work.duckdb")
    assert s.progress_config == Path("data/config/progress.yaml")


def test_env_home_then_flag_home(monkeypatch, tmp_path):
    monkeypatch.setenv("ENVQ_HOME", str(tmp_path / "env"))
    assert paths(load_settings()) == layout(tmp_path / "env")
    assert paths(load_settings(home=tmp_path / "flag")) == layout(tmp_path / "flag")


def test_warehouse_and_per_path_variables_override_the_home(monkeypatch, tmp_path):
    monkeypatch.setenv("ENVQ_REPORTS", str(tmp_path / "elsewhere"))
    s = load_settings(warehouse=tmp_path / "w.duckdb", home=tmp_path / "h")
    assert s.warehouse == tmp_path / "w.duckdb"
    assert s.reports_dir == tmp_path / "elsewhere"
    assert s.targets == tmp_path / "h" / "targets.yaml"


def test_every_command_takes_home():
    parser = build_parser()
    for argv in (["run"], ["ingest"], ["validate"], ["build"], ["report"], ["targets", "check"]):
        args = parser.parse_args([*argv, "--home", "/x"])
        assert args.home == "/x", argv


def test_only_the_demo_home_is_demo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    assert load_settings().is_demo
    assert load_settings(home=tmp_path / "data").is_demo  # the same folder, named absolutely
    assert not load_settings(home=tmp_path / "ws").is_demo
    (tmp_path / "data" / WORKSPACE_MARKER).write_text("region: x\n")
    assert not load_settings().is_demo  # a workspace made in data/ is a workspace


def test_a_workspace_never_gets_the_sample(tmp_path):
    home = tmp_path / "ws"
    (home / "raw").mkdir(parents=True)
    (home / WORKSPACE_MARKER).write_text("region: x\n")
    s = load_settings(home=home)
    assert stages.ensure_sample(s) is None
    assert list((home / "raw").iterdir()) == []
    with pytest.raises(stages.EmptyRawFolder, match=r"raw is empty: copy the CNEMC"):
        stages.check_raw(s)


def test_empty_raw_with_a_published_warehouse_only_warns(tmp_path, caplog):
    home = tmp_path / "ws"
    (home / "raw").mkdir(parents=True)
    (home / "warehouse").mkdir()
    (home / "warehouse" / "envq.duckdb").write_bytes(b"")
    assert stages.check_raw(load_settings(home=home)) is False
    assert "is empty" in caplog.text
    (home / "raw" / "a.csv").write_text("x\n")
    assert stages.check_raw(load_settings(home=home)) is True


def test_ingest_without_paths_in_an_empty_workspace_says_how_to_add_files(tmp_path, capsys):
    from flows.cli import main

    home = tmp_path / "ws"
    (home / "raw").mkdir(parents=True)
    assert main(["ingest", "--home", str(home)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is empty" in err and "envq ingest --home" in err


def test_run_in_an_empty_workspace_stops_with_the_hint(tmp_path, capsys):
    from flows.cli import main

    home = tmp_path / "ws"
    (home / "raw").mkdir(parents=True)
    (home / WORKSPACE_MARKER).write_text("region: x\n")
    assert main(["run", "--home", str(home), "--no-prefect"]) == 1
    err = capsys.readouterr().err
    assert "failed at stage 'raw'" in err and "is empty: copy the CNEMC" in err
    assert not (home / "raw" / "sample").exists()
    assert not (home / "warehouse" / "envq.duckdb").exists()


def test_serve_and_run_pass_the_home_made_absolute(tmp_path, monkeypatch):
    from flows.cli import run_options

    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args(["serve", "--home", "ws"])
    assert run_options(args)["home"] == str(tmp_path / "ws")
    assert "home" not in run_options(build_parser().parse_args(["serve"]))
