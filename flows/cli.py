"""The `envq` command line (see the CLI contract in docs/ and README.md).

Every command but `envq init` takes --home (the workspace: default $ENVQ_HOME, else the
project's data/, the demo's home with the synthetic sample) and --warehouse (default
$ENVQ_WAREHOUSE, else <home>/warehouse/envq.duckdb); `envq init` makes a bureau's workspace
(flows/workspace.py). Every command prints a short summary and exits non-zero with a one-line
reason on failure. Commands that write work on the working database and publish it atomically
at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from flows.settings import ENVQ_LOGGERS, Settings, load_settings

for _var, _val in (
    ("GX_ANALYTICS_ENABLED", "false"),
    ("PREFECT_SERVER_ANALYTICS_ENABLED", "false"),
    ("DO_NOT_TRACK", "1"),
    # the temporary API of `envq run` migrates a fresh database first: 20 s is short on a busy host
    ("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"),
    # `envq run` and `envq serve` keep their history in one Prefect database (the UI shows
    # every night), and the UI shows envq's own log lines beside Prefect's
    ("PREFECT_HOME", str(Path("data/prefect").resolve())),
    ("PREFECT_LOGGING_EXTRA_LOGGERS", ",".join(ENVQ_LOGGERS)),
    # ...and outside a flow run (envq ingest, --no-prefect) those loggers only log locally
    ("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore"),
):
    os.environ.setdefault(_var, _val)

if TYPE_CHECKING:
    import duckdb

log = logging.getLogger("envq")


class CliError(RuntimeError):
    """A failure reported as one line and a non-zero exit."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _run_id() -> str:
    from flows.stages import new_run_id

    return new_run_id()


def _writing(settings: Settings) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    """Open the working database under the writer's lock; publish on success."""
    from flows.publish import writing

    return writing(settings.warehouse, settings.work_db)


def cmd_run(args: argparse.Namespace) -> int:
    from flows.summary import run_summary_lines

    if args.no_prefect:
        from flows.plain_run import run_plainly as run
    else:
        from flows.serve import running_server

        api_url = running_server()  # record the run where `envq serve` records the nights
        if api_url:
            os.environ["PREFECT_API_URL"] = api_url
        from flows.nightly import nightly as run

    summary = run(**run_options(args))
    print("\n".join(run_summary_lines(summary, args.lang)))
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from flows import stages

    settings = _settings(args)
    run_id = _run_id()

    from flows.progress import file_progress
    from transforms.ingest.engine import iter_raw_files

    paths = [Path(p) for p in args.paths] or [settings.raw]
    if not args.paths and not stages.has_raw_files(settings.raw):
        raise CliError(stages.raw_folder_hint(settings))
    with file_progress("ingest", len(iter_raw_files(paths))) as bar:

        def show(result) -> None:
            bar.advance()
            if result.status in ("failed", "rejected"):
                print(f"  {result.status}: {result.message}", file=sys.stderr)

        with _writing(settings) as con:
            stages.load_configuration(con, settings)
            summary = stages.ingest(con, paths, run_id, validate=not args.no_validate, on_file=show)
    print(
        f"ingest: {summary['files']} files {summary['by_status']}; "
        f"{summary['rows_loaded']:,} rows loaded; {summary['rows_quarantined']:,} quarantined"
    )
    unassigned = summary["unassigned_stations"]
    if unassigned:
        print(f"stations without a region: {len(unassigned)}")
        for line in unassigned:
            print(f"  - {line}")
    return 1 if summary["by_status"].get("failed") else 0


def cmd_validate(args: argparse.Namespace) -> int:
    from flows import stages

    settings = _settings(args)
    with _writing(settings) as con:
        summary = stages.validate(con, _run_id(), settings)
    print(f"validation: {summary}")
    return 0


def _settings(args: argparse.Namespace) -> Settings:
    """Every path from --home (else $ENVQ_HOME, else data/), --warehouse on top."""
    return load_settings(args.warehouse, home=getattr(args, "home", None))


def cmd_build(args: argparse.Namespace) -> int:
    from flows import stages

    settings = _settings(args)
    with _writing(settings) as con:
        stages.load_configuration(con, settings)
        counts = stages.build(
            con, args.as_of, args.standard, progress_config=settings.progress_config
        )
    print("marts: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from reports.build import write_reports

    settings = _settings(args)
    if not settings.warehouse.exists():
        raise CliError(f"{settings.warehouse}: no published warehouse yet (run `envq run`)")
    paths = write_reports(
        settings.warehouse,
        settings.reports_dir,
        as_of=args.as_of,
        lang=args.lang,
        formats=args.format,
        region=args.region,
        year=args.year,
        self_contained=args.self_contained,
    )
    print(f"reports: {len(paths)} files in {settings.reports_dir}")
    for p in paths:
        print(f"  {p}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from flows.workspace import WorkspaceError, init_workspace
    from transforms.ingest.region_lookup import RegionLookupError

    try:
        result = init_workspace(
            args.dir, args.region, stations=args.stations, force=args.force, year=args.year
        )
    except (WorkspaceError, RegionLookupError) as exc:
        raise CliError(str(exc)) from exc
    stations = "" if result.stations is None else f", {result.stations} stations"
    print(
        f"workspace {result.home} for {result.name} {result.region_code}: "
        f"{result.regions} regions{stations}"
    )
    for note in result.notes:
        print(f"  {note}")
    for path in result.written:
        print(f"  wrote {path}")
    if result.kept:
        print("  kept (already there, not overwritten): " + ", ".join(map(str, result.kept)))
    print(
        f"next: fill in {result.home / 'targets.yaml'}, put the monitoring files into "
        f"{result.home / 'raw'}, then `envq run --home {result.home} --no-prefect` "
        "(docs/own_data.md)"
    )
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from transforms.sample.data import write_sample

    kwargs: dict = {}
    if args.start:
        kwargs["start"] = args.start
    if args.end:
        kwargs["end"] = args.end
    if args.stations:
        kwargs["national_stations"] = args.stations
    t0 = time.perf_counter()
    manifest = write_sample(Path(args.out), **kwargs)
    print(f"sample: {manifest['n_files']} files in {args.out} ({time.perf_counter() - t0:.1f} s)")
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    from flows.targets_check import targets_check
    from transforms.targets.config import load_progress_config
    from transforms.warehouse import connect

    settings = _settings(args)
    if not settings.warehouse.exists():
        raise CliError(f"{settings.warehouse}: no published warehouse yet (run `envq run`)")
    config = load_progress_config(settings.progress_config)
    con = connect(settings.warehouse, read_only=True)
    try:
        lines, code = targets_check(con, args.as_of, args.fail_on, config)
    finally:
        con.close()
    print("\n".join(lines) if lines else "no target at risk or off track")
    return code


def cmd_serve(args: argparse.Namespace) -> int:
    from flows.serve import serve

    options = run_options(args)
    options.pop("as_of", None)  # each scheduled night reports on its own day
    raw = options.get("raw")
    if raw and not Path(str(raw)).is_dir():  # else every night would fail on it
        raise CliError(f"--raw {raw}: no such folder")
    return serve(cron=args.cron, once=args.once, host=args.host, options=options)


def cmd_bench(args: argparse.Namespace) -> int:
    from flows.bench import run_bench

    return run_bench(
        real=args.real,
        out=args.out,
        stations=args.stations,
        days=args.days,
        bench_dir=args.bench_dir,
    )


FORMATS = ("html", "xlsx")
SUPPORTED_PLATFORMS = ("linux", "darwin")


def _formats(text: str) -> tuple[str, ...]:
    """--format: a comma-separated subset of html,xlsx (an unknown name is an error)."""
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown format {','.join(unknown) or text!r}; use html, xlsx or html,xlsx"
        )
    return names


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("envq")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _shared_options() -> dict[str, argparse.ArgumentParser]:
    """The options several commands share, each declared once.

    The common options default to SUPPRESS so that a subcommand never resets a value given
    before it (`envq targets --warehouse X check` keeps X); build_parser sets their defaults
    once on the top-level parser.
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--home",
        default=argparse.SUPPRESS,
        help="the workspace: config/, targets.yaml, raw/, warehouse/, reports/ "
        "(default $ENVQ_HOME, else data/: the demo with the synthetic sample)",
    )
    common.add_argument(
        "--warehouse",
        default=argparse.SUPPRESS,
        help="published DuckDB file (default $ENVQ_WAREHOUSE, else <home>/warehouse/envq.duckdb)",
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="debug log lines, and the traceback of a failure",
    )
    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument(
        "--lang",
        choices=["zh", "en"],
        default="zh",
        help="language of reports, summary and messages (default zh)",
    )
    as_of = argparse.ArgumentParser(add_help=False)
    as_of.add_argument(
        "--as-of", type=_date, help="as-of date of the year-to-date figures (default: latest)"
    )
    standard = argparse.ArgumentParser(add_help=False)
    standard.add_argument(
        "--standard",
        choices=["2012", "2026"],
        help="force one edition of the rules (default: the edition in force on each day)",
    )
    raw = argparse.ArgumentParser(add_help=False)
    raw.add_argument(
        "--raw", help="folder of incoming files (default $ENVQ_RAW, else <home>/raw)"
    )
    return {"common": common, "lang": lang, "as_of": as_of, "standard": standard, "raw": raw}


def run_options(args: argparse.Namespace) -> dict[str, object]:
    """The options of a nightly run, as the keyword arguments of flows.nightly.nightly.

    `envq run` calls the flow with them and `envq serve` stores them as the deployment's
    parameters, so a scheduled run reads what the operator gave serve.
    """
    options: dict[str, object] = {
        "warehouse": args.warehouse,
        "raw": getattr(args, "raw", None),
        "edition": getattr(args, "standard", None),
        "lang": getattr(args, "lang", "zh"),
    }
    if getattr(args, "as_of", None) is not None:
        options["as_of"] = args.as_of
    if getattr(args, "home", None):
        # absolute: a scheduled run must find the workspace whatever its working directory
        options["home"] = str(Path(args.home).resolve())
    return options


def cmd_backtest(args: argparse.Namespace) -> int:
    """Load PATHs into a scratch warehouse and score P(meet) against the outcomes."""
    import json
    import tempfile

    from flows import stages
    from transforms.targets.backtest import (
        BACKTEST_INDICATORS,
        forecasts,
        load_backtest_days,
        score,
        table_lines,
    )
    from transforms.targets.config import load_progress_config

    started = time.perf_counter()
    wanted = args.indicator or list(BACKTEST_INDICATORS)
    unknown = sorted(set(wanted) - set(BACKTEST_INDICATORS))
    if unknown:
        raise CliError(f"not backtested: {unknown}; choose from {list(BACKTEST_INDICATORS)}")
    with tempfile.TemporaryDirectory(prefix="envq-backtest-") as tmp:
        settings = load_settings(str(Path(tmp) / "backtest.duckdb"))
        with _writing(settings) as con:
            stages.load_configuration(con, settings)
            summary = stages.ingest(con, [Path(p) for p in args.paths], _run_id(), validate=False)
            days = load_backtest_days(con)
    loaded = time.perf_counter() - started
    if days.empty:
        raise CliError(f"no daily air series in {args.paths} ({summary['by_status']})")
    rows = forecasts(days, wanted, load_progress_config())
    result = score(rows)
    print("\n".join(table_lines(result)))
    print(
        f"backtest: {days['region_code'].nunique()} series, {len(rows):,} forecasts; "
        f"load {loaded:.1f} s, total {time.perf_counter() - started:.1f} s"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export tables of the published warehouse; one line per table, then the manifest's path."""
    from flows.export import ExportError, Filters, export

    settings = _settings(args)
    try:
        manifest = export(
            settings.warehouse,
            Path(args.out),
            tables=args.table or (),
            fmt=args.format,
            filters=Filters(year=args.year, region=args.region),
            force=args.force,
        )
    except ExportError as exc:
        raise CliError(str(exc)) from exc
    for entry in manifest["tables"]:
        print(f"  {entry['table']}: {entry['rows']} rows, {len(entry['files'])} file(s)")
    print(f"export: {len(manifest['tables'])} tables as {args.format} in {args.out}/manifest.json")
    return 0


def _add_export(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("export", parents=[common], help="tables as parquet, csv or xlsx")
    p.add_argument("--table", action="append", help="a table or view (repeatable; default: marts)")
    p.add_argument("--format", default="parquet", help="parquet (default), csv or xlsx")
    p.add_argument("--year", type=int, help="only the rows of this year")
    p.add_argument("--region", help="only this region and the regions under it")
    p.add_argument("--out", required=True, help="an empty folder (or pass --force)")
    p.add_argument("--force", action="store_true", help="write into a folder that is not empty")
    p.set_defaults(func=cmd_export)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="envq", description="Environmental-quality indicators and target progress."
    )
    parser.add_argument("--version", action="version", version=f"envq {_version()}")
    parser.set_defaults(warehouse=None, home=None, verbose=False)
    shared = _shared_options()
    common = shared["common"]
    run_like = [common, shared["raw"], shared["standard"], shared["lang"]]
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "run",
        parents=[*run_like, shared["as_of"]],
        help="the nightly job (on the sample by default)",
    )
    p.add_argument(
        "--no-prefect",
        action="store_true",
        help="run the same stages in-process without Prefect (no retries, no artifacts)",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("ingest", parents=[common], help="load files or folders idempotently")
    p.add_argument(
        "paths", nargs="*", help="raw files or folders, format detected (default <home>/raw)"
    )
    p.add_argument("--no-validate", action="store_true", help="skip the batch quality gates")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("validate", parents=[common], help="run the quality suites on the data")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "build",
        parents=[common, shared["as_of"], shared["standard"]],
        help="rebuild the marts from the core tables",
    )
    p.set_defaults(func=cmd_build)

    p = sub.add_parser(
        "report",
        parents=[common, shared["as_of"], shared["lang"]],
        help="target-gap reports (HTML, xlsx)",
    )
    p.add_argument("--region", help="one region code (default: every region with targets)")
    p.add_argument("--year", type=int, help="assessment year (default: the as-of date's year)")
    p.add_argument(
        "--format",
        type=_formats,
        default=FORMATS,
        help="comma-separated: html, xlsx (default html,xlsx)",
    )
    p.add_argument(
        "--self-contained",
        action="store_true",
        help="embed plotly.js in every page (one file to mail) instead of one shared file",
    )
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("targets", parents=[common], help="targets at risk")
    tsub = p.add_subparsers(dest="targets_command", required=True, metavar="COMMAND")
    c = tsub.add_parser(
        "check",
        parents=[common, shared["as_of"]],
        help="print indicators at risk or off track",
    )
    c.add_argument(
        "--fail-on",
        choices=["off_track", "at_risk"],
        help="exit 1 when a target is in this state or worse (default: always exit 0)",
    )
    c.set_defaults(func=cmd_targets)

    p = sub.add_parser("serve", parents=run_like, help="serve the nightly schedule with Prefect")
    p.add_argument(
        "--cron",
        default=os.environ.get("ENVQ_CRON", "0 2 * * *"),
        help="when the nightly run starts, in the bureau's time zone (default 0 2 * * *)",
    )
    p.add_argument(
        "--host",
        default=os.environ.get("ENVQ_PREFECT_HOST", "127.0.0.1"),
        help="address the Prefect UI listens on (default 127.0.0.1; anything else needs an "
        "authenticating proxy in front, see docs/operations.md)",
    )
    p.add_argument("--once", action="store_true", help="trigger one scheduled-style run and exit")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("init", help="make a bureau's workspace for a real city")
    p.add_argument("dir", help="the workspace folder (created if missing)")
    p.add_argument("--region", required=True, help="code (610900) or name (安康市, 安康)")
    p.add_argument("--stations", help="a national station list (NewSiteList, StationList)")
    p.add_argument("--year", type=int, help="year of the targets template (default this year)")
    p.add_argument(
        "--force", action="store_true", help="complete an existing workspace (keeps its files)"
    )
    p.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
        help="debug log lines, and the traceback of a failure",
    )
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("sample", parents=[common], help="deterministic synthetic data")
    p.add_argument("--out", required=True, help="folder to write the sample files into")
    p.add_argument("--start", type=_date, help="first day (default 2024-01-01)")
    p.add_argument("--end", type=_date, help="last day (default 2026-10-31)")
    p.add_argument("--stations", type=int, help="add N national stations (benchmark data)")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("bench", parents=[common], help="the benchmark suite")
    p.add_argument("--real", help="folder of real china_sites files to ingest as well")
    p.add_argument(
        "--bench-dir", help="folder of the bench's data (default $ENVQ_BENCH_DIR, else data/bench)"
    )
    p.add_argument("--out", help="JSON file of the figures (default <bench-dir>/bench.json)")
    p.add_argument("--stations", type=int, default=1700, help="national stations (default 1700)")
    p.add_argument("--days", type=int, default=365, help="days of synthetic data (default 365)")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("backtest", parents=[common], help="score P(meet) on real daily series")
    p.add_argument(
        "paths", nargs="+", metavar="PATH", help="daily city or hourly station files or folders"
    )
    p.add_argument("--indicator", action="append", help="an indicator to score (repeatable)")
    p.add_argument("--json", help="write the scores as JSON to this file")
    p.set_defaults(func=cmd_backtest)

    _add_export(sub, common)
    return parser


def _log_in_bureau_time() -> None:
    """Log lines carry the bureau's clock (ENVQ_TIMEZONE), not the server's."""
    from transforms.clock import bureau_timezone

    zone = bureau_timezone()

    def converter(seconds: float | None) -> time.struct_time:
        moment = time.time() if seconds is None else seconds
        return dt.datetime.fromtimestamp(moment, zone).timetuple()

    for handler in logging.getLogger().handlers:
        if handler.formatter is not None:
            handler.formatter.converter = converter  # type: ignore[method-assign]


def check_platform(platform: str = sys.platform) -> str | None:
    """The one-line reason envq cannot run here, or None on a supported platform.

    The writer's lock (fcntl) and the serve's server handling (process groups, prctl) are
    POSIX; Linux is what CI runs, macOS is POSIX too.
    """
    if platform.startswith(SUPPORTED_PLATFORMS):
        return None
    return f"unsupported platform {platform!r}: envq runs on Linux or macOS (see README)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    unsupported = check_platform()
    if unsupported:
        print(f"envq: {unsupported}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        _log_in_bureau_time()
    except ValueError as exc:  # an unknown ENVQ_TIMEZONE
        print(f"envq: {exc}", file=sys.stderr)
        return 2
    if not args.verbose:  # GX logs every registration at INFO: it would bury the progress lines
        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        logging.getLogger("httpx").setLevel(logging.WARNING)  # serve: one line per API request
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("envq: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the contract: one line, non-zero exit
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        failed = " 失败：" if getattr(args, "lang", "zh") == "zh" else ": "
        print(f"envq {args.command}{failed}{reason}", file=sys.stderr)
        if args.verbose:
            raise
        return 1


if __name__ == "__main__":
    sys.exit(main())
