"""The command line as a new user meets it: help on every option, --version, validated
--format, shared options given anywhere, serve's run options, the platform check."""

from __future__ import annotations

import argparse

import pytest

from flows import cli


def _parsers(parser: argparse.ArgumentParser, path: str = "envq"):
    yield path, parser
    for action in parser._actions:  # noqa: SLF001 - argparse keeps subparsers only here
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for name, sub in action.choices.items():
                yield from _parsers(sub, f"{path} {name}")


def test_every_option_has_help_text():
    missing = [
        f"{path} {'/'.join(action.option_strings) or action.dest}"
        for path, parser in _parsers(cli.build_parser())
        for action in parser._actions  # noqa: SLF001
        if not isinstance(action, argparse._SubParsersAction)  # noqa: SLF001
        and not (action.help and action.help.strip())
    ]
    assert missing == []


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("envq ") and len(out.split()) == 2


def test_an_unknown_report_format_is_refused_and_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ENVQ_REPORTS", str(tmp_path / "reports"))
    with pytest.raises(SystemExit) as done:
        cli.main(["report", "--format", "pdf", "--warehouse", str(tmp_path / "x.duckdb")])
    assert done.value.code == 2
    assert "unknown format 'pdf'" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()
    assert cli.build_parser().parse_args(["report", "--format", "xlsx,html"]).format == (
        "xlsx",
        "html",
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["targets", "--warehouse", "{wh}", "check"],
        ["targets", "check", "--warehouse", "{wh}"],
        ["targets", "--warehouse", "{wh}", "check", "--as-of", "2026-01-01"],
    ],
)
def test_targets_check_honours_the_warehouse_wherever_it_is_given(tmp_path, capsys, argv):
    wh = tmp_path / "elsewhere.duckdb"
    argv = [a.replace("{wh}", str(wh)) for a in argv]
    assert cli.build_parser().parse_args(argv).warehouse == str(wh)
    assert cli.main(argv) == 1
    # the one-line reason names the given file, not the default warehouse
    err = capsys.readouterr().err.strip()
    assert err == f"envq targets 失败：{wh}: no published warehouse yet (run `envq run`)"


def test_serve_passes_the_run_options_to_every_scheduled_run():
    args = cli.build_parser().parse_args(
        ["serve", "--raw", "/srv/raw", "--lang", "en", "--standard", "2026", "--warehouse", "w"]
    )
    assert cli.run_options(args) == {
        "warehouse": "w",
        "raw": "/srv/raw",
        "edition": "2026",
        "lang": "en",
    }
    assert args.host == "127.0.0.1"


def test_run_and_serve_accept_the_same_run_options():
    def options(parser: argparse.ArgumentParser) -> set[str]:
        return {s for a in parser._actions for s in a.option_strings}  # noqa: SLF001

    subs = dict((p.split()[-1], parser) for p, parser in _parsers(cli.build_parser()))
    shared = {"--raw", "--lang", "--standard", "--warehouse"}
    assert shared <= options(subs["run"]) and shared <= options(subs["serve"])


@pytest.mark.parametrize(
    ("platform", "supported"), [("linux", True), ("darwin", True), ("win32", False)]
)
def test_unsupported_platforms_stop_with_one_line(platform, supported):
    reason = cli.check_platform(platform)
    assert (reason is None) == supported
    if not supported:
        assert reason == "unsupported platform 'win32': envq runs on Linux or macOS (see README)"


def test_log_lines_carry_the_bureau_clock(monkeypatch):
    import logging

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        monkeypatch.delenv("ENVQ_TIMEZONE", raising=False)
        cli._log_in_bureau_time()
        record = logging.LogRecord("envq", logging.INFO, __file__, 1, "x", None, None)
        record.created, record.msecs = 0.0, 0.0  # 1970-01-01 00:00 UTC is 08:00 in Shanghai
        assert handler.format(record) == "1970-01-01 08:00:00,000"
        monkeypatch.setenv("ENVQ_TIMEZONE", "Asia/Urumqi")  # UTC+6
        cli._log_in_bureau_time()
        assert handler.format(record) == "1970-01-01 06:00:00,000"
    finally:
        root.removeHandler(handler)


def test_serve_refuses_a_raw_folder_that_does_not_exist(tmp_path, capsys):
    missing = tmp_path / "incoming"
    assert cli.main(["serve", "--once", "--raw", str(missing)]) == 1
    assert capsys.readouterr().err.strip() == f"envq serve 失败：--raw {missing}: no such folder"
